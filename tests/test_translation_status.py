"""
Translation status asked of the database: missing_in, outdated_in and the
counts agree with each record's own translation_status(), on every write path,
and the dashboard, the change-list filter and the coverage command ask in a
fixed number of queries however much content there is.
"""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comparisons import changes
from comparisons.admin import dashboard
from comparisons.changes import translated_models
from comparisons.models import Attribute, Category, CategoryItem, Comparison, ComparisonRow, Source
from comparisons.translation_status import MACHINE, MISSING, OUTDATED, REVIEWED, UP_TO_DATE, fingerprint
from tests.helpers import bpo_vs_kpo, make_user, trilingual

CONTENT_MODELS = translated_models()
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def statuses_in_python(model):
    """{pk: {(field, language): status}} as each record tells it itself."""
    return {obj.pk: obj.translation_statuses() for obj in model._default_manager.all()}


def pks(queryset):
    return set(queryset.values_list("pk", flat=True))


def with_state(statuses, language, state):
    return {
        pk: None
        for pk, record in statuses.items()
        if any(s == state for (_field, code), s in record.items() if code == language)
    }.keys()


def assert_database_agrees(model):
    statuses = statuses_in_python(model)
    manager = model._default_manager
    for code in LANGUAGES:
        assert pks(manager.missing_in(code)) == set(with_state(statuses, code, MISSING)), (model, code)
        assert pks(manager.outdated_in(code)) == set(with_state(statuses, code, OUTDATED)), (model, code)
        up_to_date = {
            pk
            for pk, record in statuses.items()
            if all(s == UP_TO_DATE for (_f, c), s in record.items() if c == code)
        }
        assert pks(manager.up_to_date_in(code)) == up_to_date, (model, code)
    complete = {pk for pk, record in statuses.items() if set(record.values()) == {UP_TO_DATE}}
    assert pks(manager.complete()) == complete, model
    tallies = {code: {UP_TO_DATE: 0, MISSING: 0, OUTDATED: 0, REVIEWED: 0} for code in LANGUAGES}
    records = {obj.pk: obj for obj in manager.all()}
    for pk, record in statuses.items():
        for (field, code), state in record.items():
            tallies[code][state] += 1
            tallies[code][REVIEWED] += state == UP_TO_DATE and not records[pk].needs_review(field, code)
    assert manager.translation_counts(LANGUAGES) == tallies, model
    for code in LANGUAGES:
        unreviewed = {
            pk
            for pk, obj in records.items()
            if any(obj.needs_review(field, code) for field in model.translated_fields_in(code))
        }
        assert pks(manager.unreviewed_in(code)) == unreviewed, (model, code)
        to_review = {
            pk
            for pk, obj in records.items()
            if any(
                obj.needs_review(field, code) and statuses[pk][field, code] == UP_TO_DATE
                for field in model.translated_fields_in(code)
            )
        }
        assert pks(manager.to_review_in(code)) == to_review, (model, code)
        machine = {
            pk
            for pk, obj in records.items()
            if any(
                obj.needs_review(field, code) and obj.credit(field, code)["origin"] == MACHINE
                for field in model.translated_fields_in(code)
            )
        }
        assert pks(manager.machine_translated_in(code)) == machine, (model, code)


def translation_languages_other_than(obj, *excluded):
    return [code for code in LANGUAGES if code not in {obj.original_language, "en", *excluded}]


def make_work():
    """
    In every content model, an original edited in one record (its translations
    turn outdated) and a translation emptied in another (missing), whatever the seeds hold.
    """
    for model in CONTENT_MODELS:
        first, second, *_rest = model._default_manager.order_by("pk")
        field = next(f for f in model.text_fields() if getattr(first, f"{f}_{first.original_language}"))
        original = f"{field}_{first.original_language}"
        setattr(first, original, getattr(first, original) + " Edited.")
        first.save()
        emptied = translation_languages_other_than(second)[0]
        setattr(second, f"{field}_{emptied}", "")
        second.save()


def test_the_database_agrees_with_each_record_on_the_seeds(db):
    for model in CONTENT_MODELS:
        assert_database_agrees(model)


