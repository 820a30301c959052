"""
Drafts at their edges: drafts that no longer fit, changes of a drafted record
outside its draft, crafted and odd input, concurrency, and what publishing
refreshes. Each test states a rule (they began as a review's probes).
"""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from comparisons import changes, drafts
from comparisons.models import (
    Attribute,
    Category,
    Comparison,
    ComparisonRow,
    Draft,
)
from tests.conftest import admin_url, bpo_vs_kpo, editor, form_data, trilingual
from tests.test_drafts import (
    DRAFT_TEXT,
    change_url,
    preview_url,
    save_draft,
    signed_in,
    unappliable,
    with_new_row,
)

LANGUAGES = ("en", "uk", "de")


# A draft that no longer applies over the published records -----------------------------------


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
    Draft of BPO renames its slug to "bpo-new"; meanwhile another category takes "bpo-new".
    The change form and the preview apply the draft: they must not answer 500.
    """
    category = Category.objects.get(slug="bpo")
    assert save_draft(editor_client, category, slug="bpo-new").status_code == 302
    other = Category.objects.get(slug="kpo")
    other.slug = "bpo-new"
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
    assert_only_discard_is_left(editor_client, comparison)


# Changes of a drafted record outside its draft ---------------------------------------------------


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


# Rules that should hold ----------------------------------------------------------------------------


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


def test_bulk_publish_of_a_stale_draft_is_refused(drafted, editor_client):
    comparison, attribute = drafted
    with changes.change_set(reason="fix"):
        live = bpo_vs_kpo()
        live.conclusion_en = "Changed behind."
        live.save()
    editor_client.post(
        admin_url(Comparison, "changelist"), {"action": "publish_drafts", "_selected_action": [comparison.pk]}
    )
    assert bpo_vs_kpo().key_difference_en != DRAFT_TEXT
    assert Draft.objects.for_record(Comparison, comparison.pk) is not None


def new_row_key(response):
    (new_row,) = response.context["draft_new_parts"].split(",")
    return new_row.partition(":")[2]


def test_translator_cannot_delete_rows_or_add_rows_or_change_structure_in_a_draft(drafted):
    comparison, _attribute = drafted
    translator = signed_in("translator-uk")
    url = change_url(comparison)
    draft_before = Draft.objects.for_record(Comparison, comparison.pk).records

    response = translator.get(url)
    assert response.status_code == 200
    data = form_data(response)
    key = new_row_key(response)
    data["rows-0-DELETE"] = "on"
    data["_continue"] = "1"
    assert translator.post(url, data).status_code == 403

    response = translator.get(url)
    data = form_data(response)
    key = new_row_key(response)
    index = next(i for i in range(int(data["rows-TOTAL_FORMS"])) if data.get(f"rows-{i}-id") == key)
    data[f"rows-{index}-order"] = "1"
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


def test_translator_renumbering_cannot_reach_another_records_row(drafted):
    comparison, _attribute = drafted
    other_row = ComparisonRow.objects.exclude(comparison=comparison).order_by("pk").first()
    translator = signed_in("translator-uk")
    url = change_url(comparison)
    response = translator.get(url)
    data = form_data(response)
    key = new_row_key(response)
    index = next(i for i in range(int(data["rows-TOTAL_FORMS"])) if data.get(f"rows-{i}-id") == key)
    data[f"rows-{index}-id"] = str(other_row.pk)
    data["_draft_new_parts"] = f"rows:{other_row.pk}"
    data[f"rows-{index}-first_value_uk"] = "Перенумеровано"
    data["_continue"] = "1"
    translator.post(url, data)
    assert ComparisonRow.objects.get(pk=other_row.pk).first_value_uk != "Перенумеровано"
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


@pytest.mark.parametrize(
    "object_id",
    ["99999999999999999999999", "9223372036854775808", "2147483648", "abc", "1%00", "%D9%A1", "-1", "0"],
)
def test_odd_ids_are_not_500(drafted, editor_client, object_id):
    base = "/admin/comparisons/comparison/"
    for suffix in ("change/", "preview/en/", "draft/discard/", "history/"):
        response = editor_client.get(f"{base}{object_id}/{suffix}")
        assert response.status_code < 500, (object_id, suffix)
    response = editor_client.post(f"{base}{object_id}/draft/discard/")
    assert response.status_code < 500
    response = editor_client.post(f"{base}{object_id}/change/", {"_publish": "1"})
    assert response.status_code < 500


@pytest.mark.parametrize(
    "page",
    [
        "//evil.example/",
        "https://evil.example/",
        "/admin/",
        "/en/../admin/",
        "en/",
        "/xx/",
        "/sitemap.xml",
        "/language/de/",
        "/en/" + "a" * 20000 + "/",
        "/en/categories/" + "a" * 5000 + "/",
        "/en/bpo-vs-kpo/\x00",
        "/en/categories/b\x00po/",
        "/de/bpo-vs-kpo/",
        "/en/kpo-vs-bpo/",
        "/en/bpo-vs-bpo/",
        "/en/comparisons/?page=2",
        "/en/comparisons/",
        "/en/search/",
        "/en/compare/",
        "/en/\\evil.example",
        "/en/%2F%2Fevil.example",
    ],
)
def test_preview_page_parameter_is_never_500_or_an_open_redirect(drafted, editor_client, page):
    comparison, _attribute = drafted
    response = editor_client.get(admin_url(Comparison, "preview", comparison.pk, "en"), {"page": page})
    assert response.status_code < 500
    if response.status_code in (301, 302):
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location


@pytest.mark.parametrize("language", ["xx", "EN", "en-us", "e\x00n", "zz" * 500])
def test_preview_unknown_language_is_404(drafted, editor_client, language):
    comparison, _attribute = drafted
    response = editor_client.get(
        admin_url(Comparison, "preview", comparison.pk, "en").replace("/en/", f"/{language}/")
    )
    assert response.status_code in (400, 404)


def test_a_preview_leaves_nothing_in_the_fragment_or_page_cache(drafted, editor_client):
    """Preview first (caches empty), then a reader: pages, cached and not, show nothing of the draft."""
    comparison, _attribute = drafted

    others = [
        f"/{code}/{c.first.slug}-vs-{c.second.slug}/"
        for c in Comparison.objects.published().with_categories().related_to(comparison, 10)
        for code in LANGUAGES
    ]
    for code in LANGUAGES:
        for page in [f"/{code}/bpo-vs-kpo/", *others[:3]]:
            editor_client.get(preview_url(comparison, code, page))
    reader = Client()
    for _ in range(2):
        for code in LANGUAGES:
            for page in [f"/{code}/bpo-vs-kpo/", *others]:
                text = reader.get(page).content.decode()
                assert DRAFT_TEXT not in text and "Drafted first" not in text, page


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


# Cache invalidation on publish ----------------------------------------------------------------------


def public_paths(comparison):
    from tests.test_cache import url

    paths = []
    for code in LANGUAGES:
        paths += [
            f"/{code}/",
            f"/{code}/bpo-vs-kpo/",
            f"/{code}/bpo-vs-call-centre/",
            url("category_detail", code, slug="bpo"),
            url("category_detail", code, slug="kpo"),
            url("category_list", code),
            url("comparison_list", code),
            url("compare", code),
            url("search", code, "?q=bpo"),
        ]
        for other in Comparison.objects.published().with_categories().related_to(comparison, 10):
            paths.append(f"/{code}/{other.first.slug}-vs-{other.second.slug}/")
    return list(dict.fromkeys(paths))


def publish_by_form(client, obj):
    data = form_data(client.get(change_url(obj)))
    data["_publish"] = "1"
    return client.post(change_url(obj), data)


def test_publishing_a_comparison_draft_leaves_no_stale_page(
    drafted, editor_client, django_capture_on_commit_callbacks
):
    from tests.test_page_keys import stale_pages

    comparison, _attribute = drafted
    reader = Client()
    paths = public_paths(comparison)
    for path in paths:
        reader.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_by_form(editor_client, comparison).status_code == 302
    assert stale_pages(reader, paths) == []


def test_publishing_a_category_draft_leaves_no_stale_page(editor_client, django_capture_on_commit_callbacks):
    from tests.test_page_keys import stale_pages

    category = Category.objects.get(slug="bpo")
    value = category.attribute_values.order_by("pk").first()
    item = category.items.order_by("pk").first()
    data = form_data(editor_client.get(change_url(category)))
    data.update(
        {
            "name_en": "Renamed in a draft",
            "summary_en": "A drafted summary.",
            "abbreviation_uk": "БПО-нове",
        }
    )
    for i in range(int(data["attribute_values-TOTAL_FORMS"])):
        if data[f"attribute_values-{i}-id"] == str(value.pk):
            data[f"attribute_values-{i}-value_en"] = "A drafted value."
    for i in range(int(data["items-TOTAL_FORMS"])):
        if data[f"items-{i}-id"] == str(item.pk):
            data[f"items-{i}-name_en"] = "A drafted item"
    data["_draft"] = "1"
    assert editor_client.post(change_url(category), data).status_code == 302
    reader = Client()
    paths = public_paths(bpo_vs_kpo())
    for path in paths:
        reader.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_by_form(editor_client, category).status_code == 302
    assert Category.objects.get(pk=category.pk).name_en == "Renamed in a draft"
    assert stale_pages(reader, paths) == []


def test_publishing_an_attribute_draft_leaves_no_stale_page(
    editor_client, django_capture_on_commit_callbacks
):
    from tests.test_page_keys import stale_pages

    attribute = bpo_vs_kpo().rows.order_by("pk").first().attribute
    assert (
        save_draft(editor_client, attribute, label_en="A drafted label", label_uk="Мітка").status_code == 302
    )
    reader = Client()
    paths = public_paths(bpo_vs_kpo())
    for path in paths:
        reader.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_by_form(editor_client, attribute).status_code == 302
    assert stale_pages(reader, paths) == []


# Unpublished categories and attributes ----------------------------------------------------------


def test_an_unpublished_category_shows_nowhere_public(seeded, client, django_capture_on_commit_callbacks):
    from tests.test_views import sitemap_text

    category = Category.objects.get(slug="kpo")
    reader = Client()
    paths = public_paths(bpo_vs_kpo())
    for path in paths:
        reader.get(path)  # cached while published
    with django_capture_on_commit_callbacks(execute=True):
        category.is_published = False
        category.save()
    texts = []
    for path in paths:
        response = reader.get(path)
        assert response.status_code in (200, 404), path
        if response.status_code == 200:
            texts.append((path, response.content.decode()))
    for code in LANGUAGES:
        for path in (
            f"/{code}/search/?q=kpo",
            f"/{code}/compare/?first=bpo&second=kpo",
            f"/{code}/comparisons/?category=kpo",
        ):
            response = reader.get(path)
            assert response.status_code in (200, 302, 400, 404), path
            texts.append((path, response.content.decode()))
    for path, text in texts:
        assert "/kpo/" not in text and "-vs-kpo/" not in text and "kpo-vs-" not in text, path
    assert "kpo" not in sitemap_text(reader).replace("bpo", "")


def test_rows_of_an_unpublished_attribute_do_not_drop_a_comparison_from_a_languages_sitemap(seeded, client):
    """The page in uk shows only published attributes' rows, all translated; its sitemap entry should stay."""
    import re

    from tests.test_views import sitemap_text

    xml = sitemap_text(client)
    slugs = re.findall(r"<loc>http://testserver/uk/([-a-z0-9]+)-vs-([-a-z0-9]+)/</loc>", xml)
    assert slugs
    comparison = Comparison.objects.for_slugs(*slugs[0]).get()
    address = f"/uk/{comparison.first.slug}-vs-{comparison.second.slug}/"
    hidden = Attribute.objects.create(slug="hidden-one", is_published=False, **trilingual("label", "Hidden"))
    ComparisonRow.objects.create(
        comparison=comparison,
        attribute=hidden,
        source=comparison.sources.first(),
        first_value_en="Hidden first",
        second_value_en="Hidden second",
    )
    page = client.get(address).content.decode()
    assert "Hidden first" not in page
    assert '<link rel="alternate" hreflang="uk"' in page  # the page says it is complete in uk
    assert f"<loc>http://testserver{address}</loc>" in sitemap_text(client)


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
