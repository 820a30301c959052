"""
Every text with LF line breaks, as the write path stores them from now on (a
browser sends a text area's as CRLF, and the admin stored them so until now).
A translation made from an original that held CRLF is made from the same
original with LF: its fingerprint follows, so no status changes (and one that
was outdated only by its line breaks is up to date). A draft started from a
record as it was is still a draft of it as it is: its fingerprint follows too.

The rule is copied, not imported, so that this step does what it did when it
was written whatever the models become.
"""

import hashlib
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations
from django.db.models import Q

# The languages whose columns existed when this was written.
LANGUAGES = ("en", "uk", "de")

TRANSLATED = {
    "source": ("title", "site"),
    "category": (
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
    "attribute": ("label",),
    "attributevalue": ("value",),
    "comparison": ("title", "key_difference", "introduction", "conclusion"),
    "comparisonrow": ("first_value", "second_value"),
}

# A category's word forms are all made from its name in a sentence.
CASES = ("nominative", "genitive", "dative", "accusative", "instrumental")


def fingerprint(text):
    return hashlib.blake2b((text or "").encode(), digest_size=8).hexdigest()


def with_one_line_ending(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def original_text(record, model_name, field):
    # A source's original language is the language of its article.
    language = record.language if model_name == "source" else record.original_language
    if model_name == "category" and field in CASES:
        field = "nominative"
    return getattr(record, f"{field}_{language}", None)


# A page's record and its parts, in the order drafts.fingerprint() reads them.
PARTS = {
    "category": (("categoryitem", "category_id"), ("attributevalue", "category_id")),
    "comparison": (("comparisonrow", "comparison_id"),),
}


def draft_base(apps, model_name, pk):
    """drafts.fingerprint() as it was written: a hash of the record and its parts, but tokens and times."""
    model = apps.get_model("comparisons", model_name)
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        return ""
    records = [obj]
    for part_name, owner in PARTS.get(model_name, ()):
        records += apps.get_model("comparisons", part_name).objects.filter(**{owner: pk}).order_by("pk")
    serialized = []
    for each in records:
        left_out = {*TRANSLATED[each._meta.model_name], "outdated_translations"}
        fields = [
            field.name
            for field in [*each._meta.fields, *each._meta.many_to_many]
            if not field.primary_key and field.name not in left_out
        ]
        serialized += serializers.serialize("python", [each], fields=fields)
    serialized = json.loads(json.dumps(serialized, cls=DjangoJSONEncoder))
    for record in serialized:
        for name in ("edit_token", "updated_at"):
            record["fields"].pop(name, None)
    return hashlib.sha256(json.dumps(serialized, sort_keys=True).encode()).hexdigest()


def texts_with_lf(apps, schema_editor):
    draft_model = apps.get_model("comparisons", "draft")
    drafts = list(draft_model.objects.select_related("content_type"))
    fresh = [
        draft
        for draft in drafts
        if draft.content_type.model in TRANSLATED
        and draft.base_fingerprint == draft_base(apps, draft.content_type.model, draft.object_id)
    ]
    rewrite_texts(apps)
    for draft in fresh:
        draft.base_fingerprint = draft_base(apps, draft.content_type.model, draft.object_id)
        draft_model.objects.filter(pk=draft.pk).update(base_fingerprint=draft.base_fingerprint)


def rewrite_texts(apps):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("comparisons", model_name)
        columns = [*fields, *(f"{field}_{language}" for field in fields for language in LANGUAGES)]
        with_cr = Q()
        for column in columns:
            with_cr |= Q(**{f"{column}__contains": "\r"})
        for record in model.objects.filter(with_cr).iterator():
            before = {field: fingerprint(original_text(record, model_name, field)) for field in fields}
            written = {}
            for column in columns:
                text = getattr(record, column)
                if text and "\r" in text:
                    written[column] = with_one_line_ending(text)
                    setattr(record, column, written[column])
            bases = record.translated_from if isinstance(record.translated_from, dict) else {}
            outdated = dict(record.outdated_translations or {})
            for field, languages in bases.items():
                if field not in before or not isinstance(languages, dict):
                    continue
                after = fingerprint(original_text(record, model_name, field))
                for language, base in languages.items():
                    if base == before[field]:
                        languages[language] = after
                    elif base == after:
                        outdated.pop(f"{field}_{language}", None)
            # Historical models have plain managers: the write path is not here.
            model.objects.filter(pk=record.pk).update(
                **written, translated_from=record.translated_from, outdated_translations=outdated
            )


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0013_updated_at_set_by_the_write_path'),
    ]

    operations = [
        migrations.RunPython(texts_with_lf, migrations.RunPython.noop, elidable=True),
    ]
