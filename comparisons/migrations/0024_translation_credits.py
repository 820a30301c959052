"""
Each text's credits (translation_status.py): a text saved before them has an
unknown origin and no review, which its credits and the derived list of
unreviewed texts say for the records there are; every save keeps them from
then on.

The rule is copied, not imported, so that this step does what it did when it
was written whatever the models become.
"""

from django.db import migrations, models

# The languages and texts there were when this was written.
LANGUAGES = ("en", "uk", "de")
CASES = ("nominative", "genitive", "dative", "accusative", "instrumental")
TEXTS = {
    "source": ("title", "site"),
    "category": ("abbreviation", "name", *CASES, "summary", "description"),
    "categoryitem": ("name",),
    "attribute": ("label", "description"),
    "attributevalue": ("value",),
    "comparison": ("title", "key_difference", "introduction", "conclusion"),
    "comparisonrow": ("first_value", "second_value"),
}


def unreviewed(record, fields):
    return {
        f"{field}_{language}": "unknown"
        for field in fields
        for language in LANGUAGES
        if getattr(record, f"{field}_{language}")
    }


def find_unreviewed_translations(apps, schema_editor):
    for model_name, fields in TEXTS.items():
        model = apps.get_model("comparisons", model_name)
        changed = []
        for record in model.objects.iterator(chunk_size=2000):
            record.unreviewed_translations = unreviewed(record, fields)
            record.translation_credits = {
                column: {"origin": "unknown", "author": ""} for column in record.unreviewed_translations
            }
            if record.unreviewed_translations:
                changed.append(record)
        # Historical models have plain managers: the write path's refusal of bulk writes is not here.
        model.objects.bulk_update(changed, ["unreviewed_translations", "translation_credits"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0023_termbase"),
    ]

    operations = [
        migrations.AddField(
            model_name="attribute",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="attribute",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="attributevalue",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="attributevalue",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="categoryitem",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="categoryitem",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="comparison",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="comparison",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="comparisonrow",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="comparisonrow",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="translation_credits",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="Each text's origin, who wrote it, and who reviewed it and when.",
                verbose_name="translation credits",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="unreviewed_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The texts nobody but their author has read, with their origin.",
                verbose_name="unreviewed translations",
            ),
        ),
        migrations.RunPython(find_unreviewed_translations, migrations.RunPython.noop),
    ]
