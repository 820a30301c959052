"""
SQLite's full-text index of what readers search: an FTS5 table with the
trigram tokenizer beside each searched table (SQLite 3.34 or later).

SearchableQuerySet.search() looks for each term inside the text a reader sees,
a field in the reader's language or in English where that one is empty (the
rule of TranslatedFields.text_in and models.shown_text). On PostgreSQL a
trigram index on each such expression serves it (migration 0005). SQLite has
no index for LIKE '%term%' and reads every row through a Python lower(): 0.2
to 0.8 s a search at 100,000 comparisons. Its FTS5 trigram tokenizer finds a
substring of three characters or more, in any case (Unicode case folding),
from the index. So <table>_search holds, for each record (same rowid), one
column per searched field and language: the text shown in that language.

The database keeps it current with triggers on insert, update and delete, so
that every write (the write path, bulk_create, SQL of its own, an import) is
indexed. They are dropped before a migration of this app and made again after
it, the indexes filled anew, rather than in a migration: SQLite copies a table
to alter it, which drops its triggers, and refuses to drop a column a trigger
names. Where an index is defined otherwise (another field or language
searched), it is made anew too.
"""

from django.apps import apps as global_apps
from django.conf import settings
from django.db import connections, router, transaction

SEARCHED_MODELS = ("Category", "CategoryItem", "Comparison")


def index_table(model):
    return f"{model._meta.db_table}_search"


def match_expression(model, language, terms):
    """FTS5's query for records whose text in ``language`` contains one of the terms, taken literally."""
    fields = model._default_manager.all().search_fields
    columns = " ".join(f"{field}_{language}" for field in fields)
    # A string holds no NUL: a name imported with one is searched without it.
    strings = " OR ".join('"{}"'.format(term.replace("\x00", "").replace('"', '""')) for term in terms)
    return f"{{{columns}}} : ({strings})"


def matching(model, language, terms, first=None):
    """SQL and parameters for the keys of the records that match, in key order (the first so many)."""
    index = index_table(model)
    sql = f"SELECT rowid FROM {index} WHERE {index} MATCH %s ORDER BY rowid"
    params = [match_expression(model, language, terms)]
    if first is not None:
        sql, params = f"{sql} LIMIT %s", [*params, first]
    return sql, params


def index_columns(model):
    """Each searched field in each language: the table's columns the index reads, and its own."""
    fields = model._default_manager.all().search_fields
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


def definitions(model):
    """(triggers, fill): the CREATE statements of the index and its triggers as sqlite_master keeps them."""
    table, index = model._meta.db_table, index_table(model)
    pk = model._meta.pk.column
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    fields = model._default_manager.all().search_fields
    listed = ", ".join(index_columns(model))

    def shown(row):
        return ", ".join(
            f"coalesce(nullif({row}.{field}_{code}, ''), {row}.{field}_{default}, '')"
            for field in fields
            for code, _name in settings.LANGUAGES
        )

    add = f"INSERT INTO {index}(rowid, {listed}) VALUES (new.{pk}, {shown('new')});"
    remove = f"DELETE FROM {index} WHERE rowid = old.{pk};"
    made = {
        index: f"CREATE VIRTUAL TABLE {index} USING fts5({listed}, tokenize='trigram')",
        f"{index}_insert": f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"{index}_update": (
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {pk}, {listed} ON {table} "
            f"BEGIN {remove} {add} END"
        ),
        f"{index}_delete": f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
    }
    fill = f"INSERT INTO {index}(rowid, {listed}) SELECT {pk}, {shown(table)} FROM {table}"
    return made, fill


def searched_models(using):
    """The searched models this database holds (the router's say)."""
    models = [global_apps.get_model("comparisons", name) for name in SEARCHED_MODELS]
    return [model for model in models if router.allow_migrate_model(using, model)]


TRIGGERS = ("insert", "update", "delete")


def drop_triggers(cursor, quote_name):
    """Every search index's triggers, by their names' pattern (also those of a table since renamed)."""
    patterns = " OR ".join(f"name GLOB '*_search_{trigger}'" for trigger in TRIGGERS)
    cursor.execute(f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND ({patterns})")
    for (trigger,) in cursor.fetchall():
        cursor.execute(f"DROP TRIGGER {quote_name(trigger)}")


def drop_search_triggers(sender, using, plan, **kwargs):
    """
    pre_migrate: before a migration of this app on SQLite, drop the triggers
    (made again after, and the indexes refilled). The indexes stay, so that
    search keeps working meanwhile, and after a migration that fails.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or not any(m.app_label == sender.label for m, _back in plan or ()):
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        drop_triggers(cursor, connection.ops.quote_name)


def out_of_date(using):
    """(model, whether its table is there) of each searched model whose index is not as defined."""
    return [(model, table_is_there) for model, table_is_there, _existing in differing(using)]


def differing(using):
    """
    (model, whether its table is there, sqlite_master's statements) of each
    model whose index differs: missing, defined otherwise, or left without
    its table. A table without a column the model searches (code rolled
    forward or back of its migrations) is "not there": nothing can be made.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = dict(cursor.fetchall())
        for model in searched_models(using):
            made, _fill = definitions(model)
            table = model._meta.db_table
            if all(existing.get(name) == sql for name, sql in made.items()):
                continue
            table_is_there = False
            if table in existing:
                cursor.execute("SELECT name FROM pragma_table_info(%s)", [table])
                table_is_there = set(index_columns(model)) <= {name for (name,) in cursor.fetchall()}
            if table_is_there or index_table(model) in existing:
                yield model, table_is_there, existing


def make_search_indexes(sender, using, **kwargs):
    """
    post_migrate: on SQLite, make each index and its triggers where they are
    missing or differ, and fill that index anew from its table (writes made
    without the triggers are in it then); where the table is not there (this
    app not migrated, or migrated to zero), drop them.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    for model, table_is_there, existing in list(differing(using)):
        made, fill = definitions(model)
        index = index_table(model)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {index}_{trigger}")
            if not table_is_there or existing.get(index) != made[index]:
                cursor.execute(f"DROP TABLE IF EXISTS {index}")
            if table_is_there:
                for name, sql in made.items():
                    if name != index or existing.get(index) != sql:
                        cursor.execute(sql)
                cursor.execute(f"DELETE FROM {index}")
                cursor.execute(fill)
