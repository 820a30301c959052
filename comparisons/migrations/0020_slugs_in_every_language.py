"""
A category's one slug becomes its slug in every language (0019 made the
columns), a former slug one in each language.

A draft of a category started before is still a draft of the same category:
its fingerprint of the published record (drafts.fingerprint(), copied here as
it is when this is written) is renewed with the slug's new columns, so that
publishing it is not refused as if someone had changed the category since.

Data only: on PostgreSQL a table cannot be altered in the transaction that
wrote rows to it while their checks are pending, so the columns come before
(0019) and the rules after (0021), each in its own migration.
"""

import hashlib
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

# The languages whose columns 0019 added; English is the default.
LANGUAGES = ("en", "uk", "de")
SLUGS = tuple(f"slug_{code}" for code in LANGUAGES)
# What drafts.fingerprint() leaves out of a category and its parts: the translated
# fields' base columns (the slug's from now on), what every save derives, and
# what every write renews.
LEFT_OUT = {
    "category": (
        "slug",
        "abbreviation",
        "name",
        "nominative",
        "genitive",
        "dative",
        "accusative",
        "instrumental",
        "summary",
        "description",
    ),
    "categoryitem": ("name",),
    "attributevalue": ("value",),
}
DERIVED = ("outdated_translations",)
RENEWED = ("edit_token", "updated_at")


def category_base(apps, pk, before=False):
    """
    drafts.fingerprint() of a category: a hash of it and its parts (items,
    then values, each by key), but tokens and times; ``before`` this
    migration, with the one slug and not the slug in each language.
    """
    category = apps.get_model("comparisons", "category").objects.filter(pk=pk).first()
    if category is None:
        return ""
    records = [category]
    for part in ("categoryitem", "attributevalue"):
        records += apps.get_model("comparisons", part).objects.filter(category_id=pk).order_by("pk")
    serialized = []
    for each in records:
        left_out = {*LEFT_OUT[each._meta.model_name], *DERIVED}
        if each is category and before:
            left_out = (left_out - {"slug"}) | set(SLUGS)
        fields = [
            field.name
            for field in [*each._meta.fields, *each._meta.many_to_many]
            if not field.primary_key and field.name not in left_out
        ]
        serialized += serializers.serialize("python", [each], fields=fields)
    serialized = json.loads(json.dumps(serialized, cls=DjangoJSONEncoder))
    for record in serialized:
        for name in RENEWED:
            record["fields"].pop(name, None)
    return hashlib.sha256(json.dumps(serialized, sort_keys=True).encode()).hexdigest()


def slug_in_every_language(apps, schema_editor):
    """A category's one slug becomes its slug in every language; a former one too."""
    Category = apps.get_model("comparisons", "Category")
    FormerSlug = apps.get_model("comparisons", "FormerSlug")
    Draft = apps.get_model("comparisons", "Draft")
    drafts = Draft.objects.filter(content_type__app_label="comparisons", content_type__model="category")
    fresh = [draft for draft in drafts if draft.base_fingerprint == category_base(apps, draft.object_id, before=True)]
    Category.objects.update(**{column: models.F("slug") for column in SLUGS})
    former = list(FormerSlug.objects.filter(language="en"))
    FormerSlug.objects.bulk_create(
        FormerSlug(language=code, slug=each.slug, category_id=each.category_id)
        for each in former
        for code in LANGUAGES[1:]
    )
    for draft in fresh:
        Draft.objects.filter(pk=draft.pk).update(base_fingerprint=category_base(apps, draft.object_id))


def one_slug(apps, schema_editor):
    """
    Back to one slug: the English one. The other languages' slugs, and their
    former ones, stay addresses of the category as English former slugs where
    no category has or had that slug in English. Drafts follow.
    """
    Category = apps.get_model("comparisons", "Category")
    FormerSlug = apps.get_model("comparisons", "FormerSlug")
    Draft = apps.get_model("comparisons", "Draft")
    drafts = Draft.objects.filter(content_type__app_label="comparisons", content_type__model="category")
    fresh = [draft for draft in drafts if draft.base_fingerprint == category_base(apps, draft.object_id)]
    taken = {*Category.objects.values_list("slug_en", flat=True)}
    taken |= {*FormerSlug.objects.filter(language="en").values_list("slug", flat=True)}
    kept = []
    # In the order the addresses are read: a published category's slug, then one it had,
    # then an unpublished category's.
    addresses = []
    for published in (True, False):
        categories = Category.objects.filter(is_published=published)
        addresses += [(category.pk, getattr(category, column)) for category in categories for column in SLUGS[1:]]
        former = FormerSlug.objects.exclude(language="en").filter(category__is_published=published)
        addresses += former.values_list("category_id", "slug")
    for category, slug in addresses:
        if slug and slug not in taken:
            taken.add(slug)
            kept.append(FormerSlug(language="en", slug=slug, category_id=category))
    Category.objects.update(slug=models.F("slug_en"))
    FormerSlug.objects.exclude(language="en").delete()
    FormerSlug.objects.bulk_create(kept)
    for draft in fresh:
        Draft.objects.filter(pk=draft.pk).update(
            base_fingerprint=category_base(apps, draft.object_id, before=True)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0019_slugs_per_language'),
    ]

    operations = [
        migrations.RunPython(slug_in_every_language, one_slug),
    ]
