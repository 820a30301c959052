"""
Drafts: an editor changes a live comparison, category or attribute without
readers seeing it, previews it in every language, translators translate it,
and an editor publishes or discards it (comparisons/drafts.py, admin/drafts.py).
"""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from comparisons import changes, drafts
from comparisons.admin.dashboard import translation_work
from comparisons.models import (
    Attribute,
    AttributeValue,
    Category,
    Comparison,
    ComparisonRow,
    Draft,
    DraftEvent,
)
from tests.conftest import PASSWORD, admin_url, bpo_vs_kpo, editor, form_data, make_user
from tests.test_cache import url
from tests.test_views import sitemap_text

LANGUAGES = ("en", "uk", "de")
DRAFT_TEXT = "Drafted key difference, not yet public."


def change_url(obj):
    return admin_url(type(obj), "change", obj.pk)


def preview_url(obj, language, page=""):
    url = admin_url(type(obj), "preview", obj.pk, language)
    return f"{url}?page={page}" if page else url


def signed_in(role):
    """A client of its own signed in as a new user of ``role`` (see make_user)."""
    client = Client()
    client.force_login(make_user(role))
    return client


def unused_attribute(comparison):
    return Attribute.objects.exclude(rows__comparison=comparison).order_by("pk").first()


def with_new_row(data, comparison, attribute, **values):
    """The change form's data with one more row (values: first_value_en=…, …)."""
    index = int(data["rows-TOTAL_FORMS"])
    data["rows-TOTAL_FORMS"] = str(index + 1)
    source = comparison.sources.first()
    row = {
        "comparison": str(comparison.pk),
        "order": "99",
        "attribute": str(attribute.pk),
        "source": str(source.pk),
        "original_language": "en",
        **values,
    }
    data.update({f"rows-{index}-{name}": value for name, value in row.items()})
    return data


def save_draft(client, obj, button="_draft", **changes):
    """Open the change form, change fields, save it as a draft (or into the draft): the answer."""
    response = client.get(change_url(obj))
    assert response.status_code == 200
    data = form_data(response)
    data.update(changes)
    data[button] = "1"
    return client.post(change_url(obj), data)


def reader_pages(client, comparison):
    return {
        code: client.get(f"/{code}/{comparison.first.slug}-vs-{comparison.second.slug}/")
        for code in LANGUAGES
    }


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


def test_the_change_form_shows_the_draft(drafted, editor_client):
    comparison, _attribute = drafted
    response = editor_client.get(change_url(comparison))
    page = response.content.decode()
    assert response.context["adminform"].form["key_difference_en"].value() == DRAFT_TEXT
    assert "Drafted first value" in page
    assert "Unpublished changes by editor since" in page
    assert 'name="_publish"' in page and 'name="_draft_new_parts"' in page


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


# Preview ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_preview_shows_the_draft_to_staff_never_cached_noindex(drafted, editor_client, client, language):
    comparison, _attribute = drafted
    response = editor_client.get(preview_url(comparison, language))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert "Drafted first value" in page  # the new row (English where not translated)
    if language == "en":
        assert DRAFT_TEXT in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'rel="canonical"' not in page and "hreflang=" not in page.split("<body")[0]
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "xkey" not in response and "ETag" not in response
    assert 'class="preview-banner"' in page
    # The language switcher stays in the preview.
    for code in LANGUAGES:
        if code != language:
            assert f'href="{preview_url(comparison, code)}"' in page
    # And nothing of it reached the readers' caches.
    client.logout()
    for response in reader_pages(client, comparison).values():
        assert "Drafted first value" not in response.content.decode()


def test_preview_after_the_page_was_cached_does_not_change_it(drafted, client, editor_client):
    comparison, _attribute = drafted
    reader = type(client)()
    before = {code: r["ETag"] for code, r in reader_pages(reader, comparison).items()}
    for code in LANGUAGES:
        assert editor_client.get(preview_url(comparison, code)).status_code == 200
    after = {code: r for code, r in reader_pages(reader, comparison).items()}
    for code, response in after.items():
        assert response["ETag"] == before[code]
        assert "Drafted first value" not in response.content.decode()


