"""
A draft and the published record meanwhile: what changes it outside the draft
(refused, or it makes the draft stale), drafts that no longer apply, two
editors at once, and publishing that is all or nothing.
"""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from comparisons import changes, drafts
from comparisons.models import Attribute, Category, Comparison, ComparisonRow, Draft
from comparisons.snapshots import NoLongerFits
from tests.helpers import (
    DRAFT_TEXT,
    admin_url,
    bpo_vs_kpo,
    change_url,
    editor,
    form_data,
    preview_url,
    publish,
    save_draft,
    signed_in,
    trilingual,
    unappliable,
    with_new_row,
)


def assert_only_discard_is_left(client, record):
    """The change form shows the published record and says why; the preview sends back to it."""
    response = client.get(change_url(record))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This draft no longer fits the published records" in page
    assert 'name="_publish"' not in page and 'value="Save draft"' not in page and "/draft/discard/" in page
    preview = client.get(preview_url(record, "en"))
    assert preview.status_code == 302 and preview["Location"] == change_url(record)
    assert client.post(admin_url(type(record), "discard_draft", record.pk)).status_code == 302
    assert Draft.objects.for_record(type(record), record.pk) is None


def test_a_category_draft_whose_slug_was_taken_meanwhile_still_opens(editor_client):
    """
    Draft of BPO renames its German slug to "bpo-new"; meanwhile another category takes
    "bpo-new" in German. The change form and the preview apply the draft: they must not answer 500.
    """
    category = Category.objects.get(slug="bpo")
    assert save_draft(editor_client, category, slug_de="bpo-new").status_code == 302
    other = Category.objects.get(slug="kpo")
    other.slug_de = "bpo-new"
    other.save()
    assert_only_discard_is_left(editor_client, category)


def test_a_comparison_draft_whose_new_rows_attribute_was_deleted_still_opens(editor_client, client):
    """
    A draft's new row names an attribute that has no published rows or values: nothing PROTECTs it,
    and it can be deleted. The drafted comparison's change form and preview must still open.
    """
    comparison = bpo_vs_kpo()
    attribute = Attribute.objects.create(
        slug="ephemeral", is_published=True, **trilingual("label", "Ephemeral")
    )
    data = form_data(editor_client.get(change_url(comparison)))
    data["_draft"] = "1"
    with_new_row(data, comparison, attribute, first_value_en="x first", second_value_en="x second")
    assert editor_client.post(change_url(comparison), data).status_code == 302
    Attribute.objects.get(pk=attribute.pk).delete()
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None
    assert signed_in("translator-uk").get(reverse("translation_dashboard")).status_code == 200
    assert_only_discard_is_left(editor_client, comparison)


def test_a_row_added_through_the_rows_own_add_form_to_a_drafted_comparison_is_refused(drafted, editor_client):
    """The row's own change form refuses (refuse_if_drafted); its add form skips the check (pk is None)."""
    comparison, _attribute = drafted
    attribute = Attribute.objects.exclude(rows__comparison=comparison).exclude(pk=_attribute.pk).first()
    response = editor_client.get(admin_url(ComparisonRow, "add"))
    data = form_data(response)
    data.update(
        {
            "comparison": str(comparison.pk),
            "attribute": str(attribute.pk),
            "order": "50",
            "source": str(comparison.sources.first().pk),
            "original_language": "en",
            **trilingual("first_value", "Added behind the draft"),
            **trilingual("second_value", "Added behind the draft 2"),
        }
    )
    editor_client.post(admin_url(ComparisonRow, "add"), data)
    assert not ComparisonRow.objects.filter(first_value_en="Added behind the draft").exists()


def test_a_part_deleted_through_its_own_admin_of_a_drafted_record_is_refused(drafted, editor_client):
    comparison, _attribute = drafted
    row = bpo_vs_kpo().rows.order_by("pk").first()
    editor_client.post(admin_url(ComparisonRow, "delete", row.pk), {"post": "yes"})
    assert ComparisonRow.objects.filter(pk=row.pk).exists()


def test_an_import_of_a_drafted_records_part_makes_the_draft_stale(drafted, tmp_path):
    """
    loadcontent of a file with one of the comparison's rows changed: the published record changed,
    so publishing the draft (which holds the old row) must be refused, not silently undo the import.
    """
    comparison, _attribute = drafted
    row = bpo_vs_kpo().rows.order_by("pk").first()
    from django.core import serializers

    from comparisons.backup import exported_fields

    record = serializers.serialize("python", [row], fields=exported_fields(ComparisonRow))[0]
    record["fields"]["first_value_en"] = "Imported row text."
    path = Path(tmp_path) / "rows.json"
    path.write_text(json.dumps([record], default=str), encoding="utf-8")
    call_command("loadcontent", str(path), verbosity=0)
    assert ComparisonRow.objects.get(pk=row.pk).first_value_en == "Imported row text."
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    try:
        drafts.publish(draft, get_user_model().objects.get(username="editor"))
    except drafts.StaleDraft:
        pass
    # Refused (stale), or at least the imported text is not silently undone.
    assert ComparisonRow.objects.get(pk=row.pk).first_value_en == "Imported row text."


