"""
Drafts: an editor changes a live comparison, category or attribute without
readers seeing it, previews it in every language, translators translate it,
and an editor publishes or discards it (comparisons/drafts.py, admin/drafts.py).
"""

import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from comparisons.admin.dashboard import translation_work
from comparisons.models import (
    Comparison,
    ComparisonRow,
    Draft,
    DraftEvent,
)
from tests.helpers import (
    DRAFT_TEXT,
    LANGUAGES,
    admin_url,
    bpo_vs_kpo,
    change_url,
    form_data,
    get_writing_nothing,
    make_user,
    publish,
    reader_pages,
    save_draft,
    signed_in,
    sitemap_text,
    url,
)


def public_texts(client):
    """Everything a reader can reach that could show the draft: pages, lists, search, sitemap."""
    paths = [
        path
        for code in LANGUAGES
        for path in (
            f"/{code}/bpo-vs-kpo/",
            f"/{code}/",
            url("category_detail", code, slug="bpo"),
            url("comparison_list", code),
            url("search", code, "?q=drafted"),
        )
    ]
    texts = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        texts.append(response.content.decode())
    texts += [sitemap_text(client)]
    return "\n".join(texts)


# Saving a draft ------------------------------------------------------------------


def test_a_draft_keeps_the_published_record_as_it_was(drafted, client):
    comparison, attribute = drafted
    live = bpo_vs_kpo()
    assert live.key_difference_en == comparison.key_difference_en != DRAFT_TEXT
    assert not live.rows.filter(attribute=attribute).exists()
    assert live.edit_token == comparison.edit_token
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert draft.base_token == live.edit_token
    assert draft.started_by.username == "editor" and draft.authors == ["editor"]
    new_rows = [record for record in draft.records if record["pk"] is None]
    assert [row["fields"]["first_value_en"] for row in new_rows] == ["Drafted first value"]


def test_a_reader_never_sees_a_draft(drafted, client, django_capture_on_commit_callbacks):
    comparison, _attribute = drafted
    client.logout()
    uncached = public_texts(client)
    cached = public_texts(client)  # the same addresses again, now from the cache
    for text in (uncached, cached):
        assert DRAFT_TEXT not in text and "Drafted first value" not in text
    for code, response in reader_pages(client, comparison).items():
        page = response.content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
        assert data["description"] == comparison.text_in("key_difference", code)[0]  # the published text
        assert DRAFT_TEXT not in page


def test_the_change_form_shows_the_draft_without_writing_it(drafted, editor_client):
    comparison, _attribute = drafted
    response = get_writing_nothing(editor_client, change_url(comparison))
    page = response.content.decode()
    assert response.context["adminform"].form["key_difference_en"].value() == DRAFT_TEXT
    assert "Drafted first value" in page
    assert "Unpublished changes by editor since" in page
    assert 'name="_publish"' in page


def test_the_draft_form_costs_about_what_the_published_form_does(editor_client):
    """What the draft's rows name is read once per model, not once per row (nor checked once per key)."""
    comparison = bpo_vs_kpo()
    with CaptureQueriesContext(connection) as published:
        assert editor_client.get(change_url(comparison)).status_code == 200
    assert save_draft(editor_client, comparison, conclusion_en="A drafted conclusion.").status_code == 302
    with CaptureQueriesContext(connection) as drafted:
        assert editor_client.get(change_url(comparison)).status_code == 200
    assert comparison.rows.count() > 5
    # The draft's own reads (its records' related rows by model, its checks, the texts it
    # changes by model and the termbase they are checked against), not one per row.
    assert len(drafted) <= len(published) + 18


def test_saving_the_draft_again_keeps_its_new_row_once(drafted, editor_client):
    """The new row has no key of its own until published; a second save must not add it again."""
    comparison, attribute = drafted
    response = save_draft(
        editor_client, comparison, button="_continue", conclusion_en="A drafted conclusion."
    )
    assert response.status_code == 302
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    records = draft.records
    assert sum(1 for r in records if r["pk"] is None) == 1
    assert records[0]["fields"]["conclusion_en"] == "A drafted conclusion."
    assert records[0]["fields"]["key_difference_en"] == DRAFT_TEXT
    assert draft.base_token == bpo_vs_kpo().edit_token


