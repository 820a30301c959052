"""
Which changes refresh which pages (page_keys.py): every page that shows a
changed record, and none that does not. "Stale" is judged against the page
rendered afresh with every cache emptied.
"""

from django.test import Client

from comparisons import page_cache
from comparisons.models import Category
from tests.helpers import (
    bpo_vs_kpo,
    change_url,
    form_data,
    public_paths,
    publish,
    run_tasks,
    save_draft,
    stale_pages,
    url,
)

PAGE = "/en/bpo-vs-kpo/"


# A change of more than MAX_KEYS records (an import) refreshes the cached parts of pages too.


def test_a_change_of_many_records_refreshes_the_article_fragment(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "MAX_KEYS", 1)  # as a big import: {"all"} is invalidated
    client.get(PAGE)
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Rewritten by the import."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert "Rewritten by the import." in client.get(PAGE).content.decode()


def test_many_new_comparisons_show_in_the_related_fragment(
    client, db, monkeypatch, make_comparison, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "MAX_KEYS", 1)
    assert "kpo-vs-ito" not in client.get(PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_comparison(Category.objects.get(slug="kpo"), Category.objects.get(slug="ito"))
    assert "kpo-vs-ito" in client.get(PAGE).content.decode()


# Clearing a many-to-many relation from the other side names the records it unlinks.


def test_clearing_a_sources_comparisons_refreshes_their_pages(client, db, django_capture_on_commit_callbacks):
    comparison = bpo_vs_kpo()
    source = comparison.sources.first()
    client.get(PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        source.comparisons.clear()
    assert not comparison.sources.filter(pk=source.pk).exists()
    assert stale_pages(client, [PAGE]) == []


# A comparison's title refreshes only the pages that show it.


def test_a_new_title_leaves_the_compare_page_cached(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.get(url("compare"))
    comparison = bpo_vs_kpo()
    comparison.title_en = "A title of its own"
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    with django_assert_num_queries(0):
        client.get(url("compare"))


def test_a_new_title_leaves_related_lists_that_do_not_show_it_cached(
    client,
    db,
    make_category,
    make_comparison,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    """More than RELATED_COMPARISONS (10) of BPO: the oldest is on no neighbour's related list."""
    bpo = Category.objects.get(slug="bpo")
    with django_capture_on_commit_callbacks(execute=True):  # committed before the pages are read
        for index in range(11):
            make_comparison(bpo, make_category(f"extra-{index}", order=50 + index))
    newest = "/en/bpo-vs-extra-10/"
    assert "bpo-vs-kpo" not in client.get(newest).content.decode()
    oldest = bpo_vs_kpo()
    oldest.title_en = "A title of its own"
    with django_capture_on_commit_callbacks(execute=True):
        oldest.save()
    with django_assert_num_queries(0):
        client.get(newest)


# A category's order is not on written comparison pages.


def test_a_categorys_new_order_leaves_its_written_comparisons_cached(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.get(PAGE)
    kpo = Category.objects.get(slug="kpo")
    kpo.order = 30  # no written comparison page shows a category's order
    with django_capture_on_commit_callbacks(execute=True):
        kpo.save()
    with django_assert_num_queries(0):
        client.get(PAGE)


# A translation that turns outdated (an import, a revert: only its bases change) shows its note everywhere.


def test_an_import_that_outdates_a_categorys_translation_refreshes_the_pages_naming_it(
    client, db, django_capture_on_commit_callbacks
):
    from comparisons import changes

    paths = ["/de/", "/de/bpo-vs-kpo/", "/de/kpo-vs-ito/"]
    for path in paths:
        assert "outdated-note" not in client.get(path).content.decode(), path
    kpo = Category.objects.get(slug="kpo")
    # A backup (or an older version, reverted) with the same texts, whose Ukrainian
    # summary was made from an earlier English one.
    with django_capture_on_commit_callbacks(execute=True):
        with changes.change_set(importing=True):
            assert kpo.original_language != "de" and not kpo.outdated_translations
            bases = kpo.translated_from["summary"]
            kpo.translated_from = {**kpo.translated_from, "summary": {**bases, "de": "0000000000000000"}}
            kpo.save()
    kpo.refresh_from_db()
    assert kpo.outdated_translations == {"summary_de": True}
    assert stale_pages(client, paths) == []


# A comparison nobody can read yet is on no page but its own.


def test_a_new_draft_leaves_the_pages_of_its_categories_cached(
    client, db, make_comparison, django_assert_num_queries, django_capture_on_commit_callbacks
):
    paths = [PAGE, url("comparison_list"), "/en/", url("category_detail", slug="kpo"), url("compare")]
    for path in paths:
        client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        make_comparison(
            Category.objects.get(slug="kpo"), Category.objects.get(slug="ito"), is_published=False
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rendered = []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        if len(queries):
            rendered.append(path)
    assert rendered == []


# A category's summary is on its cards and sections, not in the lists of comparisons.


def test_a_categorys_new_summary_leaves_the_comparison_list_cached(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.get(url("comparison_list"))
    kpo = Category.objects.get(slug="kpo")
    kpo.summary_en = "A new summary."
    with django_capture_on_commit_callbacks(execute=True):
        kpo.save()
    with django_assert_num_queries(0):
        client.get(url("comparison_list"))
    assert stale_pages(client, ["/en/", PAGE, "/en/kpo-vs-ito/"]) == []


# An invalidation that failed (the shared cache blinked) is tried again.


def test_a_change_made_while_the_cache_blinked_shows_once_it_is_back(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    from comparisons import purge

    client.get(PAGE)
    real_invalidate = page_cache.invalidate

    def blink(keys):
        raise ConnectionError("redis: connection reset")

    monkeypatch.setattr(page_cache, "invalidate", blink)
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.01,))
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Saved while the cache blinked."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    monkeypatch.setattr(page_cache, "invalidate", real_invalidate)  # the cache is back
    run_tasks(wait=30)  # the retry, by the task worker (at once where the machine keeps up)
    assert "Saved while the cache blinked." in client.get(PAGE).content.decode()


def read_all(reader, paths):
    """Read each page, so that it is cached."""
    for path in paths:
        reader.get(path)


def test_publishing_a_comparison_draft_leaves_no_stale_page(
    drafted, editor_client, django_capture_on_commit_callbacks
):

    comparison, _attribute = drafted
    paths, reader = public_paths(comparison), Client()
    read_all(reader, paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(editor_client, comparison).status_code == 302
    assert stale_pages(reader, paths) == []


def test_publishing_a_category_draft_leaves_no_stale_page(editor_client, django_capture_on_commit_callbacks):

    category = Category.objects.get(slug="bpo")
    value = category.attribute_values.order_by("pk").first()
    item = category.items.order_by("pk").first()
    data = form_data(editor_client.get(change_url(category)))
    data.update(
        {
            "name_en": "Renamed in a draft",
            "summary_en": "A drafted summary.",
            "abbreviation_uk": "BPO-нове",
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
    paths, reader = public_paths(bpo_vs_kpo()), Client()
    read_all(reader, paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(editor_client, category).status_code == 302
    assert Category.objects.get(pk=category.pk).name_en == "Renamed in a draft"
    assert stale_pages(reader, paths) == []


def test_publishing_an_attribute_draft_leaves_no_stale_page(
    editor_client, django_capture_on_commit_callbacks
):

    attribute = bpo_vs_kpo().rows.order_by("pk").first().attribute
    assert (
        save_draft(editor_client, attribute, label_en="A drafted label", label_uk="Мітка").status_code == 302
    )
    paths, reader = public_paths(bpo_vs_kpo()), Client()
    read_all(reader, paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert publish(editor_client, attribute).status_code == 302
    assert stale_pages(reader, paths) == []


def test_a_category_reordered_refreshes_the_searches():
    """Search reads queries against the first categories in order (search_terms.VOCABULARY_CATEGORIES)."""
    from comparisons import page_keys

    assert "search" in page_keys.category_touched(1, {"order"}, False, [{"is_published": True}])
