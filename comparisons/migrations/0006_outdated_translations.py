"""
Which translations are outdated, written down for the database to filter and
count on (translation_status.py). Filled here for the records there are; every
save keeps it from then on.

The rule is copied, not imported, so that this step does what it did when it
was written whatever the models become.
"""

import hashlib

from django.db import migrations, models

# The languages whose columns existed when this was written.
LANGUAGES = ("en", "uk", "de")

TRANSLATED = {
    "source": ("title", "site"),
    "category": ("abbreviation", "name", "summary", "description"),
    "categoryitem": ("name",),
    "attribute": ("label",),
    "attributevalue": ("value",),
    "comparison": ("key_difference", "introduction", "conclusion"),
    "comparisonrow": ("first_value", "second_value"),
}


def fingerprint(text):
    return hashlib.blake2b((text or "").encode(), digest_size=8).hexdigest()


def outdated(record, fields, original):
    found = {}
    for field in fields:
        for language in LANGUAGES:
            text = getattr(record, f"{field}_{language}")
            if not text or language == original:
                continue
            base = record.translated_from.get(field, {}).get(language)
            if base != fingerprint(getattr(record, f"{field}_{original}")):
                found[f"{field}_{language}"] = True
    return found


def find_outdated_translations(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("comparisons", model_name)
        changed = []
        for record in model.objects.iterator(chunk_size=2000):
            # A source's original language is the language of its article.
            original = record.language if model_name == "source" else record.original_language
            record.outdated_translations = outdated(record, fields, original)
            if record.outdated_translations:
                changed.append(record)
        # Historical models have plain managers: the write path's refusal of bulk writes is not here.
        model.objects.bulk_update(changed, ["outdated_translations"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('comparisons', '0005_search_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='attribute',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='attributevalue',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='category',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='categoryitem',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='comparison',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='comparisonrow',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.AddField(
            model_name='source',
            name='outdated_translations',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='The translations made from an earlier version of the original text.', verbose_name='outdated translations'),
        ),
        migrations.RunPython(find_outdated_translations, migrations.RunPython.noop),
    ]
