"""
A category's slug in each language, and its former slugs per language: its
one slug becomes its slug in every language, a former slug one in each.

A draft of a category started before is still a draft of the same category:
its fingerprint of the published record (drafts.fingerprint(), copied here as
it is when this is written) is renewed with the slug's new columns, so that
publishing it is not refused as if someone had changed the category since.
"""

import hashlib
import json

import django.core.validators
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

# The languages whose columns this migration adds; English is the default.
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
    """Back to one slug: the English one, and English's former slugs; drafts follow."""
    Category = apps.get_model("comparisons", "Category")
    FormerSlug = apps.get_model("comparisons", "FormerSlug")
    Draft = apps.get_model("comparisons", "Draft")
    drafts = Draft.objects.filter(content_type__app_label="comparisons", content_type__model="category")
    fresh = [draft for draft in drafts if draft.base_fingerprint == category_base(apps, draft.object_id)]
    Category.objects.update(slug=models.F("slug_en"))
    FormerSlug.objects.exclude(language="en").delete()
    for draft in fresh:
        Draft.objects.filter(pk=draft.pk).update(
            base_fingerprint=category_base(apps, draft.object_id, before=True)
        )


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0018_attribute_description_is_text_or_nothing'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='category',
            options={'ordering': ['order', 'slug_en'], 'verbose_name': 'category', 'verbose_name_plural': 'categories'},
        ),
        migrations.RemoveConstraint(
            model_name='category',
            name='category_slug_not_blank',
        ),
        migrations.AddField(
            model_name='category',
            name='slug_de',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='category',
            name='slug_en',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='category',
            name='slug_uk',
            field=models.SlugField(max_length=80, null=True, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AddField(
            model_name='formerslug',
            name='language',
            field=models.CharField(choices=[('en', 'English'), ('uk', 'Ukrainian'), ('de', 'German')], default='en', max_length=8, verbose_name='language'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='category',
            name='slug',
            field=models.SlugField(max_length=80, validators=[django.core.validators.RegexValidator('(^|-)vs(-|$)', inverse_match=True, message='A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”.')], verbose_name='slug'),
        ),
        migrations.AlterField(
            model_name='formerslug',
            name='slug',
            field=models.SlugField(max_length=80, verbose_name='slug'),
        ),
        migrations.RunPython(slug_in_every_language, one_slug),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_en',), name='category_slug_en_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_en__isnull', False), models.Q(('slug_en', ''), _negated=True)), name='category_slug_en_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_uk',), name='category_slug_uk_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_uk__isnull', False), models.Q(('slug_uk', ''), _negated=True)), name='category_slug_uk_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('slug_de',), name='category_slug_de_unique'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.CheckConstraint(condition=models.Q(('slug_de__isnull', False), models.Q(('slug_de', ''), _negated=True)), name='category_slug_de_not_blank'),
        ),
        migrations.AddConstraint(
            model_name='formerslug',
            constraint=models.UniqueConstraint(fields=('language', 'slug'), name='formerslug_once_per_language'),
        ),
    ]