@pytest.mark.parametrize("role", ["anonymous", "reader"])
def test_preview_is_for_staff_only(drafted, client, role):
    comparison, _attribute = drafted
    client.logout()
    if role == "reader":
        user = get_user_model().objects.create_user("reader", "r@example.com", PASSWORD)
        client.force_login(user)
    response = client.get(preview_url(comparison, "uk"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_preview_of_an_unpublished_comparison_shows_it_as_published(editor_client):
    comparison = bpo_vs_kpo()
    comparison.is_published = False
    comparison.save()
    key_difference = comparison.key_difference_en
    preview = editor_client.get(preview_url(comparison, "en")).content.decode()
    assert "Readers do not see it yet." in preview and key_difference in preview
    assert "generated-notice" not in preview
    # Readers get the pair's generated page, and the comparison stays unpublished.
    reader = type(editor_client)().get("/en/bpo-vs-kpo/").content.decode()
    assert "generated-notice" in reader and key_difference not in reader
    assert not Comparison.objects.get(pk=comparison.pk).is_published


def test_a_category_draft_previews_the_generated_comparisons_it_changes(editor_client, client):
    category = Category.objects.get(slug="bpo")
    value = category.attribute_values.order_by("pk").first()
    response = editor_client.get(change_url(category))
    data = form_data(response)
    index = next(
        i
        for i in range(int(data["attribute_values-TOTAL_FORMS"]))
        if data[f"attribute_values-{i}-id"] == str(value.pk)
    )
    data[f"attribute_values-{index}-value_en"] = "A drafted value of BPO."
    data["_draft"] = "1"
    assert editor_client.post(change_url(category), data).status_code == 302
    other = (
        Category.objects.filter(attribute_values__attribute=value.attribute).exclude(pk=category.pk).first()
    )
    first, second = sorted([category, other], key=lambda c: (c.order, c.slug))
    page = f"/en/{first.slug}-vs-{second.slug}/"
    assert Comparison.objects.for_slugs(first.slug, second.slug).count() == 0
    preview = editor_client.get(preview_url(category, "en", page))
    assert preview.status_code == 200 and "A drafted value of BPO." in preview.content.decode()
    client.logout()
    assert "A drafted value of BPO." not in type(client)().get(page).content.decode()
    assert AttributeValue.objects.get(pk=value.pk).value_en != "A drafted value of BPO."


# Translators ---------------------------------------------------------------------------


def translate_new_row(client, comparison, language, text):
    """Open the drafted comparison's form as this client and write ``text`` in its new row's first value."""
    response = client.get(change_url(comparison))
    assert response.status_code == 200
    data = form_data(response)
    (new_row,) = response.context["draft_new_parts"].split(",")
    key = new_row.partition(":")[2]
    index = next(i for i in range(int(data["rows-TOTAL_FORMS"])) if data.get(f"rows-{i}-id") == key)
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


def publish(client, obj):
    response = client.get(change_url(obj))
    data = form_data(response)
    data["_publish"] = "1"
    return client.post(change_url(obj), data)


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


def test_a_draft_is_not_published_when_the_published_version_changed(drafted, editor_client):
    comparison, attribute = drafted
    # Another path changes the published record behind the draft (here the shell's, as an operator).
    with changes.change_set(reason="A fix on the published version"):
        live = bpo_vs_kpo()
        live.conclusion_en = "Changed on the published version."
        live.save()
    response = publish(editor_client, comparison)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
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


def unappliable(draft):
    """The draft with its new row naming the attribute of an existing row: it cannot be applied whole."""
    records = draft.records
    existing = next(r for r in records[1:] if r["pk"] is not None)
    next(r for r in records if r["pk"] is None)["fields"]["attribute"] = existing["fields"]["attribute"]
    draft.records = records
    draft.save()
    return draft


def test_publishing_is_all_or_nothing(drafted, editor_client):
    """A draft that can no longer be applied whole (its new row's attribute now taken) changes nothing."""
    comparison, attribute = drafted
    draft = unappliable(Draft.objects.for_record(Comparison, comparison.pk))
    before = {f: getattr(bpo_vs_kpo(), f) for f in ("key_difference_en", "edit_token")}
    rows_before = bpo_vs_kpo().rows.count()
    with pytest.raises(drafts.DraftNoLongerApplies):  # the database's unique constraint
        drafts.publish(draft, get_user_model().objects.get(username="editor"))
    live = bpo_vs_kpo()
    assert {f: getattr(live, f) for f in before} == before
    assert live.rows.count() == rows_before
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


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

ROLES = ["anonymous", "viewer", "translator-uk", "editor", "superuser"]
# save a draft, preview, translate a draft, publish, discard
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


def post_as(client, comparison, **changes):
    """A POST of the change form as this client sees it (a crafted one where it does not open)."""
    url = change_url(comparison)
    response = client.get(url)
    data = form_data(response) if response.status_code == 200 else {}
    data.update(changes)
    return client.post(url, data)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_start_a_draft(editor_client, client, role):
    comparison = bpo_vs_kpo()
    client = sign_in(type(client)(), role)
    post_as(client, comparison, key_difference_uk="Чернетка", _draft="1")
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
    post_as(client, comparison, key_difference_uk="Перекладено в чернетці", _continue="1")
    draft = Draft.objects.for_record(Comparison, comparison.pk)
    assert (draft.records[0]["fields"]["key_difference_uk"] == "Перекладено в чернетці") is MATRIX[role][2]
    assert bpo_vs_kpo().key_difference_uk != "Перекладено в чернетці"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_publish(drafted, client, role):
    comparison, _attribute = drafted
    client = sign_in(type(client)(), role)
    post_as(client, comparison, _publish="1")
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


def test_attribute_drafts_preview_the_tables_that_show_them(editor_client):
    attribute = Attribute.objects.filter(values__isnull=False).distinct().order_by("pk").first()
    assert save_draft(editor_client, attribute, label_en="A drafted label").status_code == 302
    response = editor_client.get(preview_url(attribute, "en"))
    assert response.status_code == 200
    assert "A drafted label" in response.content.decode()
    assert Attribute.objects.get(pk=attribute.pk).label_en != "A drafted label"
    assert reverse("admin:comparisons_attribute_change", args=[attribute.pk]) in response.content.decode()


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


def test_save_as_draft_is_offered_to_editors_on_published_records(editor_client):
    comparison = bpo_vs_kpo()
    assert 'name="_draft"' in editor_client.get(change_url(comparison)).content.decode()
    translator_page = signed_in("translator-uk").get(change_url(comparison)).content.decode()
    assert 'name="_draft"' not in translator_page
    comparison.is_published = False
    comparison.save()
    page = editor_client.get(change_url(comparison)).content.decode()
    assert 'name="_draft"' not in page and "Not published yet." in page
