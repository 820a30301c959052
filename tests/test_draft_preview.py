"""
The preview of a draft: the public pages as they will be once it is published,
in every language, for staff only, never cached and never indexed.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from comparisons.models import Attribute, AttributeValue, Category, Comparison
from tests.helpers import (
    DRAFT_TEXT,
    LANGUAGES,
    PASSWORD,
    admin_url,
    bpo_vs_kpo,
    change_url,
    form_data,
    preview_url,
    reader_pages,
    save_draft,
)


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
    assert Comparison.objects.of_pair(first, second).count() == 0
    preview = editor_client.get(preview_url(category, "en", page))
    assert preview.status_code == 200 and "A drafted value of BPO." in preview.content.decode()
    client.logout()
    assert "A drafted value of BPO." not in type(client)().get(page).content.decode()
    assert AttributeValue.objects.get(pk=value.pk).value_en != "A drafted value of BPO."


def test_attribute_drafts_preview_the_tables_that_show_them(editor_client):
    attribute = Attribute.objects.filter(values__isnull=False).distinct().order_by("pk").first()
    assert save_draft(editor_client, attribute, label_en="A drafted label").status_code == 302
    response = editor_client.get(preview_url(attribute, "en"))
    assert response.status_code == 200
    assert "A drafted label" in response.content.decode()
    assert Attribute.objects.get(pk=attribute.pk).label_en != "A drafted label"
    assert reverse("admin:comparisons_attribute_change", args=[attribute.pk]) in response.content.decode()


NOT_A_PAGE_OF_THE_PREVIEWS_LANGUAGE = [
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
    "/de/bpo-vs-kpo/",  # a page of another language than the preview's
    "/en/comparisons/?page=2",  # a page the list does not have
    "/en/\\evil.example",
    "/en/%2F%2Fevil.example",
]


@pytest.mark.parametrize("page", NOT_A_PAGE_OF_THE_PREVIEWS_LANGUAGE)
def test_a_preview_of_anything_but_a_public_page_in_its_language_is_404(drafted, editor_client, page):
    comparison, _attribute = drafted
    response = editor_client.get(admin_url(Comparison, "preview", comparison.pk, "en"), {"page": page})
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize("page", ["/en/bpo-vs-kpo/\x00", "/en/categories/b\x00po/"])
def test_a_preview_of_an_address_with_a_nul_character_is_a_bad_request(drafted, editor_client, page):
    comparison, _attribute = drafted
    response = editor_client.get(admin_url(Comparison, "preview", comparison.pk, "en"), {"page": page})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "page, canonical",
    [("/en/kpo-vs-bpo/", "/en/bpo-vs-kpo/"), ("/en/bpo-vs-bpo/", "/en/categories/bpo/")],
)
def test_a_preview_of_a_redirected_address_goes_to_the_preview_of_its_page(
    drafted, editor_client, page, canonical
):
    comparison, _attribute = drafted
    response = editor_client.get(admin_url(Comparison, "preview", comparison.pk, "en"), {"page": page})
    assert response.status_code == 302
    assert response["Location"] == preview_url(comparison, "en") + "?" + urlencode({"page": canonical})


@pytest.mark.parametrize("page", ["/en/comparisons/", "/en/search/", "/en/compare/"])
def test_any_public_page_of_the_previews_language_can_be_previewed(drafted, editor_client, page):
    comparison, _attribute = drafted
    response = editor_client.get(admin_url(Comparison, "preview", comparison.pk, "en"), {"page": page})
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert "Preview: not published" in response.content.decode()


@pytest.mark.parametrize("language", ["xx", "EN", "en-us", "zz" * 500])
def test_a_preview_in_an_unknown_language_is_404(drafted, editor_client, language):
    comparison, _attribute = drafted
    response = editor_client.get(
        admin_url(Comparison, "preview", comparison.pk, "en").replace("/en/", f"/{language}/")
    )
    assert response.status_code == 404


def test_a_preview_language_with_a_nul_character_is_a_bad_request(drafted, editor_client):
    comparison, _attribute = drafted
    url = admin_url(Comparison, "preview", comparison.pk, "en").replace("/en/", "/e\x00n/")
    assert editor_client.get(url).status_code == 400


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
