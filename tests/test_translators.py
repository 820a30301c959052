"""Translators: rights per language, translation status, the dashboard and the coverage command."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from comparisons.admin.dashboard import translation_work
from comparisons.models import Category, Comparison, ComparisonRow
from comparisons.phrases import cases_in
from comparisons.translation_status import MISSING, OUTDATED, UP_TO_DATE
from tests.helpers import PASSWORD, admin_url, bpo_vs_kpo, change, form_data, post_change_form, trilingual

ROLES = ["anonymous", "translator-uk", "translator-de", "editor", "superuser"]


# Expected outcome per role: True = allowed and done, False = refused and nothing changed.
MATRIX = {
    #                  view   own-lang  other-lang  structure  add    delete
    "anonymous": (False, False, False, False, False, False),
    "translator-uk": (True, True, False, False, False, False),
    "translator-de": (True, True, False, False, False, False),
    "editor": (True, True, True, True, True, True),
    "superuser": (True, True, True, True, True, True),
}
OWN = {"anonymous": "uk", "translator-uk": "uk", "translator-de": "de", "editor": "uk", "superuser": "de"}
OTHER = {"anonymous": "de", "translator-uk": "de", "translator-de": "uk", "editor": "de", "superuser": "uk"}


@pytest.mark.parametrize("role", ROLES)
def test_view(as_role, role):
    response = as_role(role).get(admin_url(type(bpo_vs_kpo()), "change", bpo_vs_kpo().pk))
    assert (response.status_code == 200) is MATRIX[role][0]


@pytest.mark.parametrize("role", ROLES)
def test_change_own_language_field(as_role, role):
    field = f"key_difference_{OWN[role]}"
    response = post_change_form(as_role(role), bpo_vs_kpo(), **{field: "New text."})
    assert (getattr(bpo_vs_kpo(), field) == "New text.") is MATRIX[role][1], response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_change_other_language_field_with_a_crafted_post(as_role, role):
    client = as_role(role)
    field = f"key_difference_{OTHER[role]}"
    response = post_change_form(client, bpo_vs_kpo(), **{field: "Crafted."})
    allowed = MATRIX[role][2]
    assert (getattr(bpo_vs_kpo(), field) == "Crafted.") is allowed
    if not allowed and role != "anonymous":
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "change",
    [
        lambda: (Category.objects.get(slug="bpo"), {"slug_de": "renamed"}),
        lambda: (
            Category.objects.get(slug="call-centre"),
            {"parent": str(Category.objects.get(slug="kpo").pk)},
        ),
        lambda: (bpo_vs_kpo(), {"is_published": ""}),
        lambda: (bpo_vs_kpo(), {"second": str(Category.objects.get(slug="ito").pk)}),
        lambda: (ComparisonRow.objects.order_by("pk").first(), {"order": "42"}),
    ],
    ids=["slug", "parent", "publication", "relation", "order"],
)
def test_change_structure(as_role, role, change):
    client = as_role(role)
    obj, changes = change()
    before = {key: getattr(obj, key if key not in ("parent", "second") else f"{key}_id") for key in changes}
    response = post_change_form(client, obj, **changes)
    obj.refresh_from_db()
    after = {key: getattr(obj, key if key not in ("parent", "second") else f"{key}_id") for key in changes}
    assert (after != before) is MATRIX[role][3], response.status_code
    if not MATRIX[role][3] and role != "anonymous":
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_add(as_role, role):
    client = as_role(role)
    url = reverse("admin:comparisons_attribute_add")
    response = client.post(
        url, {"slug": "new-attribute", **trilingual("label", "New"), "order": "9", "original_language": "en"}
    )
    from comparisons.models import Attribute

    assert Attribute.objects.filter(slug="new-attribute").exists() is MATRIX[role][4], response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_delete(as_role, role):
    client = as_role(role)
    row = ComparisonRow.objects.order_by("pk").first()
    client.post(reverse("admin:comparisons_comparisonrow_delete", args=[row.pk]), {"post": "yes"})
    assert (not ComparisonRow.objects.filter(pk=row.pk).exists()) is MATRIX[role][5]


@pytest.mark.parametrize("role", ["translator-uk", "translator-de"])
def test_translator_cannot_delete_inline_rows_with_a_crafted_post(as_role, role):
    client = as_role(role)
    obj = bpo_vs_kpo()
    rows = obj.rows.count()
    response = post_change_form(client, obj, **{"rows-0-DELETE": "on"})
    assert response.status_code == 403
    assert obj.rows.count() == rows


def test_translator_edits_inline_rows_in_their_language(as_role):
    client = as_role("translator-de")
    obj = bpo_vs_kpo()
    response = client.get(admin_url(type(obj), "change", obj.pk))
    data = form_data(response)
    assert "rows-0-first_value_de" in data
    assert "rows-0-first_value_uk" not in data
    data["rows-0-first_value_de"] = "Neuer Zeilenwert."
    assert client.post(admin_url(type(obj), "change", obj.pk), data).status_code == 302
    assert obj.rows.order_by("order", "pk").first().first_value_de == "Neuer Zeilenwert."


def test_translator_sees_the_original_beside_the_field(as_role):
    client = as_role("translator-de")
    obj = bpo_vs_kpo()
    html = client.get(admin_url(type(obj), "change", obj.pk)).content.decode()
    assert obj.key_difference_uk in html  # the original (Ukrainian) text
    assert 'name="key_difference_de"' in html
    assert 'name="key_difference_uk"' not in html


# Status transitions


def test_new_record_has_missing_translations(make_category):
    category = make_category("new", summary_uk="", summary_de=None)
    assert category.translation_status("summary", "uk") == MISSING
    assert category.translation_status("summary", "de") == MISSING
    assert category.translation_status("summary", "en") == UP_TO_DATE
    assert category.translation_status("name", "uk") == UP_TO_DATE


def test_editing_the_original_marks_the_others_outdated(db):
    obj = bpo_vs_kpo()  # written in Ukrainian
    obj.key_difference_uk += " Додано речення."
    obj.save()
    obj.refresh_from_db()
    assert obj.translation_status("key_difference", "uk") == UP_TO_DATE
    assert obj.translation_status("key_difference", "en") == OUTDATED
    assert obj.translation_status("key_difference", "de") == OUTDATED
    assert obj.translation_status("introduction", "de") == UP_TO_DATE


def test_saving_a_translation_makes_it_up_to_date(db):
    obj = bpo_vs_kpo()
    obj.key_difference_uk += " Додано речення."
    obj.save()
    obj.key_difference_de += " Satz ergänzt."
    obj.save()
    obj.refresh_from_db()
    assert obj.translation_status("key_difference", "de") == UP_TO_DATE
    assert obj.translation_status("key_difference", "en") == OUTDATED
    # The database answers the same (what the dashboard and the filters ask).
    assert Comparison.objects.up_to_date_in("de").filter(pk=obj.pk).exists()
    assert Comparison.objects.outdated_in("en").filter(pk=obj.pk).exists()


def test_status_survives_export_and_import(db, tmp_path):
    obj = bpo_vs_kpo()
    obj.conclusion_uk += " Нове."
    obj.save()
    before = {o.pk: o.translation_statuses() for o in Comparison.objects.all()}
    out = io.StringIO()
    call_command("dumpdata", "comparisons", stdout=out)
    path = tmp_path / "export.json"
    records = json.loads(out.getvalue())
    for record in records:  # dumpdata adds the untranslated base column too; keep the fixture explicit
        for key in [k for k in record["fields"] if k in ("key_difference", "introduction", "conclusion")]:
            record["fields"].pop(key)
    path.write_text(json.dumps(records))
    for model in (ComparisonRow, Comparison):
        model.objects.all().delete()
    call_command("loadcontent", str(path), verbosity=0)
    after = {o.pk: o.translation_statuses() for o in Comparison.objects.all()}
    assert after == before
    assert after[obj.pk][("conclusion", "de")] == OUTDATED


# Dashboard and filters


def test_dashboard_counts_match_the_fixtures(as_role):
    work = translation_work(["en", "uk", "de"])
    assert {
        code: {key: work[code][key] for key in (MISSING, OUTDATED, "records", "more", "drafts")}
        for code in work
    } == {
        code: {MISSING: 0, OUTDATED: 0, "records": [], "more": [], "drafts": []}
        for code in ("en", "uk", "de")
    }
    obj = bpo_vs_kpo()
    obj.key_difference_uk += " Додано."
    obj.save()
    change(Category.objects.filter(slug="ito"), summary_de="")
    work = translation_work(["uk", "de"])
    assert (work["uk"][MISSING], work["uk"][OUTDATED]) == (0, 0)
    assert (work["de"][MISSING], work["de"][OUTDATED]) == (1, 1)
    client = as_role("translator-de")
    html = client.get(reverse("translation_dashboard")).content.decode()
    assert f"{admin_url(type(obj), 'change', obj.pk)}?translate=key_difference_de" in html
    assert "?translate=summary_de" in html


def test_dashboard_link_highlights_the_field(as_role):
    client = as_role("translator-de")
    html = client.get(
        f"{admin_url(type(bpo_vs_kpo()), 'change', bpo_vs_kpo().pk)}?translate=key_difference_de"
    ).content.decode()
    assert 'class="translation-todo"' in html


def test_dashboard_is_refused_to_staff_without_a_language(client, db):
    user = get_user_model().objects.create_user("staff", password=PASSWORD, is_staff=True)
    client.force_login(user)
    assert client.get(reverse("translation_dashboard")).status_code == 403


def test_change_list_filters_outdated_in_a_language(as_role):
    obj = bpo_vs_kpo()
    obj.introduction_uk += " Додано."
    obj.save()
    client = as_role("editor")
    url = reverse("admin:comparisons_comparison_changelist")
    assert [c.pk for c in client.get(url, {"translation": "outdated-de"}).context["cl"].result_list] == [
        obj.pk
    ]
    assert list(client.get(url, {"translation": "outdated-uk"}).context["cl"].result_list) == []


# Coverage command


def test_coverage_of_the_seeded_content_is_complete(db):
    out = io.StringIO()
    call_command("translationcoverage", "--fail-under", "100", stdout=out)
    for code in ("en", "uk", "de"):
        assert any(
            line.startswith("all") and f" {code} " in f" {line} " and line.endswith("100.0%")
            for line in out.getvalue().splitlines()
        )


def test_coverage_below_the_threshold_fails(db):
    change(Category.objects.filter(slug="ito"), summary_de="")
    with pytest.raises(CommandError, match="de"):
        call_command("translationcoverage", "--fail-under", "100", stdout=io.StringIO())
    call_command("translationcoverage", "--fail-under", "99", stdout=io.StringIO())
    call_command("translationcoverage", "--fail-under", "100", "--language", "uk", stdout=io.StringIO())


# Readers


def test_outdated_translation_is_shown_with_a_discreet_note(client, db):
    obj = bpo_vs_kpo()
    obj.key_difference_uk += " Додано."
    obj.save()
    html = client.get("/de/bpo-vs-kpo/").content.decode()
    assert obj.key_difference_de.split("\n\n")[0] in html
    assert "outdated-note" in html
    assert "outdated-note" not in client.get("/uk/bpo-vs-kpo/").content.decode()


# Word forms of category names (comparisons/phrases.py)


def form_fields(html):
    return set(re.findall(r'name="((?:nominative|genitive|dative|accusative|instrumental)_[a-z]+)"', html))


def test_each_language_is_offered_the_word_forms_its_sentences_use(as_role):
    category = Category.objects.get(slug="call-centre")
    html = as_role("editor").get(admin_url(Category, "change", category.pk)).content.decode()
    expected = {f"{case}_{code}" for code in ("en", "uk", "de") for case in cases_in(code)}
    assert form_fields(html) == expected
    assert "nominative_en" in expected and "genitive_en" not in expected


def test_a_translator_writes_the_word_forms_of_their_language_only(as_role):
    category = Category.objects.get(slug="call-centre")
    client = as_role("translator-uk")
    html = client.get(admin_url(Category, "change", category.pk)).content.decode()
    assert form_fields(html) == {f"{case}_uk" for case in cases_in("uk")}
    response = post_change_form(client, category, instrumental_uk="кол-центром")
    assert response.status_code == 302
    response = post_change_form(client, category, dative_de="Callcenter")
    assert response.status_code == 403


def test_a_word_form_is_translated_from_the_name_in_a_sentence(db):
    category = Category.objects.get(slug="call-centre")  # written in German
    assert category.translation_status("instrumental", "uk") == UP_TO_DATE
    category.nominative_de = "Telefonzentrale"
    category.abbreviation_de = "Telefonzentrale"
    category.save()
    category.refresh_from_db()
    for case in cases_in("uk"):
        assert category.translation_status(case, "uk") == OUTDATED
    assert category.translation_status("nominative", "en") == OUTDATED
    assert Category.objects.outdated_in("uk").filter(pk=category.pk).exists()
    # The original language's other cases are made from its name in a sentence too.
    assert category.translation_status("nominative", "de") == UP_TO_DATE
    for case in set(cases_in("de")) - {"nominative"}:
        assert category.translation_status(case, "de") == OUTDATED
    assert Category.objects.outdated_in("de").filter(pk=category.pk).exists()
    category.dative_de = "Telefonzentrale"
    category.save()
    category.refresh_from_db()
    assert category.translation_status("dative", "de") == UP_TO_DATE


def test_only_the_forms_a_language_uses_are_missing(make_category):
    category = make_category("rpo", genitive_uk="", instrumental_uk=None, dative_de="", genitive_en="")
    assert set(category.missing_translations("uk")) == {"genitive", "instrumental"} & set(cases_in("uk"))
    assert set(category.missing_translations("de")) == {"dative"} & set(cases_in("de"))
    assert category.missing_translations("en") == []
    counts = Category.objects.filter(pk=category.pk).translation_counts(["en", "uk", "de"])
    assert counts["uk"][MISSING] == len({"genitive", "instrumental"} & set(cases_in("uk")))
    assert counts["en"][MISSING] == 0


def test_the_english_name_in_a_sentence_is_required(as_role):
    category = Category.objects.get(slug="call-centre")
    response = post_change_form(as_role("editor"), category, nominative_en="")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["nominative_en"]
    category.refresh_from_db()
    assert category.nominative_en == "call centre"
