"""
The knowledge base as fixture files: which models go in which file, in which
order, with which fields. Shared by exportcontent and loadcontent so that an
export loads back as it was and exports again byte for byte.
"""

import json

from django.core import serializers

from .models import Attribute, AttributeValue, Category, CategoryItem, Comparison, ComparisonRow, Source

# Bump when the file layout changes in a way an older import could not read.
FORMAT_VERSION = 1

FILES = {
    "01_sources.json": [Source],
    "02_categories.json": [Category, CategoryItem],
    "03_attributes.json": [Attribute, AttributeValue],
    "04_comparisons.json": [Comparison, ComparisonRow],
}


def fixture_paths(folder):
    """The fixture files of an export folder, in load order."""
    return [folder / name for name in FILES]


def exported_fields(model):
    """
    Every field but the untranslated base columns (a bare name would load into
    the active language) and what every save derives from the others.
    """
    left_out = {*model.translated_fields(), "outdated_translations"}
    return [
        field.name
        for field in [*model._meta.fields, *model._meta.many_to_many]
        if not field.primary_key and field.name not in left_out
    ]


def sorted_keys(value):
    """PostgreSQL's jsonb keeps keys in its own order; a backup must not depend on the database."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    return value


def serialize(models):
    records = []
    for model in models:
        queryset = model._default_manager.order_by("pk")
        records += json.loads(serializers.serialize("json", queryset, fields=exported_fields(model)))
    for record in records:
        record["fields"] = {name: sorted_keys(value) for name, value in record["fields"].items()}
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
