"""
SQLite's full-text index of what readers search: an FTS5 table with the
trigram tokenizer beside each searched table.

SearchableQuerySet.search() looks for each term inside the text a reader sees,
a field in the reader's language or in English where that one is empty. On
PostgreSQL a trigram index on each such expression serves it (migration 0005).
SQLite has no index for LIKE '%term%' and reads every row through a Python
lower(), 2.9 s at 100,000 comparisons. Its FTS5 trigram tokenizer finds a
substring of three characters or more, in any case (Unicode case folding),
from the index. So <table>_search holds, for each record (same rowid), one
column per searched field and language: the text shown in that language.

The database keeps it current with triggers on insert, update and delete, so
that every write (the write path, bulk_create, update(), a raw import) is
indexed. They are made after each migrate rather than in a migration: SQLite
alters a table by copying it into a new one, which drops its triggers, and a
later migration of a searched table would otherwise stop the index without a
word. Where the index or a trigger is missing or defined otherwise (another
field or language searched), all of that table's are made anew and filled.
"""

from django.apps import apps
from django.conf import settings

SEARCHED_MODELS = ("Category", "CategoryItem", "Comparison")


def index_table(model):
    return f"{model._meta.db_table}_search"


def index_columns(model):
    """The index's columns: each searched field in each language, as in ``<field>_<language>``."""
    fields = model._default_manager.all().search_fields
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


def match_expression(model, language, terms):
    """FTS5's query for records whose text in ``language`` contains one of the terms."""
    fields = model._default_manager.all().search_fields
    columns = " ".join(f"{field}_{language}" for field in fields)
    strings = " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms)
    return f"{{{columns}}} : ({strings})"


def definitions(model):
    """{name: CREATE statement} of the index table and its triggers, as sqlite_master keeps them."""
    table, index = model._meta.db_table, index_table(model)
    pk = model._meta.pk.column
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    fields = model._default_manager.all().search_fields
    columns = index_columns(model)
    listed = ", ".join(columns)

    def shown(row):
        return ", ".join(
            f"coalesce(nullif({row}.{field}_{code}, ''), {row}.{field}_{default}, '')"
            for field in fields
            for code, _name in settings.LANGUAGES
        )

    add = f"INSERT INTO {index}(rowid, {listed}) VALUES (new.{pk}, {shown('new')});"
    remove = f"DELETE FROM {index} WHERE rowid = old.{pk};"
    return {
        index: f"CREATE VIRTUAL TABLE {index} USING fts5({listed}, tokenize='trigram')",
        f"{index}_insert": f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"{index}_update": (
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {pk}, {listed} ON {table} "
            f"BEGIN {remove} {add} END"
        ),
        f"{index}_delete": f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        "fill": f"INSERT INTO {index}(rowid, {listed}) SELECT {pk}, {shown(table)} FROM {table}",
    }


def make_search_indexes(using, **kwargs):
    """
    post_migrate: on SQLite, make each index and its triggers where they are
    missing or differ, and fill that index from its table.
    """
    from django.db import connections, transaction

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = dict(cursor.fetchall())
    for name in SEARCHED_MODELS:
        model = apps.get_model("comparisons", name)
        wanted = definitions(model)
        fill = wanted.pop("fill")
        if any(existing.get(name) != sql for name, sql in wanted.items()):
            with transaction.atomic(using=using), connection.cursor() as cursor:
                for trigger in list(wanted)[1:]:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                cursor.execute(f"DROP TABLE IF EXISTS {index_table(model)}")
                for sql in wanted.values():
                    cursor.execute(sql)
                cursor.execute(fill)