def test_the_draft_form_shows_rows_in_their_order(drafted, editor_client):
    """As the form of a published comparison does: by each row's order, not by key."""
    comparison, _attribute = drafted
    data = form_data(editor_client.get(change_url(comparison)))
    count = int(data["rows-TOTAL_FORMS"])
    for index in range(count):
        data[f"rows-{index}-order"] = str(100 - index)
    data["_continue"] = "1"
    assert editor_client.post(change_url(comparison), data).status_code == 302
    response = editor_client.get(change_url(comparison))
    (rows,) = response.context["inline_admin_formsets"]
    orders = [form.instance.order for form in rows.formset.forms]
    assert orders == sorted(orders) and len(orders) == count


# Preview ----------------------------------------------------------------------------


# Translators ---------------------------------------------------------------------------


def translate_new_row(client, comparison, language, text):
    """Open the drafted comparison's form as this client and write ``text`` in its new row's first value."""
    response = client.get(change_url(comparison))
    assert response.status_code == 200
    data = form_data(response)
    # The draft's new row has no key until it is published.
    (index,) = [i for i in range(int(data["rows-INITIAL_FORMS"])) if f"rows-{i}-id" not in data]
    data[f"rows-{index}-first_value_{language}"] = text
    data["_continue"] = "1"
    return client.post(change_url(comparison), data)


def test_a_translators_change_to_a_draft_stays_in_the_draft(drafted, client):
    comparison, attribute = drafted
    response = translate_new_row(signed_in("translator-uk"), comparison, "uk", "Чернеткове значення")
    assert response.status_code == 302
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    new_row = next(r for r in draft.records if r["pk"] is None)
    assert new_row["fields"]["first_value_uk"] == "Чернеткове значення"
    assert draft.records[0]["fields"]["key_difference_en"] == DRAFT_TEXT  # the editor's change kept
    assert draft.authors == ["editor", "translator-uk"]
    assert not ComparisonRow.objects.filter(first_value_uk="Чернеткове значення").exists()
    assert not bpo_vs_kpo().rows.filter(attribute=attribute).exists()


def test_a_translator_may_not_change_another_language_in_a_draft(drafted, client):
    comparison, _attribute = drafted
    client.force_login(make_user("translator-uk"))
    response = translate_new_row(client, comparison, "de", "Entwurf")
    assert response.status_code == 403
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert all(record["fields"].get("first_value_de") != "Entwurf" for record in draft.records)


def test_the_dashboard_lists_what_drafts_need_in_a_language(drafted):
    comparison, _attribute = drafted
    work = translation_work(["uk"])["uk"]
    drafted_work = work["drafts"]
    fields = [field["label"] for entry in drafted_work for field in entry["fields"]]
    assert sorted(map(str, fields)) == ["value for the first category", "value for the second category"]
    assert {entry["draft_of"] for entry in drafted_work} == {str(comparison)}
    assert all(change_url(comparison) in field["url"] for entry in drafted_work for field in entry["fields"])


# Publishing and discarding -------------------------------------------------------------------


def test_publishing_applies_the_whole_draft_at_once(
    drafted, editor_client, client, django_capture_on_commit_callbacks
):
    comparison, attribute = drafted
    reader = type(client)()
    reader_pages(reader, comparison)  # cached
    translate_new_row(signed_in("translator-uk"), comparison, "uk", "Чернеткове значення")
    versions_before = Version.objects.get_for_object(comparison).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(editor_client, comparison)
    assert response.status_code == 302
    live = bpo_vs_kpo()
    assert live.key_difference_en == DRAFT_TEXT
    row = live.rows.get(attribute=attribute)
    assert row.first_value_uk == "Чернеткове значення"
    assert Draft.objects.for_record(Comparison, comparison.pk) is None
    assert Version.objects.get_for_object(comparison).count() == versions_before + 1
    assert "Published the draft" in Version.objects.get_for_object(comparison).first().revision.get_comment()
    assert DraftEvent.objects.of(Comparison).filter(object_id=comparison.pk, action="published").exists()
    pages = reader_pages(reader, comparison)
    assert DRAFT_TEXT in pages["en"].content.decode()
    assert "Чернеткове значення" in pages["uk"].content.decode()