def make_work_in_word_forms_and_titles():
    """The fields that count per language (word forms) or only where written (a title)."""
    bpo = Category.objects.get(slug="bpo")  # written in Ukrainian
    bpo.nominative_uk = "BPO-процес"  # every other form, Ukrainian ones too, is made from it
    bpo.genitive_uk = ""
    bpo.save()
    comparison = bpo_vs_kpo()  # written in Ukrainian
    comparison.title_uk = "BPO чи KPO: у чому різниця"
    comparison.title_de = "Ein Titel ohne Original"
    comparison.save()


def test_the_database_agrees_with_each_record_after_edits(db):
    make_work()
    make_work_in_word_forms_and_titles()
    bpo = Category.objects.get(slug="bpo")
    assert bpo.translation_status("accusative", "uk") == OUTDATED
    assert bpo.translation_status("genitive", "uk") == MISSING
    assert bpo_vs_kpo().translation_status("title", "en") == MISSING
    for model in CONTENT_MODELS:
        assert model._default_manager.exclude(outdated_translations={}).exists(), model
        assert_database_agrees(model)


def test_editing_an_original_makes_its_translations_outdated_in_the_database(db):
    obj = bpo_vs_kpo()  # written in Ukrainian
    assert obj.pk not in pks(Comparison.objects.outdated_in("de"))
    obj.key_difference_uk += " Додано речення."
    obj.save()
    assert obj.pk in pks(Comparison.objects.outdated_in("de"))
    assert obj.pk in pks(Comparison.objects.outdated_in("en"))
    assert obj.pk not in pks(Comparison.objects.outdated_in("uk"))
    assert obj.pk not in pks(Comparison.objects.complete())


def test_an_emptied_translation_is_missing_not_outdated(db):
    obj = bpo_vs_kpo()
    obj.key_difference_uk += " Додано речення."
    obj.key_difference_de = None
    obj.save()
    assert obj.pk in pks(Comparison.objects.missing_in("de"))
    assert obj.pk not in pks(Comparison.objects.outdated_in("de"))


def outdated_everywhere():
    return {
        model: dict(model._default_manager.values_list("pk", "outdated_translations"))
        for model in CONTENT_MODELS
    }


def test_an_import_works_out_the_status_again(db, tmp_path):
    make_work()
    before = outdated_everywhere()
    call_command("exportcontent", str(tmp_path), verbosity=0)
    assert "outdated_translations" not in "".join(p.read_text() for p in tmp_path.glob("*.json"))
    for model in CONTENT_MODELS:  # forget it: the import must find it again, not read it
        model._base_manager.update(outdated_translations={})
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert outdated_everywhere() == before
    for model in CONTENT_MODELS:
        assert_database_agrees(model)


def test_a_raw_fixture_load_ignores_a_stored_status_and_works_it_out(db, tmp_path):
    obj = bpo_vs_kpo()
    obj.conclusion_uk += " Нове."
    obj.save()
    out = io.StringIO()
    call_command("dumpdata", "comparisons.comparison", stdout=out)
    records = json.loads(out.getvalue())
    for record in records:
        for name in ("key_difference", "introduction", "conclusion"):
            record["fields"].pop(
                name, None
            )  # the untranslated base column would load into the active language
        record["fields"]["outdated_translations"] = {"introduction_en": True}  # wrong on purpose
    path = tmp_path / "comparisons.json"
    path.write_text(json.dumps(records))
    call_command("loaddata", str(path), verbosity=0)
    assert Comparison.objects.get(pk=obj.pk).outdated_translations == {
        "conclusion_en": True,
        "conclusion_de": True,
    }
    assert_database_agrees(Comparison)


def test_a_bulk_import_works_out_the_status(db):
    comparison = bpo_vs_kpo()
    row = ComparisonRow(
        comparison=comparison,
        attribute=Attribute.objects.exclude(rows__comparison=comparison).first(),
        source=Source.objects.first(),
        order=99,
        **trilingual("first_value", "new"),
        **trilingual("second_value", "new"),
        translated_from={"first_value": {"uk": fingerprint("older"), "de": fingerprint("new")}},
    )
    with changes.change_set(importing=True):
        ComparisonRow.objects.bulk_create([row])
    assert pks(ComparisonRow.objects.outdated_in("uk")) == {row.pk}
    assert_database_agrees(ComparisonRow)


# A fixed number of queries however much content there is