def test_revert_of_a_drafted_record_is_refused(drafted, editor_client):
    from reversion.models import Version

    comparison, _attribute = drafted
    version = Version.objects.get_for_object(comparison).last()
    url = admin_url(Comparison, "revision", comparison.pk, version.pk)
    response = editor_client.get(url)
    assert response.status_code == 200
    data = form_data(response)
    before = bpo_vs_kpo().edit_token
    response = editor_client.post(url, data)
    assert bpo_vs_kpo().edit_token == before


def test_list_editable_on_a_drafted_category_is_refused(editor_client):
    category = Category.objects.get(slug="bpo")
    assert save_draft(editor_client, category, summary_en="Drafted summary").status_code == 302
    changelist = editor_client.get(admin_url(Category, "changelist"))
    formset = changelist.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Save",
    }
    for index, form in enumerate(formset.forms):
        data[f"form-{index}-id"] = str(form.instance.pk)
        data[f"form-{index}-opened_token"] = form.instance.edit_token
        data[f"form-{index}-order"] = str(form.instance.order + (7 if form.instance.pk == category.pk else 0))
    before = Category.objects.get(pk=category.pk).order
    editor_client.post(admin_url(Category, "changelist"), data)
    assert Category.objects.get(pk=category.pk).order == before


def change_behind_the_draft(conclusion):
    """Another path changes the published BPO vs KPO behind its draft (the shell's, as an operator)."""
    with changes.change_set(reason="A fix on the published version"):
        live = bpo_vs_kpo()
        live.conclusion_en = conclusion
        live.save()


def test_bulk_publish_of_a_stale_draft_is_refused(drafted, editor_client):
    comparison, attribute = drafted
    change_behind_the_draft("Changed behind.")
    editor_client.post(
        admin_url(Comparison, "changelist"), {"action": "publish_drafts", "_selected_action": [comparison.pk]}
    )
    assert bpo_vs_kpo().key_difference_en != DRAFT_TEXT
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


@pytest.mark.parametrize(
    "object_id", ["99999999999999999999999", "9223372036854775808", "2147483648", "abc", "-1", "0"]
)
def test_an_id_that_names_no_record_is_answered_as_the_admin_answers_it(drafted, editor_client, object_id):
    """What Django's admin does for a missing record (back to the index), or a 404; the draft is untouched."""
    comparison, _attribute = drafted
    base = f"/admin/comparisons/comparison/{object_id}/"
    change = editor_client.get(base + "change/")
    assert (change.status_code, change["Location"]) == (302, "/admin/")
    assert editor_client.get(base + "preview/en/").status_code == 404
    for response in (editor_client.get(base + "draft/discard/"), editor_client.post(base + "draft/discard/")):
        assert (response.status_code, response["Location"]) == (302, base + "change/")
    history = editor_client.get(base + "history/")
    assert (history.status_code, history["Location"]) == (302, "/admin/")
    publish = editor_client.post(base + "change/", {"_publish": "1"})
    assert (publish.status_code, publish["Location"]) == (302, "/admin/")
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def test_an_id_with_a_nul_character_is_a_bad_request(drafted, editor_client):
    comparison, _attribute = drafted
    base = "/admin/comparisons/comparison/1%00/"
    for suffix in ("change/", "preview/en/", "draft/discard/", "history/"):
        assert editor_client.get(base + suffix).status_code == 400, suffix
    assert editor_client.post(base + "draft/discard/").status_code == 400
    assert editor_client.post(base + "change/", {"_publish": "1"}).status_code == 400
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def test_two_editors_publishing_the_same_draft(drafted, editor_client):
    comparison, attribute = drafted
    other = editor("second")
    form_a = form_data(editor_client.get(change_url(comparison)))
    form_b = form_data(other.get(change_url(comparison)))
    form_a["_publish"] = form_b["_publish"] = "1"
    first = editor_client.post(change_url(comparison), form_a)
    second = other.post(change_url(comparison), form_b)
    assert first.status_code == 302
    assert second.status_code in (200, 302)
    assert bpo_vs_kpo().rows.filter(attribute=attribute).count() == 1
    assert bpo_vs_kpo().key_difference_en == DRAFT_TEXT


