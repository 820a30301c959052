"""
An attribute's description, in each language, and the source that defines it.

A draft of an attribute started before is still a draft of the same attribute:
its fingerprint of the published record (drafts.fingerprint(), copied here as
it is when this is written) is renewed with the new, empty columns, so that
publishing it is not refused as if someone had changed the attribute since.
"""

import hashlib
import json

import django.db.models.deletion
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

# The columns this adds, which a fingerprint taken before did not read.
NEW_COLUMNS = ("description_en", "description_uk", "description_de", "description_source")
# What drafts.fingerprint() leaves out of an attribute: the translated fields'
# base columns, what every save derives, and what every write renews.
LEFT_OUT = ("label", "description", "outdated_translations")
RENEWED = ("edit_token", "updated_at")


def attribute_base(apps, pk, left_out=()):
    attribute = apps.get_model("comparisons", "attribute").objects.filter(pk=pk).first()
    if attribute is None:
        return ""
    fields = [
        field.name
        for field in [*attribute._meta.fields, *attribute._meta.many_to_many]
        if not field.primary_key and field.name not in {*LEFT_OUT, *left_out}
    ]
    records = json.loads(
        json.dumps(serializers.serialize("python", [attribute], fields=fields), cls=DjangoJSONEncoder)
    )
    for record in records:
        for name in RENEWED:
            record["fields"].pop(name, None)
    return hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()


def rebase_fresh_drafts(apps, schema_editor):
    draft_model = apps.get_model("comparisons", "draft")
    drafts = draft_model.objects.filter(
        content_type__app_label="comparisons", content_type__model="attribute"
    )
    for draft in drafts:
        if draft.base_fingerprint == attribute_base(apps, draft.object_id, left_out=NEW_COLUMNS):
            draft_model.objects.filter(pk=draft.pk).update(
                base_fingerprint=attribute_base(apps, draft.object_id)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0016_category_slug_without_vs"),
    ]

    operations = [
        migrations.AddField(
            model_name="attribute",
            name="description",
            field=models.TextField(
                blank=True,
                help_text="What the attribute means, in a sentence or two that a reader new to outsourcing understands.",
                max_length=600,
                verbose_name="description",
            ),
        ),
        migrations.AddField(
            model_name="attribute",
            name="description_de",
            field=models.TextField(
                blank=True,
                help_text="What the attribute means, in a sentence or two that a reader new to outsourcing understands.",
                max_length=600,
                null=True,
                verbose_name="description",
            ),
        ),
        migrations.AddField(
            model_name="attribute",
            name="description_en",
            field=models.TextField(
                blank=True,
                help_text="What the attribute means, in a sentence or two that a reader new to outsourcing understands.",
                max_length=600,
                null=True,
                verbose_name="description",
            ),
        ),
        migrations.AddField(
            model_name="attribute",
            name="description_source",
            field=models.ForeignKey(
                blank=True,
                help_text="The source article that defines the attribute. Leave empty where the editors wrote it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attribute_descriptions",
                to="comparisons.source",
                verbose_name="description taken from",
            ),
        ),
        migrations.AddField(
            model_name="attribute",
            name="description_uk",
            field=models.TextField(
                blank=True,
                help_text="What the attribute means, in a sentence or two that a reader new to outsourcing understands.",
                max_length=600,
                null=True,
                verbose_name="description",
            ),
        ),
        migrations.RunPython(rebase_fresh_drafts, migrations.RunPython.noop),
    ]
