"""
Every text with LF line breaks, as the write path stores them from now on (a
browser sends a text area's as CRLF, and the admin stored them so until now).
A translation made from an original that held CRLF is made from the same
original with LF: its fingerprint follows, so no status changes (and one that
was outdated only by its line breaks is up to date).

The rule is copied, not imported, so that this step does what it did when it
was written whatever the models become.
"""

import hashlib

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


def texts_with_lf(apps, schema_editor):
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
        migrations.RunPython(texts_with_lf, migrations.RunPython.noop),
    ]