@pytest.fixture
def grow(db, make_category, make_comparison, source):
    """Add ``n`` categories, each with an item and a comparison with rows, some text missing or outdated."""
    made = []

    def add(n):
        with changes.change_set(reason="More content"):  # one unit of work, as a script's should be
            add_records(n)

    def add_records(n):
        bpo = Category.objects.get(slug="bpo")
        for _index in range(n):
            category = make_category(f"grown-{len(made)}", summary_de="")
            CategoryItem.objects.create(
                category=category,
                kind="service",
                source=source,
                **{**trilingual("name", "Item"), "name_uk": ""},
            )
            comparison = make_comparison(category, bpo, rows=2)
            comparison.introduction_en += " Edited."
            comparison.save()
            row = comparison.rows.first()
            row.first_value_en += " Edited."
            row.save()
            made.append(category)

    return add


def count_queries(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_the_dashboard_makes_a_fixed_number_of_queries(client, grow):
    client.force_login(make_user("translator-de"))
    url = reverse("translation_dashboard")
    client.get(url)
    grow(2)
    small = count_queries(lambda: client.get(url))
    grow(8)
    large = count_queries(lambda: client.get(url))
    assert small == large, (small, large)
    assert client.get(url).content.decode().count("?translate=introduction_de") == 10


FILTER_VALUES = ["missing-de", *(f"outdated-{code}" for code in LANGUAGES), "complete"]


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_the_status_filter_makes_a_fixed_number_of_queries(client, grow, model):
    client.force_login(make_user("editor"))
    url = reverse(f"admin:comparisons_{model._meta.model_name}_changelist")

    def queries_per_value():
        return {
            value: count_queries(lambda v=value: client.get(url, {"translation": v}))
            for value in FILTER_VALUES
        }

    grow(2)
    small = queries_per_value()
    grow(8)
    assert queries_per_value() == small
    for value in FILTER_VALUES:
        status, _sep, code = value.partition("-")
        expected = (
            model.objects.complete() if value == "complete" else getattr(model.objects, f"{status}_in")(code)
        )
        listed = client.get(url, {"translation": value}).context["cl"].result_list
        assert {obj.pk for obj in listed} == pks(expected), value


def coverage_lines():
    out = io.StringIO()
    call_command("translationcoverage", stdout=out)
    return out.getvalue().splitlines()


def test_the_coverage_command_makes_a_query_per_model(grow):
    grow(2)
    assert count_queries(coverage_lines) == len(CONTENT_MODELS)
    grow(8)
    assert count_queries(coverage_lines) == len(CONTENT_MODELS)


def test_the_coverage_command_counts_what_each_record_says(db):
    make_work()
    reported = {}
    for line in coverage_lines()[1:]:
        name, code, up_to_date, missing, outdated, reviewed, _coverage = line.split()
        reported[name, code] = {
            UP_TO_DATE: int(up_to_date),
            MISSING: int(missing),
            OUTDATED: int(outdated),
            REVIEWED: int(reviewed),
        }
    totals = {code: {UP_TO_DATE: 0, MISSING: 0, OUTDATED: 0, REVIEWED: 0} for code in LANGUAGES}
    for model in CONTENT_MODELS:
        tallies = {code: {UP_TO_DATE: 0, MISSING: 0, OUTDATED: 0, REVIEWED: 0} for code in LANGUAGES}
        records = {obj.pk: obj for obj in model._default_manager.all()}
        for pk, record in statuses_in_python(model).items():
            for (field, code), state in record.items():
                reviewed = state == UP_TO_DATE and not records[pk].needs_review(field, code)
                for counts in (tallies[code], totals[code]):
                    counts[state] += 1
                    counts[REVIEWED] += reviewed
        for code in LANGUAGES:
            assert reported[model._meta.model_name, code] == tallies[code]
    for code in LANGUAGES:
        assert reported["all", code] == totals[code]
    assert any(counts[OUTDATED] for counts in reported.values())
    assert any(counts[MISSING] for counts in reported.values())


def test_the_dashboard_lists_a_bounded_number_and_links_the_rest(client, grow, monkeypatch):
    monkeypatch.setattr(dashboard, "LISTED", 3)
    grow(5)
    client.force_login(make_user("translator-de"))
    html = client.get(reverse("translation_dashboard")).content.decode()
    assert html.count("?translate=introduction_de") == 3
    changelist = reverse("admin:comparisons_comparison_changelist")
    assert f"{changelist}?translation=outdated-de" in html
    assert "Only the first 3 are listed here." in html
