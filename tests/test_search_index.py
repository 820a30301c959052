"""
The search's indexes (SQLite's FTS5 tables, search_index.py; PostgreSQL's
trigram indexes): what they find is what a reader sees, whichever way a text
was written, on both databases.
"""

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations import Migration
from django.utils.translation import override

from comparisons import models, search_index
from comparisons.changes import change_set
from comparisons.models import Category, CategoryItem, Comparison
from tests.helpers import url

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the FTS5 tables are SQLite's")


def found(model, language, *terms):
    with override(language):
        return set(model.objects.search(*terms).values_list("pk", flat=True))


def test_a_term_is_found_inside_the_text_shown_in_the_language_in_any_case(make_category):
    rpo = make_category(
        "rpo",
        summary_en="Handled by the Finance department",
        summary_uk="",
        summary_de="Von der Finanzabteilung erledigt",
    )
    assert found(Category, "en", "NCE DEP") == {rpo.pk}
    # Ukrainian has no summary: the reader sees the English one, and finds it.
    assert found(Category, "uk", "finance") == {rpo.pk}
    # German has its own: the English one is not what a German reader sees.
    assert found(Category, "de", "finance") == set()
    assert found(Category, "de", "ABTEILUNG", "nowhere") == {rpo.pk}
    assert found(Category, "de", "") == set()


def test_a_term_with_quotes_or_operators_is_searched_as_written(make_category):
    rpo = make_category("rpo", summary_en='The "near" AND (far) OR * column: text')
    assert found(Category, "en", '"near" AND') == {rpo.pk}
    assert found(Category, "en", "(far) OR *") == {rpo.pk}
    assert found(Category, "en", "column: text") == {rpo.pk}
    assert found(Category, "en", "NEAR(far)") == set()


def test_terms_shorter_than_three_characters_are_not_searched(make_category):
    qxv = make_category("qxv")
    assert found(Category, "en", "qx") == set()
    assert found(Category, "en", "qx", "qxv") == {qxv.pk}


def test_every_way_of_writing_keeps_the_index_current(make_comparison, make_category):
    """A save, a change, a bulk insert, SQL of its own and a delete: the database indexes each."""
    first, second = make_category("rpo"), make_category("hro")
    comparison = make_comparison(first, second, introduction_en="Payroll runs monthly.")
    assert found(Comparison, "en", "payroll") == {comparison.pk}

    comparison.introduction_en = "Salaries are paid monthly."
    comparison.save()
    assert found(Comparison, "en", "payroll") == set()
    assert found(Comparison, "uk", "salaries") == set()  # the Ukrainian text is its own
    assert found(Comparison, "en", "salaries") == {comparison.pk}

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Comparison._meta.db_table} SET introduction_uk = '' WHERE id = %s", [comparison.pk]
        )
    assert found(Comparison, "uk", "salaries") == {comparison.pk}

    ledger = CategoryItem(
        category=first, kind="service", name_en="Ledger keeping", source=comparison.sources.get()
    )
    with change_set(reason="An import", importing=True):
        [item] = CategoryItem.objects.bulk_create([ledger])
    assert found(CategoryItem, "de", "ledger") == {item.pk}

    comparison.delete()
    item.delete()
    assert found(Comparison, "en", "salaries") == found(CategoryItem, "en", "ledger") == set()


@pytest.mark.parametrize("language", ["en", "uk", "de"])
@pytest.mark.parametrize("model", [Category, CategoryItem, Comparison])
def test_the_index_finds_in_the_seeds_what_a_reader_sees_in_them(db, model, language):
    """The seeds, loaded by loadcontent: found exactly where the shown text holds the term."""
    fields = model.objects.all().search_fields
    for term in (
        "kpo",
        "call",
        "центр",
        "ЦЕНТР",
        "dienst",
        "DIENST",
        "outsourcing",
        "große",
        "GROẞE",
        "ßen",
    ):
        expected = {
            record.pk
            for record in model.objects.all()
            if any(term.lower() in record.text_in(field, language)[0].lower() for field in fields)
        }
        assert found(model, language, term) == expected, term
    if language == "de" and model is Category:
        assert found(model, language, "GROẞE")  # the seeds have the word: the test reads something
    assert found(model, language, "kpo", "центр") == found(model, language, "kpo") | found(
        model, language, "центр"
    )


@sqlite_only
def test_an_index_whose_triggers_a_migration_dropped_is_made_again_and_refilled(make_category):
    """SQLite copies a table to alter it, and drops its triggers: the next migrate puts them back."""
    rpo = make_category("rpo")
    index = search_index.index_table(Category)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {index}_update")
        cursor.execute(f"DELETE FROM {index}")
        cursor.execute(
            f"UPDATE {Category._meta.db_table} SET summary_en = 'Recruitment' WHERE id = %s", [rpo.pk]
        )
    assert found(Category, "en", "recruitment") == set()

    call_command("migrate", verbosity=0)

    assert found(Category, "en", "recruitment") == {rpo.pk}
    assert found(Category, "en", "bpo")  # the whole table, not only the row changed
    Category.objects.filter(pk=rpo.pk).first().save()
    assert found(Category, "en", "recruitment") == {rpo.pk}


