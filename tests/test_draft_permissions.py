"""Who may start, save, preview, translate, publish and discard a draft, on every path."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from comparisons import drafts
from comparisons.models import Comparison, ComparisonRow, Draft
from tests.helpers import (
    DRAFT_TEXT,
    PASSWORD,
    admin_url,
    bpo_vs_kpo,
    change_url,
    form_data,
    make_user,
    post_change_form,
    preview_url,
    signed_in,
)

ROLES = ["anonymous", "viewer", "translator-uk", "editor", "superuser"]


MATRIX = {
    "anonymous": (False, False, False, False, False),
    "viewer": (False, True, False, False, False),
    "translator-uk": (False, True, True, False, False),
    "editor": (True, True, True, True, True),
    "superuser": (True, True, True, True, True),
}


def sign_in(client, role):
    if role == "anonymous":
        client.logout()
        return client
    existing = get_user_model().objects.filter(username="root" if role == "superuser" else role).first()
    if existing is not None:
        user = existing
    elif role == "viewer":
        user = get_user_model().objects.create_user("viewer", "v@example.com", PASSWORD, is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_comparison"))
    else:
        user = make_user(role)
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_a_draft(editor_client, client, role):
    comparison = bpo_vs_kpo()
    client = sign_in(type(client)(), role)
    post_change_form(client, comparison, key_difference_uk="Чернетка", _draft="1")
    assert (Draft.objects.for_record(Comparison, comparison.pk) is not None) is MATRIX[role][0]
    assert bpo_vs_kpo().key_difference_uk != "Чернетка"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_preview(drafted, client, role):
    comparison, _attribute = drafted
    response = sign_in(type(client)(), role).get(preview_url(comparison, "uk"))
    assert (response.status_code == 200) is MATRIX[role][1]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_translate_a_draft(drafted, client, role):
    comparison, _attribute = drafted
    client = sign_in(type(client)(), role)
    post_change_form(client, comparison, key_difference_uk="Перекладено в чернетці", _continue="1")
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert (draft.records[0]["fields"]["key_difference_uk"] == "Перекладено в чернетці") is MATRIX[role][2]
    assert bpo_vs_kpo().key_difference_uk != "Перекладено в чернетці"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_publish(drafted, client, role):
    comparison, _attribute = drafted
    client = sign_in(type(client)(), role)
    post_change_form(client, comparison, _publish="1")
    client.post(
        admin_url(Comparison, "changelist"), {"action": "publish_drafts", "_selected_action": [comparison.pk]}
    )
    assert (bpo_vs_kpo().key_difference_en == DRAFT_TEXT) is MATRIX[role][3]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_discard(drafted, client, role):
    comparison, _attribute = drafted
    client = sign_in(type(client)(), role)
    client.post(admin_url(Comparison, "discard_draft", comparison.pk))
    client.post(
        admin_url(Comparison, "changelist"), {"action": "discard_drafts", "_selected_action": [comparison.pk]}
    )
    assert (Draft.objects.for_record(Comparison, comparison.pk) is None) is MATRIX[role][4]


def test_only_editors_publish_whatever_the_path(drafted):
    comparison, _attribute = drafted
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    translator = make_user("translator-uk")
    with pytest.raises(drafts.PermissionDenied):
        drafts.publish(draft, translator)
    with pytest.raises(drafts.PermissionDenied):
        drafts.discard(draft, translator)
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def test_save_as_draft_is_offered_to_editors_on_published_records(editor_client):
    comparison = bpo_vs_kpo()
    assert 'name="_draft"' in editor_client.get(change_url(comparison)).content.decode()
    translator_page = signed_in("translator-uk").get(change_url(comparison)).content.decode()
    assert 'name="_draft"' not in translator_page
    comparison.is_published = False
    comparison.save()
    page = editor_client.get(change_url(comparison)).content.decode()
    assert 'name="_draft"' not in page and "Not published yet." in page


def test_translator_cannot_delete_rows_or_add_rows_or_change_structure_in_a_draft(drafted):
    comparison, _attribute = drafted
    translator = signed_in("translator-uk")
    url = change_url(comparison)
    draft_before = Draft.objects.for_record(Comparison, comparison.pk).records

    response = translator.get(url)
    assert response.status_code == 200
    data = form_data(response)
    data["rows-0-DELETE"] = "on"
    data["_continue"] = "1"
    assert translator.post(url, data).status_code == 403

    response = translator.get(url)
    data = form_data(response)
    data[f"rows-{new_row_index(data)}-order"] = "1"
    data["_continue"] = "1"
    assert translator.post(url, data).status_code == 403

    # A new row with only text of their language.
    data = form_data(translator.get(url))
    index = int(data["rows-TOTAL_FORMS"])
    data["rows-TOTAL_FORMS"] = str(index + 1)
    data[f"rows-{index}-first_value_uk"] = "Новий рядок"
    data[f"rows-{index}-second_value_uk"] = "Новий рядок 2"
    data["_continue"] = "1"
    translator.post(url, data)
    records = Draft.objects.for_record(Comparison, comparison.pk).records
    assert len(records) == len(draft_before)
    assert "Новий рядок" not in json.dumps(records, ensure_ascii=False)

    # Other languages, structure, publish, start.
    for extra in ({"key_difference_de": "Entwurf"}, {"is_published": ""}, {"_publish": "1"}):
        data = form_data(translator.get(url))
        data.update(extra)
        data["_continue"] = "1"
        if extra.get("is_published") == "":
            data.pop("is_published", None)
        translator.post(url, data)
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert draft is not None
    assert draft.records[0]["fields"]["key_difference_de"] != "Entwurf"
    assert draft.records[0]["fields"]["is_published"] is True
    assert bpo_vs_kpo().key_difference_en != DRAFT_TEXT


def test_a_translator_cannot_reach_another_records_row_through_a_new_rows_key(drafted):
    """The draft's new row is sent without a key; one that names another record's row is still the new row."""
    comparison, _attribute = drafted
    other_row = ComparisonRow.objects.exclude(comparison=comparison).order_by("pk").first()
    translator = signed_in("translator-uk")
    url = change_url(comparison)
    data = form_data(translator.get(url))
    index = new_row_index(data)
    data[f"rows-{index}-id"] = str(other_row.pk)
    data[f"rows-{index}-first_value_uk"] = "Перенумеровано"
    data["_continue"] = "1"
    assert translator.post(url, data).status_code == 302
    assert ComparisonRow.objects.get(pk=other_row.pk).first_value_uk != "Перенумеровано"
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    (new_row,) = [record for record in draft.records if record["pk"] is None]
    assert new_row["fields"]["first_value_uk"] == "Перенумеровано"
    # And sending another row's key without renumbering is a form error, not a write.
    data = form_data(translator.get(url))
    data["rows-0-id"] = str(other_row.pk)
    data["rows-0-first_value_uk"] = "Чужий рядок"
    data["_continue"] = "1"
    translator.post(url, data)  # a key outside the record's rows: that form is ignored (Django)
    assert "Чужий рядок" not in json.dumps(
        Draft.objects.for_record(Comparison, comparison.pk).records, ensure_ascii=False
    )
    assert ComparisonRow.objects.get(pk=other_row.pk).first_value_uk != "Чужий рядок"


def new_row_index(data):
    """The index of the draft's new row in the change form: it has no key until it is published."""
    (index,) = [i for i in range(int(data["rows-INITIAL_FORMS"])) if f"rows-{i}-id" not in data]
    return index