def test_publishing_then_a_stale_draft_form_saved_does_not_recreate_the_draft(drafted, editor_client):
    comparison, _attribute = drafted
    other = editor("second")
    stale = form_data(other.get(change_url(comparison)))
    publish = form_data(editor_client.get(change_url(comparison)))
    publish["_publish"] = "1"
    assert editor_client.post(change_url(comparison), publish).status_code == 302
    stale["conclusion_en"] = "From a stale draft form"
    stale["_continue"] = "1"
    other.post(change_url(comparison), stale)
    assert bpo_vs_kpo().conclusion_en != "From a stale draft form"
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert draft is None or draft.records[0]["fields"]["conclusion_en"] != "From a stale draft form"


def test_bulk_publish_of_a_draft_that_fails_midway_changes_nothing(drafted, editor_client):
    """
    As test_drafts.test_publishing_is_all_or_nothing, but through the bulk action: the change list is
    one change set, which each draft's publication joins in a savepoint of its own (changes.savepoint).
    """
    comparison, _attribute = drafted
    unappliable(Draft.objects.for_record(Comparison, comparison.pk))
    before = bpo_vs_kpo()
    rows_before = before.rows.count()
    response = editor_client.post(
        admin_url(Comparison, "changelist"), {"action": "publish_drafts", "_selected_action": [comparison.pk]}
    )
    assert response.status_code == 302
    live = bpo_vs_kpo()
    assert live.key_difference_en == before.key_difference_en != DRAFT_TEXT
    assert live.edit_token == before.edit_token
    assert live.rows.count() == rows_before
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def test_a_second_editor_saving_a_stale_draft_form_is_refused(drafted, editor_client):
    comparison, _attribute = drafted
    other = editor("second")
    opened = form_data(other.get(change_url(comparison)))
    save_draft(editor_client, comparison, button="_continue", conclusion_en="First.")
    opened.update({"conclusion_en": "Second.", "_continue": "1"})
    response = other.post(change_url(comparison), opened)
    assert response.status_code == 200
    assert "Someone else saved this draft" in response.content.decode()
    assert (
        Draft.objects.for_record(Comparison, comparison.pk).records[0]["fields"]["conclusion_en"] == "First."
    )


def test_a_draft_is_not_published_when_the_published_version_changed(drafted, editor_client):
    comparison, attribute = drafted
    change_behind_the_draft("Changed on the published version.")
    response = publish(editor_client, comparison)
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("changed after this draft was started" in m and "conclusion (en)" in m for m in messages), (
        messages
    )
    live = bpo_vs_kpo()
    assert live.conclusion_en == "Changed on the published version."
    assert live.key_difference_en != DRAFT_TEXT
    assert not live.rows.filter(attribute=attribute).exists()
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None
    page = editor_client.get(change_url(comparison)).content.decode()
    assert "so it cannot be published" in page and 'name="_publish"' not in page


def test_a_draft_whose_rows_clash_is_shown_as_one_that_no_longer_fits(drafted, editor_client):
    """Found when the form is opened, reading only, not when an editor's changes to it are saved."""
    comparison, _attribute = drafted
    unappliable(Draft.objects.for_record(Comparison, comparison.pk))
    assert_only_discard_is_left(editor_client, comparison)


def test_publishing_is_all_or_nothing(drafted, editor_client):
    """A draft that can no longer be applied whole (its new row's attribute now taken) changes nothing."""
    comparison, attribute = drafted
    draft = unappliable(Draft.objects.for_record(Comparison, comparison.pk))
    before = {f: getattr(bpo_vs_kpo(), f) for f in ("key_difference_en", "edit_token")}
    rows_before = bpo_vs_kpo().rows.count()
    with pytest.raises(NoLongerFits):  # the database's unique constraint
        drafts.publish(draft, get_user_model().objects.get(username="editor"))
    live = bpo_vs_kpo()
    assert {f: getattr(live, f) for f in before} == before
    assert live.rows.count() == rows_before
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def test_a_draft_saved_before_a_column_existed_keeps_what_the_record_holds(drafted, editor_client):
    """A migration that adds a column must not have an older draft reset it on publication."""
    comparison, _attribute = drafted
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    records = draft.records
    del records[0]["fields"]["original_language"]  # as if the column came later
    draft.records = records
    draft.save()
    live = bpo_vs_kpo()
    assert live.original_language == "uk"  # not the column's default, English
    drafts.publish(draft, get_user_model().objects.get(username="editor"))
    published = bpo_vs_kpo()
    assert published.original_language == "uk"
    assert published.key_difference_en == DRAFT_TEXT