@sqlite_only
def test_check_database_warns_of_a_missing_trigger_until_migrate(db):
    assert not [m for m in run_checks(databases=["default"]) if m.id == "comparisons.W003"]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.index_table(Comparison)}_delete")
    [warning] = [m for m in run_checks(databases=["default"]) if m.id == "comparisons.W003"]
    assert "comparisons_comparison_search" in warning.msg
    search_index.make_search_indexes(sender=None, using="default")
    assert not [m for m in run_checks(databases=["default"]) if m.id == "comparisons.W003"]


@sqlite_only
def test_an_index_as_defined_is_left_as_it_is(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        search_index.make_search_indexes(sender=None, using="default")


@sqlite_only
def test_a_migration_of_the_app_drops_the_triggers_and_migrate_makes_them_again(make_category):
    """
    Dropped first, SQLite may copy a table or drop a column a trigger names;
    made after, and the index filled anew. Search works throughout.
    """
    rpo = make_category("rpo", summary_en="Recruitment")
    triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name GLOB '*_search_*'"

    def count_triggers():
        with connection.cursor() as cursor:
            cursor.execute(triggers)
            return cursor.fetchone()[0]

    emit_pre_migrate_signal(0, False, "default", plan=[(Migration("0099_any", "auth"), False)])
    assert count_triggers() == 9  # another app's migration leaves them
    emit_pre_migrate_signal(0, False, "default", plan=[(Migration("0099_any", "comparisons"), False)])
    assert count_triggers() == 0
    assert found(Category, "en", "recruitment") == {rpo.pk}
    with connection.cursor() as cursor:  # as a migration's own SQL writes
        cursor.execute(
            f"UPDATE {Category._meta.db_table} SET summary_en = 'Quixotry' WHERE id = %s", [rpo.pk]
        )
    assert found(Category, "en", "quixotry") == set()
    emit_post_migrate_signal(0, False, "default")
    assert count_triggers() == 9
    assert found(Category, "en", "quixotry") == {rpo.pk} and found(Category, "en", "recruitment") == set()


@sqlite_only
def test_without_its_table_an_index_is_dropped_not_made(db):
    """A database where the app is not migrated (or migrated to zero): migrate makes no trigger on nothing."""
    table = CategoryItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    assert search_index.out_of_date("default") == [(CategoryItem, False)]
    assert not [m for m in run_checks(databases=["default"]) if m.id == "comparisons.W003"]
    search_index.make_search_indexes(sender=None, using="default")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [f"{table}_search%"])
        assert cursor.fetchall() == []
        cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")
    search_index.make_search_indexes(sender=None, using="default")
    assert found(CategoryItem, "en", "billing")


@sqlite_only
def test_an_index_defined_otherwise_is_made_anew(make_category):
    """Another field or language searched: the index is made again with its columns, and filled."""
    rpo = make_category("rpo", summary_en="Recruitment")
    index = search_index.index_table(Category)
    with connection.cursor() as cursor:
        for trigger in search_index.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {index}_{trigger}")
        cursor.execute(f"DROP TABLE {index}")
        cursor.execute(f"CREATE VIRTUAL TABLE {index} USING fts5(name_en, tokenize='trigram')")
    assert search_index.out_of_date("default") == [(Category, True)]
    search_index.make_search_indexes(sender=None, using="default")
    assert search_index.out_of_date("default") == []
    assert found(Category, "en", "recruitment") == {rpo.pk}


def test_too_short_a_query_is_a_400_saying_so_in_the_readers_language(client, db):
    response = client.get(url("search", "uk"), {"q": "ab"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Введіть щонайменше 3 символи." in html and 'value="ab"' in html


def test_an_abbreviation_of_two_letters_finds_what_its_name_finds(client, make_category):
    make_category("hr", name_en="Human resources outsourcing")
    response = client.get(url("search", "en"), {"q": "HR"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Human resources outsourcing</mark>" in html
    assert "Also searched for: “Human resources outsourcing”." in html
    # Two letters are not searched, so not marked either (they are in "through", "three", …).
    assert "<mark>hr" not in html.lower()


def test_a_query_typed_with_combining_marks_finds_what_the_composed_one_does(client, db):
    composed, decomposed = "інформаційних", "інформаціи\u0306них"
    assert composed != decomposed
    pages = [
        client.get(url("search", "uk"), {"q": query}).content.decode() for query in (composed, decomposed)
    ]
    assert "<mark>" in pages[0] and pages[0].count("<mark>") == pages[1].count("<mark>")
    assert "нічого не знайдено" not in pages[1]  # found as typed, not read as a typo


@sqlite_only
def test_a_name_imported_with_a_nul_is_searched_without_it(make_category):
    nul = make_category("nulx", name_en="Nul\x00name")
    assert found(Category, "en", "Nul\x00name", "nulx") == {nul.pk}


def test_the_first_found_are_the_first_by_key_even_behind_many_unpublished(
    make_comparison, make_category, monkeypatch
):
    """found_first() reads the first matches alone, and all of them where those are not published."""
    monkeypatch.setattr(models, "MATCHES_READ", 2)
    categories = [make_category(slug) for slug in ("qxa", "qxb", "qxc")]
    pairs = [(categories[0], categories[1]), (categories[0], categories[2]), (categories[1], categories[2])]
    made = [make_comparison(*pair, key_difference_en="Quixotic pricing.") for pair in pairs]
    published = Comparison.objects.published()
    with override("en"):
        assert published.found_first(["quixotic"], 2) == made[:2]
        for comparison in made[:2]:
            comparison.is_published = False
            comparison.save()
        assert published.found_first(["quixotic"], 2) == made[2:]
        assert published.found_first(["qu"], 2) == []