def test_discarding_keeps_the_published_version(drafted, editor_client):
    comparison, _attribute = drafted
    before = bpo_vs_kpo().key_difference_en
    url = admin_url(Comparison, "discard_draft", comparison.pk)
    assert "discarding drops these unpublished changes" in editor_client.get(url).content.decode()
    response = editor_client.post(url)
    assert response.status_code == 302
    assert Draft.objects.for_record(Comparison, comparison.pk) is None
    assert bpo_vs_kpo().key_difference_en == before
    assert DraftEvent.objects.of(Comparison).filter(object_id=comparison.pk, action="discarded").exists()


def test_history_shows_drafts_saved_published_and_discarded_by_whom(drafted, editor_client, client):
    comparison, _attribute = drafted
    translate_new_row(signed_in("translator-uk"), comparison, "uk", "Чернеткове значення")
    publish(editor_client, comparison)
    save_draft(editor_client, comparison, conclusion_en="Another draft.")
    editor_client.post(admin_url(Comparison, "discard_draft", comparison.pk))
    response = editor_client.get(admin_url(Comparison, "history", comparison.pk))
    rows = [
        (entry["action"], entry["user"].username) for entry in response.context["history"] if "draft" in entry
    ]
    assert rows == [
        ("Draft discarded", "editor"),
        ("Draft saved", "editor"),
        ("Draft published", "editor"),
        ("Draft saved", "translator-uk"),
        ("Draft saved", "editor"),
    ]
    page = response.content.decode()
    assert "Published the draft started by editor" in page
    assert "comparison row “" in page or "added" in page


def test_change_lists_show_and_filter_unpublished_changes(drafted, editor_client):
    comparison, _attribute = drafted
    changelist = admin_url(Comparison, "changelist")
    response = editor_client.get(changelist)
    assert "by editor since" in response.content.decode()
    drafted_only = editor_client.get(f"{changelist}?draft=yes")
    assert [obj.pk for obj in drafted_only.context["cl"].result_list] == [comparison.pk]
    undrafted = editor_client.get(f"{changelist}?draft=no")
    assert comparison.pk not in [obj.pk for obj in undrafted.context["cl"].result_list]


def test_a_part_of_a_drafted_record_is_changed_in_the_draft_only(drafted, editor_client):
    """A row's own form would change the published row behind the draft: it says where to change it."""
    comparison, _attribute = drafted
    row = bpo_vs_kpo().rows.first()
    response = editor_client.get(change_url(row))
    data = form_data(response)
    data["first_value_en"] = "Changed behind the draft."
    response = editor_client.post(change_url(row), data)
    assert response.status_code == 200
    assert "has unpublished changes" in response.content.decode()
    assert ComparisonRow.objects.get(pk=row.pk).first_value_en != "Changed behind the draft."


def test_a_deleted_record_takes_its_draft_along(drafted, editor_client):
    comparison, _attribute = drafted
    Comparison.objects.get(pk=comparison.pk).delete()
    assert Draft.objects.for_record(Comparison, comparison.pk) is None
    assert DraftEvent.objects.of(Comparison).filter(object_id=comparison.pk, action="discarded").exists()


def test_bulk_actions_publish_and_discard_drafts(drafted, editor_client):
    comparison, attribute = drafted
    changelist = admin_url(Comparison, "changelist")
    response = editor_client.post(
        changelist, {"action": "publish_drafts", "_selected_action": [comparison.pk]}
    )
    assert response.status_code == 302
    assert bpo_vs_kpo().rows.filter(attribute=attribute).exists()
    save_draft(editor_client, comparison, conclusion_en="Another draft.")
    editor_client.post(changelist, {"action": "discard_drafts", "_selected_action": [comparison.pk]})
    assert Draft.objects.for_record(Comparison, comparison.pk) is None
    assert bpo_vs_kpo().conclusion_en != "Another draft."


# Who may do what --------------------------------------------------------------------------------

# save a draft, preview, translate a draft, publish, discard
