"""
Trigram indexes for the readers' search on PostgreSQL.

The search looks for LIKE '%term%' in lower(coalesce(nullif(<field>_<lang>, ''),
<field>_en)) (models.shown_text); a GIN trigram index on exactly that expression
serves it, one per searched field and language. SQLite has its own, which
comparisons/search_index.py makes; nothing is done there.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations

from comparisons.models import shown_text

SEARCHED = {
    "category": ("abbreviation", "name", "summary", "description"),
    "categoryitem": ("name",),
    "comparison": ("key_difference", "introduction", "conclusion"),
}
LANGUAGES = ("en", "uk", "de")


def indexes():
    for model_name, fields in SEARCHED.items():
        for field in fields:
            for language in LANGUAGES:
                yield model_name, GinIndex(
                    OpClass(shown_text(field, language), name="gin_trgm_ops"),
                    name=f"search_{model_name[:12]}_{field[:14]}_{language}",
                )


def add_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, index in indexes():
        schema_editor.add_index(apps.get_model("comparisons", model_name), index)


def remove_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in indexes():
        schema_editor.remove_index(apps.get_model("comparisons", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("comparisons", "0004_comparison_order")]

    operations = [migrations.RunPython(add_search_indexes, remove_search_indexes)]
