"""
The knowledge base as fixture files: which models go in which file, in which
order, with which fields. Shared by exportcontent and loadcontent so that an
export loads back as it was and exports again byte for byte.
"""

import json

from django.core import serializers

from .models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Concept,
    FormerAttributeSlug,
    FormerSlug,
    Source,
)
from .translation_status import fingerprint, language_codes

# Bump when the file layout changes in a way an older import could not read,
# and teach upgraded() to read the older one. (4: the categories' former slugs;
# 5: the attributes' descriptions, which an older export leaves empty; 6: a
# category's slug and former slugs per language, and attributes' former slugs;
# 7: the termbase, which an older export does not have; 8: each translation's
# credits, which an older export loads without: origin unknown, unreviewed.)
FORMAT_VERSION = 8

FILES = {
    "01_sources.json": [Source],
    "02_categories.json": [Category, CategoryItem, FormerSlug],
    "03_attributes.json": [Attribute, AttributeValue, FormerAttributeSlug],
    "04_comparisons.json": [Comparison, ComparisonRow],
    "05_termbase.json": [Concept],
}


# The only models a backup or a seed may hold: the knowledge base's content.
# Accounts, groups, permissions, history and drafts never travel in a file;
# loadcontent refuses a record of any other model before it writes anything.
CONTENT_MODELS = {model._meta.label_lower: model for models in FILES.values() for model in models}

# Bounds on what an import reads, so that a file cannot exhaust the memory of the
# process loading it: a whole file (loadcontent --max-file-megabytes raises it for
# a larger backup, knowingly), and one text (MAX_TEXT_CHARACTERS, as in the admin).
MAX_FILE_MEGABYTES = 50


def fixture_paths(folder):
    """The fixture files of an export folder, in load order."""
    return [folder / name for name in FILES]


def exported_fields(model):
    """
    Every field but the untranslated base columns (a bare name would load into
    the active language) and what every save derives from the others.
    """
    left_out = {
        *getattr(model, "translated_fields", tuple)(),
        "outdated_translations",
        "unreviewed_translations",
    }
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


def upgraded(record, version):
    """A record of an export in an older format as this format writes it: one record or more."""
    if version < 2 and isinstance(record, dict) and record.get("model") == "comparisons.category":
        record = upgrade_category_to_2(record)
    if version < 3 and isinstance(record, dict) and record.get("model") in PUBLISHED_SINCE_3:
        # Format 3 added their publication; everything in an older export was public.
        record = {**record, "fields": {**(record.get("fields") or {}), "is_published": True}}
    if version < 6 and isinstance(record, dict):
        return slugs_in_every_language(record)
    return [record]


# The models that got a language for their slugs in format 6 (migrations 0019-0021).
SLUGS_PER_LANGUAGE_SINCE_6 = {"comparisons.category", "comparisons.formerslug"}


def slugs_in_every_language(record):
    """
    A category's one slug as its slug in every language, as migration 0020
    made it; a former slug, one record per language, each with a key of its
    own made from the old one (so that loading the file again writes the same
    records; nothing refers to them).
    Any other record, or one with slugs per language already, as it is.
    """
    fields = record.get("fields")
    if record.get("model") not in SLUGS_PER_LANGUAGE_SINCE_6 or not isinstance(fields, dict):
        return [record]  # malformed, if a category's: the import names it
    if "slug" not in fields or any(name.startswith("slug_") or name == "language" for name in fields):
        return [record]
    slug = fields["slug"]
    if record["model"] == "comparisons.category":
        rest = {name: value for name, value in fields.items() if name != "slug"}
        return [{**record, "fields": {**rest, **{f"slug_{code}": slug for code in language_codes()}}}]
    codes = language_codes()
    key = record.get("pk")
    return [
        {
            "model": record["model"],
            **({"pk": key * len(codes) + index} if isinstance(key, int) and key > 0 else {}),
            "fields": {**fields, "language": code},
        }
        for index, code in enumerate(codes)
    ]


# The models that got a publication flag in format 3 (comparisons had one already).
PUBLISHED_SINCE_3 = {"comparisons.category", "comparisons.attribute"}


def upgrade_category_to_2(record):
    """
    Format 2 added a category's name in a sentence and its word forms
    (migration 0007). As that migration did, the heading stands in for the
    name in a sentence in each language; the other forms are left to write.
    """
    fields = dict(record.get("fields") or {})
    if any(column.startswith("nominative") for column in fields):
        return record
    if not isinstance(fields.get("translated_from", {}), dict):
        return record  # malformed: the import names it
    original = fields.get("original_language")
    bases = {}
    for column, heading in list(fields.items()):
        field, _sep, code = column.rpartition("_")
        if field == "abbreviation" and heading:
            fields[f"nominative_{code}"] = heading
            if code != original:
                bases[code] = fingerprint(fields.get(f"abbreviation_{original}"))
    if bases:
        fields["translated_from"] = {**fields.get("translated_from", {}), "nominative": bases}
    return {**record, "fields": fields}
