"""
The termbase (models.Concept): editors keep it on every write path, it is
each language's own (no translation status), and readers' searches read
queries by it.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import translation
from reversion.models import Version

from comparisons import changes, page_keys
from comparisons.admin.dashboard import translation_work
from comparisons.models import Category, Concept
from comparisons.search_terms import QueryReading
from tests.helpers import (
    admin_url,
    change_url,
    form_data,
    make_user,
    post_change_form,
    signed_in,
    stale_pages,
    url,
)


def concept(term):
    return Concept.objects.get(term_en=term)


# Readers' searches -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "query", "found"),
    [
        ("uk", "колл-центр", "Кол-центр"),  # a forbidden variant
        ("uk", "call-центр", "Кол-центр"),
        ("de", "Anruf Center", "Callcenter"),  # the seeds' mistranslation
        ("de", "Call Center", "Callcenter"),
        ("de", "Beschäftigte", "Mitarbeiter"),
        ("uk", "співробітник", "працівник"),
        ("en", "vendor", "service provider"),  # a synonym
        ("uk", "аутсорс", "аутсорсинг"),
        ("de", "IT-Outsourcing", "ITO"),
    ],
)
def test_a_search_finds_a_term_by_what_readers_also_call_it(client, db, language, query, found):
    html = client.get(url("search", language), {"q": query}).content.decode()
    assert f"<mark>{found}</mark>".casefold() in html.casefold(), html
    assert f'value="{query}"' in html  # the query as typed


def test_a_term_is_read_in_the_readers_language_only(db):
    with translation.override("uk"):
        assert QueryReading.of_published().terms_for("колл-центр") == ["колл-центр", "кол-центр"]
    with translation.override("en"):
        # Another language's variant means nothing in English.
        assert QueryReading.of_published().terms_for("колл-центр") == ["колл-центр"]
        assert QueryReading.of_published().terms_for("vendor") == ["vendor", "service provider"]


def test_a_synonym_an_editor_adds_is_searched_at_once(client, db, django_capture_on_commit_callbacks):
    query = url("search", "en", query="?q=outsourcing+partner")
    assert "<mark>service provider</mark>" not in client.get(query).content.decode()
    provider = concept("service provider")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change_form(signed_in("editor"), provider, synonyms_en="vendor\noutsourcing partner")
    assert response.status_code == 302
    assert stale_pages(client, [query]) == []
    assert "<mark>service provider</mark>" in client.get(query).content.decode()


def test_a_change_of_the_termbase_touches_the_searches_only(db):
    assert page_keys.touched(Concept, 1, ["synonyms_uk"]) == {page_keys.TERMBASE}


# Who writes it, on every path ----------------------------------------------------------


@pytest.mark.parametrize("role", ["translator-uk", "translator-de"])
def test_a_translator_reads_the_termbase_but_cannot_change_it(db, role):
    client = signed_in(role)
    call_centre = concept("call centre")
    assert client.get(admin_url(Concept, "changelist")).status_code == 200
    assert client.get(change_url(call_centre)).status_code == 200
    language = role.removeprefix("translator-")
    response = client.post(change_url(call_centre), {f"forbidden_{language}": ""})
    assert response.status_code == 403
    assert concept("call centre").forbidden_uk == "колл-центр\ncall-центр"


def test_a_translators_shell_write_is_refused(db):
    call_centre = concept("call centre")
    call_centre.forbidden_de = ""
    with changes.acting_as(make_user("translator-de")), pytest.raises(PermissionDenied):
        call_centre.save()
    assert concept("call centre").forbidden_de


def test_a_translator_cannot_delete_a_concept_from_the_list(db):
    payroll = concept("payroll")
    signed_in("translator-uk").post(
        admin_url(Concept, "changelist"),
        {"action": "delete_selected", "_selected_action": [payroll.pk], "post": "yes"},
    )
    assert Concept.objects.filter(pk=payroll.pk).exists()


def test_an_editors_change_is_in_the_history_and_can_be_reverted(
    client, db, django_capture_on_commit_callbacks
):
    editor = signed_in("superuser")
    provider = concept("service provider")
    seeded = Version.objects.get_for_object(provider).count()
    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(editor, provider, synonyms_en="supplier")
    versions = list(Version.objects.get_for_object(provider))  # the newest first
    assert len(versions) == seeded + 1 and versions[0].revision.user.username == "root"
    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(editor, provider, synonyms_en="contractor")
    revert = admin_url(Concept, "revision", provider.pk, versions[0].pk)
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(revert, form_data(editor.get(revert)))
    assert concept("service provider").synonyms_en == "supplier"
    query = url("search", "en", query="?q=supplier")
    assert stale_pages(client, [query]) == []


# What an entry may say -----------------------------------------------------------------


def test_a_preferred_form_cannot_be_forbidden_in_the_admin(db):
    editor = signed_in("editor")
    call_centre = concept("call centre")
    # The category's word forms are the concept's own: its genitive too.
    response = post_change_form(editor, call_centre, forbidden_uk="колл-центр\nкол-центру")
    assert response.status_code == 200
    assert "“кол-центру” is the preferred term or one of its forms" in response.content.decode()
    assert concept("call centre").forbidden_uk == "колл-центр\ncall-центр"


def test_a_scripts_save_is_held_to_the_same_rules(db):
    employee = concept("employee")
    employee.forbidden_de = "Beschäftigte\nMitarbeitern"
    with pytest.raises(ValidationError) as refused:
        employee.save()
    assert "forbidden_de" in refused.value.message_dict
    employee = concept("employee")
    employee.forbidden_en = "x" * 121
    with pytest.raises(ValidationError):
        employee.save()


def test_a_category_the_termbase_names_is_not_deleted_behind_its_back(db):
    with pytest.raises(ProtectedError):
        Category.objects.get(slug="ito").delete()
    assert Category.objects.filter(slug="ito").exists() and concept("ITO").category.slug == "ito"


def test_the_termbase_is_no_translation_work(db):
    work = translation_work(["en", "uk", "de"])
    assert not any(record["model"] == "concept" for code in work for record in work[code]["records"])
    assert Concept.text_fields() == ()
    assert changes.writable_fields(make_user("translator-uk"), Concept) == set()
