"""
The page cache: a page is dropped exactly when a record it shows changes, in
every language, whichever way the change comes; query strings cannot bust it;
pages carry what an HTTP cache in front needs (see also test_varnish.py).
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comparisons import changes, page_cache
from comparisons.models import Category, Comparison
from comparisons.phrases import CASES
from tests.helpers import (
    LANGUAGES,
    PASSWORD,
    admin_url,
    bpo_vs_kpo,
    change,
    change_url,
    editor,
    form_data,
    in_every_language,
    post_change_form,
    run_tasks,
    url,
)
from tests.servers import (
    Gunicorn,
    add_superuser,
    browser_session,
    fetch,
    prepare_site,
    sign_in,
    site_environment,
    unpublish,
)

PAGE = "/en/bpo-vs-kpo/"
OTHER = "/en/bpo-vs-call-centre/"


def pair(first, second):
    return {"first": first, "second": second}


def pages_of(client, paths):
    """Read each page, so that it is cached; {path: ETag}."""
    return {path: client.get(path)["ETag"] for path in paths}


def assert_served_from_cache(client, django_assert_num_queries, etags):
    """Each page is still valid: a hit without a query, a 304 to its ETag."""
    for path, etag in etags.items():
        with django_assert_num_queries(0):
            response = client.get(path)
        assert response.status_code == 200 and response["ETag"] == etag, path
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304, path


def test_pages_carry_what_caches_in_front_need(client, db, settings):
    response = client.get(PAGE)
    cache_control = set(response["Cache-Control"].split(", "))
    assert cache_control == {
        "public",
        "max-age=0",
        f"s-maxage={settings.PAGE_CACHE_SECONDS}",
        f"stale-while-revalidate={settings.PAGE_STALE_WHILE_REVALIDATE_SECONDS}",
        f"stale-if-error={settings.PAGE_STALE_IF_ERROR_SECONDS}",
    }
    comparison = bpo_vs_kpo()
    keys = set(response["xkey"].split())
    assert {f"c{comparison.pk}", f"gn{comparison.first_id}", f"gn{comparison.second_id}", "all"} <= keys
    assert set(response["Surrogate-Key"].split()) == keys == set(response["Cache-Tag"].split(","))
    not_modified = client.get(PAGE, headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304 and not_modified["ETag"] == response["ETag"]
    assert client.get(PAGE, headers={"if-none-match": '"something-else"'}).status_code == 200


CRAWLED = [
    "/robots.txt",
    "/sitemap.xml",
    "/sitemap-comparisons-en.xml",
    "/sitemap-categories-uk.xml",
    "/sitemap-pages-de.xml",
]


def test_what_crawlers_read_is_cached_and_purged_like_pages(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for path in CRAWLED:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "s-maxage" in response["Cache-Control"] and "all" in response["xkey"].split(), path
    etags = pages_of(client, CRAWLED)
    assert_served_from_cache(client, django_assert_num_queries, etags)
    comparison = bpo_vs_kpo()
    address = f"<loc>http://testserver{comparison.get_absolute_url()}</loc>"
    assert address in client.get("/sitemap-comparisons-en.xml").content.decode()
    comparison.is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert address not in client.get("/sitemap-comparisons-en.xml").content.decode()
    assert_served_from_cache(client, django_assert_num_queries, {"/robots.txt": etags["/robots.txt"]})


@pytest.mark.parametrize(
    "asked, address",
    [
        ("/sitemap.xml?utm_source=x", "/sitemap.xml"),
        ("/robots.txt?x=1", "/robots.txt"),
        ("/sitemap-comparisons-en.xml?x=1&p=1", "/sitemap-comparisons-en.xml?p=1"),
    ],
)
def test_what_crawlers_read_has_one_address(client, db, django_assert_num_queries, asked, address):
    with django_assert_num_queries(0):
        response = client.get(asked)
    assert response.status_code == 301 and response["Location"] == address


def test_the_varnish_configuration_follows_the_views_declarations():
    """public_pages.vcl is what `manage.py varnishvcl` writes from the views: parameters and addresses."""
    call_command("varnishvcl", "--check")
    from comparisons.management.commands.varnishvcl import public_pages_vcl

    text = public_pages_vcl()
    assert "(?!(?:category|first|fourth|p|page|q|second|third)=)" in text
    assert r"robots\.txt" in text and r"sitemap\.xml" in text and "admin" not in text


def test_the_etag_is_the_pages_content(client, db, monkeypatch, django_capture_on_commit_callbacks):
    """A page rendered afresh but unchanged (after an import of the same content) still revalidates."""
    monkeypatch.setattr(page_cache, "MAX_KEYS", 3)  # the import refreshes every page
    first = client.get(PAGE)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadcontent", verbosity=0)
    rendered = []
    real_render = page_cache.PublicPageCacheMiddleware.store
    monkeypatch.setattr(
        page_cache.PublicPageCacheMiddleware,
        "store",
        lambda *args: rendered.append(args) or real_render(*args),
    )
    again = client.get(PAGE, headers={"if-none-match": first["ETag"]})
    assert rendered and again.status_code == 304


def test_an_edited_conclusion_is_new_on_its_page_and_leaves_every_other_page_valid(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    edited = in_every_language("comparison_detail", **pair("bpo", "kpo"))
    others = [
        *in_every_language(
            "comparison_detail", **pair("bpo", "call-centre")
        ),  # lists BPO vs KPO among its related comparisons
        *in_every_language("category_detail", slug="bpo"),
        *in_every_language("comparison_detail", **pair("kpo", "ito")),
        *in_every_language("comparison_list"),
        *in_every_language("home"),
    ]
    before = pages_of(client, edited)
    etags = pages_of(client, others)
    comparison = bpo_vs_kpo()
    for code in LANGUAGES:
        setattr(comparison, f"conclusion_{code}", f"A new conclusion ({code}).")
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    for path in edited:
        response = client.get(path)
        assert f"A new conclusion ({path[1:3]})." in response.content.decode()
        assert client.get(path, headers={"if-none-match": before[path]}).status_code == 200
    assert_served_from_cache(client, django_assert_num_queries, etags)


def test_a_new_title_refreshes_the_lists_and_related_comparisons_that_show_it(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    showing = [
        *in_every_language("comparison_detail", **pair("bpo", "call-centre")),
        *in_every_language("category_detail", slug="kpo"),
        *in_every_language("comparison_list"),
        *in_every_language("home"),
        url("comparison_list", query="?category=kpo"),
    ]
    not_showing = [
        *in_every_language("comparison_detail", **pair("kpo", "ito")),
        *in_every_language("category_detail", slug="ito"),
    ]
    pages_of(client, showing)
    etags = pages_of(client, not_showing)
    comparison = bpo_vs_kpo()
    for code in LANGUAGES:
        setattr(comparison, f"title_{code}", f"A new title ({code})")
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    for path in showing:
        assert f"A new title ({path[1:3]})" in client.get(path).content.decode(), path
    assert_served_from_cache(client, django_assert_num_queries, etags)


def test_a_renamed_category_refreshes_the_pages_that_name_it(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    naming = [
        url("comparison_detail", "uk", **pair("bpo", "kpo")),
        url("comparison_detail", "uk", **pair("kpo", "ito")),
        # Names KPO among its related comparisons.
        url("comparison_detail", "uk", **pair("bpo", "call-centre")),
        url("category_detail", "uk", slug="outsourcing"),
        url("category_list", "uk"),
        url("home", "uk"),
    ]
    pages_of(client, naming)
    etags = pages_of(client, ["/uk/ito-vs-call-centre/", url("category_detail", "uk", slug="call-centre")])
    kpo = Category.objects.get(slug="kpo")
    for field in ("abbreviation", *CASES):
        setattr(kpo, f"{field}_uk", "ЗНАННЄВИЙ-АУТСОРСИНГ")
    with django_capture_on_commit_callbacks(execute=True):
        kpo.save()
    for path in naming:
        assert "ЗНАННЄВ" in client.get(path).content.decode(), path
    assert_served_from_cache(client, django_assert_num_queries, etags)


def test_a_new_comparison_replaces_the_generated_page_of_its_pair(
    client, db, make_comparison, django_capture_on_commit_callbacks
):
    assert "generated-notice" in client.get("/en/kpo-vs-ito/").content.decode()
    kpo, ito = Category.objects.get(slug="kpo"), Category.objects.get(slug="ito")
    with django_capture_on_commit_callbacks(execute=True):
        make_comparison(kpo, ito, key_difference_en="Written at last.")
    for path in ("/en/kpo-vs-ito/", "/en/categories/ito/", "/en/comparisons/", "/en/"):
        assert (
            "Written at last." in client.get(path, follow=True).content.decode() or path != "/en/kpo-vs-ito/"
        )
        assert "kpo-vs-ito" in client.get(path).content.decode()


def test_a_table_of_three_follows_its_values_its_order_and_its_written_pairs(
    client, db, make_comparison, django_capture_on_commit_callbacks
):
    path = "/en/bpo-vs-kpo-vs-ito/"
    assert 'href="/en/kpo-vs-ito/"' not in client.get(path).content.decode()
    kpo, ito = Category.objects.get(slug="kpo"), Category.objects.get(slug="ito")
    with django_capture_on_commit_callbacks(execute=True):
        make_comparison(kpo, ito)
    assert 'href="/en/kpo-vs-ito/"' in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        change(ito.attribute_values.filter(attribute__slug="stands-for"), value_en="Newly worded.")
    assert "Newly worded." in client.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        change(Comparison.objects.filter(first=kpo, second=ito), title_en="KPO or ITO: a new title")
    assert "KPO or ITO: a new title" in client.get(path).content.decode()
    # The addresses that lead to it, cached, follow a change of the categories' order.
    reordered = "/en/kpo-vs-bpo-vs-ito/"
    form = "/en/compare/?first=ito&fourth=&second=bpo&third=kpo"
    for address in (reordered, form):
        assert client.get(address)["Location"] == path
    with django_capture_on_commit_callbacks(execute=True):
        change(Category.objects.filter(slug="ito"), order=0)  # now first in every address
    for address in (path, reordered, form):
        assert client.get(address)["Location"] == "/en/ito-vs-bpo-vs-kpo/", address
    assert client.get("/en/ito-vs-bpo-vs-kpo/").status_code == 200


@pytest.fixture
def announced(monkeypatch):
    """The page keys of every committed change, as the caches receive them."""
    keys = []

    def receive(changes, **kwargs):
        keys.append(set().union(*(change.shown_on for change in changes)))

    changes.content_changed.connect(receive, dispatch_uid="test-announced")
    yield keys
    changes.content_changed.disconnect(dispatch_uid="test-announced")


def test_every_write_path_names_the_pages_it_changes(db, announced, django_capture_on_commit_callbacks):
    """The change form and its inline, a bulk action, a revert and an import: each names its pages."""
    comparison = bpo_vs_kpo()
    c, pair = comparison.pk, f"p{comparison.first_id}-{comparison.second_id}"
    client = editor("anna")
    # The change form: a body text, then a row in its inline.
    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(client, comparison, conclusion_en="Changed in the form.")
    assert announced[-1] == {f"c{c}", "search", "sitemaps"}
    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(client, comparison, **{"rows-0-first_value_en": "A changed row."})
    assert announced[-1] == {f"c{c}", "sitemaps"}
    # A bulk action: the lists and the pair's generated page change too.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url(Comparison, "changelist"), {"action": "unpublish", "_selected_action": [c]})
    assert {f"c{c}", f"cn{c}", "comparisons", pair, f"gc{comparison.first_id}"} <= announced[-1]
    # History's revert.
    version = client.get(admin_url(Comparison, "history", c)).content.decode()
    revert = re.findall(r'href="([^"]+/history/\d+/)"', version)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(revert, form_data(client.get(revert))).status_code == 302
    assert {f"c{c}", f"cn{c}", "comparisons", pair} <= announced[-1]
    # A category's item (an inline of the category form) and an attribute value.
    kpo = Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        item = kpo.items.first()
        item.name_de += " (neu)"
        item.save()
    assert announced[-1] == {f"g{kpo.pk}", "search", "sitemaps"}
    with django_capture_on_commit_callbacks(execute=True):
        value = kpo.attribute_values.first()
        value.value_uk += " (нове)"
        value.save()
    assert announced[-1] == {f"gv{kpo.pk}"}
    # An import names every record it wrote.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadcontent", verbosity=0)
    assert {f"c{c}", f"g{kpo.pk}", f"a{comparison.rows.first().attribute_id}"} <= announced[-1]


def test_a_change_of_many_records_refreshes_every_page_at_once(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(page_cache, "MAX_KEYS", 3)
    pages_of(client, ["/en/kpo-vs-ito/", "/en/"])
    invalidated = []
    real_invalidate = page_cache.invalidate
    monkeypatch.setattr(
        page_cache, "invalidate", lambda keys: invalidated.append(keys) or real_invalidate(keys)
    )
    comparison = bpo_vs_kpo()
    with django_capture_on_commit_callbacks(execute=True):
        comparison.is_published = False
        comparison.save()
    assert invalidated == [{"all"}]
    # The generated page does not show BPO vs KPO, yet is rendered again: every page is.
    for path in ("/en/kpo-vs-ito/", "/en/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200 and len(queries) > 0, path


def test_a_rolled_back_change_leaves_the_cache_alone(client, db, django_assert_num_queries):
    etags = pages_of(client, [PAGE])
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Never committed."
    comparison.save()  # inside the test's transaction: never committed
    assert_served_from_cache(client, django_assert_num_queries, etags)


def test_a_page_rendered_while_its_record_changed_is_not_kept(client, db, monkeypatch):
    """The render may have read the record before the change: neither cache may keep it."""
    comparison = bpo_vs_kpo()
    real_render = page_cache.PublicPageCacheMiddleware.store

    def store_after_a_change(self, key, response, started, alias):
        page_cache.invalidate({f"c{comparison.pk}"})  # committed meanwhile, by another worker
        return real_render(self, key, response, started, alias)

    monkeypatch.setattr(page_cache.PublicPageCacheMiddleware, "store", store_after_a_change)
    response = client.get(PAGE)
    assert "s-maxage" not in response["Cache-Control"] and "xkey" not in response
    monkeypatch.setattr(page_cache.PublicPageCacheMiddleware, "store", real_render)
    assert client.get(PAGE).has_header("xkey")


# Query strings -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["utm_source=newsletter", "x=1234567", "page=22", "fbclid=abc&q=bpo"])
def test_a_query_string_on_a_page_that_reads_none_is_one_redirect_to_its_address(
    client, db, django_assert_num_queries, query
):
    client.get(PAGE)
    with django_assert_num_queries(0):
        response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 301 and response["Location"] == PAGE
    # Never cached: a random parameter fills no cache, in front or here.
    assert "s-maxage" not in response.get("Cache-Control", "") and "xkey" not in response


def test_a_list_reads_only_its_own_parameters_in_one_spelling(client, db, django_assert_num_queries):
    canonical = url("comparison_list", query="?category=bpo&page=2")
    client.raise_request_exception = False
    for spelling in (
        "?page=2&category=bpo",
        "?utm_campaign=x&category=bpo&page=2",
        "?category=kpo&category=bpo&page=2",
    ):
        with django_assert_num_queries(0):
            response = client.get(url("comparison_list", query=spelling))
        assert (response.status_code, response["Location"]) == (301, canonical), spelling
    first = client.get(url("comparison_list", query="?category=bpo&page=1"))
    assert (first.status_code, first["Location"]) == (301, url("comparison_list", query="?category=bpo"))
    # The first page of an unknown category is no cached redirect either.
    response = client.get(url("comparison_list", query="?category=no-such-category&page=1"))
    assert response.status_code == 301 and "s-maxage" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("host", ["LocalHost", "localhost.", "LOCALHOST."])
def test_another_spelling_of_the_host_is_one_redirect(client, db, django_assert_num_queries, host):
    client.get(PAGE, headers={"host": "localhost"})
    with django_assert_num_queries(0):
        response = client.get(PAGE, headers={"host": host})
    assert (response.status_code, response["Location"]) == (301, "http://localhost/en/bpo-vs-kpo/")


@pytest.mark.parametrize(
    "host, origin",
    [
        ("LOCALHOST.:8000", "http://localhost:8000"),
        ("[::1]:8000", None),
        ("[::1]", None),
        ("127.0.0.1:99999", None),  # not a port a socket could have, but the host Django let in
    ],
)
def test_a_host_with_a_port_or_an_ipv6_address_keeps_it(client, db, host, origin):
    response = client.get(PAGE, headers={"host": host})
    if origin is None:
        assert response.status_code == 200
        assert f'<link rel="canonical" href="http://{host}/en/bpo-vs-kpo/">' in response.content.decode()
    else:
        assert (response.status_code, response["Location"]) == (301, f"{origin}/en/bpo-vs-kpo/")


def test_with_the_sites_address_set_every_other_host_is_sent_there(client, db, settings):
    settings.SITE_URL = "https://kb.example.com"
    settings.ALLOWED_HOSTS = ["kb.example.com", "localhost"]
    for host in ("localhost", "kb.example.com:1", "KB.example.com"):
        response = client.get(f"{PAGE}?q=x", headers={"host": host})
        assert (response.status_code, response["Location"]) == (301, f"https://kb.example.com{PAGE}"), host


@pytest.mark.parametrize("page", ["2", "99999999999999999999", "0", "02", "-1", "last"])
def test_a_page_number_out_of_range_or_misspelt_is_a_404_without_the_list(
    client, db, django_assert_max_num_queries, page
):
    client.raise_request_exception = False
    with django_assert_max_num_queries(1):  # at most the count
        response = client.get(url("comparison_list", query=f"?page={page}"))
    assert response.status_code == 404
    assert "comparison-list" not in response.content.decode()


def test_one_search_has_one_address(client, db, django_assert_num_queries):
    response = client.get(url("search", query="?q=%20%20Call%20%20CENTRE&utm_source=x"), follow=True)
    assert response.redirect_chain == [
        (url("search", query="?q=++Call++CENTRE"), 301),
        (url("search", query="?q=Call+CENTRE"), 301),
    ]
    assert response.status_code == 200 and "<mark>" in response.content.decode()
    with django_assert_num_queries(0):
        assert client.get(url("search", query="?q=Call+CENTRE")).content == response.content
    # Too long a query to search is refused, not redirected to a spelling of it.
    assert client.get(url("search", query="?q=" + "A" * 5000)).status_code == 400


# Failures ------------------------------------------------------------------------


class BrokenCache:
    """Stands in for a shared cache that is down: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


def test_with_the_cache_down_readers_get_rendered_pages_and_saves_go_through(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(page_cache, "cache", BrokenCache())
    response = client.get(PAGE)
    assert response.status_code == 200 and "s-maxage" not in response.get("Cache-Control", "")
    comparison = bpo_vs_kpo()
    comparison.key_difference_en = "Saved while the cache was down."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert Comparison.objects.get(pk=comparison.pk).key_difference_en == "Saved while the cache was down."
    assert "Saved while the cache was down." in client.get(PAGE).content.decode()


def test_cached_pages_expire(client, db, monkeypatch):
    stored = []
    real_set = page_cache.cache.set

    def recording_set(key, value, timeout, *args, **kwargs):
        stored.append((key, timeout))
        real_set(key, value, timeout, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "set", recording_set)
    client.get(PAGE)
    assert [timeout for key, timeout in stored if key.startswith("page:")] == [page_cache.PAGE_TIMEOUT]


def test_a_process_serves_its_recent_pages_without_reading_them_from_the_shared_cache(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    first = client.get(PAGE)
    page_reads = []
    real_get = page_cache.cache.get

    def counting_get(key, *args, **kwargs):
        if key.startswith("page:"):
            page_reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(page_cache.cache, "get", counting_get)
    again = client.get(PAGE)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert page_reads == []
    # The keys' versions are still read on every request: an edit shows at once.
    comparison = bpo_vs_kpo()
    comparison.key_difference_en = "Edited after the page was kept."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert "Edited after the page was kept." in client.get(PAGE).content.decode()


def test_a_disallowed_host_is_refused_even_for_a_cached_page(client, db):
    assert client.get(PAGE).status_code == 200
    client.raise_request_exception = False
    assert client.get(PAGE, headers={"host": "evil.example.com"}).status_code == 400
    response = client.get(PAGE, headers={"host": "evil.example.com", "if-none-match": "*"})
    assert response.status_code == 400


def test_a_cached_page_names_only_the_host_it_was_asked_at(client, db):
    pages = {
        host: client.get(PAGE, headers={"host": host}).content.decode()
        for host in ("localhost", "testserver")
    }
    pages["localhost again"] = client.get(PAGE, headers={"host": "localhost"}).content.decode()
    for host, other in (
        ("localhost", "testserver"),
        ("testserver", "localhost"),
        ("localhost again", "testserver"),
    ):
        assert f'<link rel="canonical" href="http://{host.split()[0]}/en/bpo-vs-kpo/">' in pages[host]
        assert other not in pages[host]


def test_admin_pages_are_never_cached_here_or_in_front(editor_client):
    assert_never_cached(Client().get("/admin/login/"))
    comparison = bpo_vs_kpo()
    history = admin_url(Comparison, "history", comparison.pk)
    for path in ("/admin/", admin_url(Comparison, "changelist"), change_url(comparison), history):
        assert_never_cached(editor_client.get(path))
    change(Comparison.objects.filter(pk=comparison.pk), conclusion_en="Changed since the pages were read.")
    assert "Changed since the pages were read." in editor_client.get(change_url(comparison)).content.decode()


def assert_never_cached(response):
    assert response.status_code == 200
    assert {"no-cache", "no-store", "private"} <= set(response["Cache-Control"].split(", "))
    assert not {"xkey", "Surrogate-Key", "Cache-Tag", "ETag"} & set(response.headers)


# Two servers -----------------------------------------------------------------------


@pytest.fixture
def two_servers(tmp_path):
    """
    Two app servers, as behind a load balancer, sharing one database and one
    cache. One worker each: a request to a server then surely reaches the
    process whose state the test is about.
    """
    env = site_environment(tmp_path)
    prepare_site(env)
    add_superuser(env, "anna", PASSWORD)
    servers = [Gunicorn(env, tmp_path / f"server-{name}.log", workers=1) for name in ("a", "b")]
    yield servers
    for server in servers:
        server.stop()


@pytest.mark.servers
def test_an_edit_through_one_server_refreshes_exactly_its_pages_on_the_other(two_servers):
    server_a, server_b = two_servers
    reader, _jar = browser_session()
    changed = (PAGE, "/uk/bpo-vs-kpo/", OTHER, url("comparison_list", "de"))
    unrelated = ("/en/ito-vs-call-centre/", url("category_detail", "uk", slug="ito"), "/de/kpo-vs-ito/")
    etags = {}
    for path in changed + unrelated:
        status, headers, body = fetch(reader, server_b.url + path)
        assert status == 200 and "bpo-vs-kpo" in body or path in unrelated
        etags[path] = headers["ETag"]

    unpublish(sign_in(server_a.url, "anna", PASSWORD), server_a.url, "BPO", "KPO")

    for path in changed:
        status, _headers, body = fetch(reader, server_b.url + path, headers={"If-None-Match": etags[path]})
        assert status == 200, path
        assert ("generated-notice" in body) if "bpo-vs-kpo" in path else ("bpo-vs-kpo" not in body), path
    for path in unrelated:
        status, _headers, _body = fetch(reader, server_b.url + path, headers={"If-None-Match": etags[path]})
        assert status == 304, path


# Purging the HTTP caches in front ---------------------------------------------------


class PurgeReceiver:
    """A stand-in for Varnish's purge endpoint: records each request, fails the first ``failures``."""

    def __init__(self, failures=0):
        import http.server
        import threading

        receiver = self
        self.requests = []
        self.failures = failures

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                receiver.requests.append((self.path, self.headers.get("xkey-purge", "")))
                failing = len(receiver.requests) <= receiver.failures
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keys(self):
        return [set(header.split()) for _path, header in self.requests]

    def wait_for(self, count, seconds=10):
        import time

        deadline = time.monotonic() + seconds
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def purge_receivers(settings, monkeypatch):
    from comparisons import purge

    receivers = [PurgeReceiver(), PurgeReceiver()]
    settings.CACHE_PURGE_URLS = [receiver.url for receiver in receivers]
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.05, 0.1, 0.2))
    settings.CACHE_PURGE_REPEAT_SECONDS = 0.05
    yield receivers
    for receiver in receivers:
        receiver.close()


def test_a_change_purges_exactly_its_keys_from_every_cache_in_front(
    db, settings, purge_receivers, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    # The repeat well after the first purge, however slowly the worker gets to that one.
    settings.CACHE_PURGE_REPEAT_SECONDS = 60
    comparison = bpo_vs_kpo()
    comparison.conclusion_uk = "Новий висновок."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    # The save does not wait for the caches in front: the task worker tells them.
    assert all(receiver.requests == [] for receiver in purge_receivers)
    run_tasks()
    for receiver in purge_receivers:
        assert receiver.keys() == [{f"c{comparison.pk}", "search", "sitemaps"}]
    # And once more later: the repeat waits for its time, which is made to come now.
    repeats = DBTaskResult.objects.filter(status="READY")
    assert repeats.count() == 2 and all(r.run_after > timezone.now() for r in repeats)
    repeats.update(run_after=timezone.now())
    run_tasks()
    for receiver in purge_receivers:
        assert receiver.keys() == [{f"c{comparison.pk}", "search", "sitemaps"}] * 2


def test_a_failed_purge_is_logged_and_tried_again_and_the_change_stays_saved(
    db, purge_receivers, caplog, django_capture_on_commit_callbacks
):
    failing, _working = purge_receivers
    failing.failures = 2
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Saved whatever the cache in front says."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert Comparison.objects.get(pk=comparison.pk).conclusion_en == "Saved whatever the cache in front says."
    run_tasks(wait=30)  # until every retry and repeat is done (at once where the machine keeps up)
    # The first attempt and its retry fail; the next one gets through (so does the repeat).
    requests = failing.requests
    assert len(requests) == 4 and len({header for _path, header in requests}) == 1
    # Each failure is logged; purges for that cache meanwhile are put off, not sent to fail too.
    warnings = [r.getMessage() for r in caplog.records if failing.url in r.getMessage()]
    failures = [message for message in warnings if "503" in message]
    assert len(failures) == 2 and all("trying again" in message for message in failures)
    assert all("503" in message or "put off" in message for message in warnings)


def test_an_unreachable_cache_is_given_up_after_the_retries_with_an_error(
    db, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from comparisons import purge
    from tests.servers import free_port

    settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}/"]
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.01, 0.02))
    settings.CACHE_PURGE_REPEAT_SECONDS = 0
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Saved with the cache in front away."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    run_tasks(wait=30)  # until the retries are done (at once where the machine keeps up)
    address = settings.CACHE_PURGE_URLS[0]
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if address in r.getMessage()]
    assert [level for level, _message in messages] == ["WARNING", "WARNING", "ERROR"]
    assert "3 times; given up" in messages[-1][1]


def test_without_caches_in_front_nothing_is_purged(db, settings, django_capture_on_commit_callbacks):
    assert settings.CACHE_PURGE_URLS == []
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "Nothing in front."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert run_tasks() == []


def test_purges_are_stored_with_their_delays_so_no_exiting_process_loses_one(db, settings):
    """Each purge is a task in the database before any is sent: a worker that starts later sends it."""
    from django_tasks_db.models import DBTaskResult

    from comparisons import purge

    settings.CACHE_PURGE_URLS = ["http://127.0.0.1:6081/"]
    settings.CACHE_PURGE_REPEAT_SECONDS = 2
    purge.purge({"c1", "search"})
    stored = DBTaskResult.objects.filter(task_path="comparisons.purge.send_purge").order_by("run_after")
    assert [(result.args_kwargs["args"], result.status) for result in stored] == [
        (["http://127.0.0.1:6081/", ["c1", "search"]], "READY")
    ] * 2
    # One now; the repeat in two seconds (a task due now has no run_after: the latest date stands for it).
    soon = (timezone.now(), timezone.now() + timedelta(seconds=3))
    assert stored.filter(run_after__range=soon).count() == 1


def test_purges_are_split_to_fit_a_request_header():
    from comparisons.purge import MAX_HEADER, batches

    keys = [f"c{number}" for number in range(5000)]
    parts = list(batches(keys))
    assert len(parts) > 1 and [key for part in parts for key in part] == keys
    assert all(len(" ".join(part)) <= MAX_HEADER for part in parts)


# Fragments ---------------------------------------------------------------------------


def test_a_page_rendered_again_for_a_neighbour_keeps_its_own_article(
    client, db, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The page's parts are cached apart: only the part that shows the changed record is fetched again."""
    client.get(PAGE)
    neighbour = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    neighbour.title_en = "A neighbour's new title"
    with django_capture_on_commit_callbacks(execute=True):
        neighbour.save()
    # Its categories, the comparison, and its related comparisons (their keys, then them): not its rows.
    with django_assert_num_queries(4):
        html = client.get(PAGE).content.decode()
    assert "A neighbour&#x27;s new title" in html and "comparison-table" in html

    row = bpo_vs_kpo().rows.select_related("attribute").first()
    row.attribute.label_en = "A relabelled attribute"
    with django_capture_on_commit_callbacks(execute=True):
        row.attribute.save()
    # Its categories, the comparison, its rows and its sources: not its neighbours.
    with django_assert_num_queries(4):
        html = client.get(PAGE).content.decode()
    assert "A relabelled attribute" in html and "A neighbour&#x27;s new title" in html


def test_a_fragment_rendered_while_its_record_changed_is_not_kept(client, db, monkeypatch):
    from comparisons.models import Comparison as Model

    comparison = bpo_vs_kpo()
    real_load = Model.load_page_parts

    def load_then_change(self):
        real_load(self)
        page_cache.invalidate({f"c{comparison.pk}"})  # committed meanwhile, by another worker

    monkeypatch.setattr(Model, "load_page_parts", load_then_change)
    client.get(PAGE)
    monkeypatch.setattr(Model, "load_page_parts", real_load)
    assert page_cache.cache.get(f"fragment:article:{comparison.pk}:en") is None
    client.get(PAGE)
    assert page_cache.cache.get(f"fragment:article:{comparison.pk}:en") is not None


def test_a_hit_reads_the_keys_versions_only_after_an_invalidation(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    """While no change has finished, one read of the shared cache tells that the page is still valid."""
    client.get(PAGE)
    client.get(PAGE)
    reads = []
    real_get_many = page_cache.cache.get_many
    monkeypatch.setattr(page_cache.cache, "get_many", lambda keys: reads.append(keys) or real_get_many(keys))
    client.get(PAGE)
    assert reads == []
    other = Comparison.objects.get(first__slug="bpo", second__slug="call-centre")
    other.conclusion_en = "Not on the other page."
    with django_capture_on_commit_callbacks(execute=True):
        other.save()
    assert client.get(PAGE).status_code == 200 and len(reads) == 1  # still valid: its keys are unchanged
    client.get(PAGE)
    assert len(reads) == 1
    comparison = bpo_vs_kpo()
    comparison.conclusion_en = "On this very page."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert "On this very page." in client.get(PAGE).content.decode()


def test_a_purge_to_a_cache_that_just_failed_waits_until_it_is_tried_again(db, purge_receivers, monkeypatch):
    """Held back without a try of its own while the cache is marked failing; a success clears the mark."""
    from django_tasks_db.models import DBTaskResult

    from comparisons import purge

    receiver, _other = purge_receivers
    monkeypatch.setattr(purge, "RETRY_DELAYS", (1, 1))
    purge.mark_failing(receiver.url, 1)  # a purge failed a moment ago; the cache is back meanwhile
    purge.send_purge.enqueue(receiver.url, ["c1"])
    run_tasks()
    assert receiver.requests == []  # held back: nothing sent to a cache marked failing
    (waiting,) = DBTaskResult.objects.filter(status="READY")
    assert (waiting.run_after - timezone.now()).total_seconds() < 2  # when the mark runs out
    assert waiting.args_kwargs["args"][2] == 0  # and no try used
    run_tasks(wait=10)
    assert receiver.keys() == [{"c1"}]
    assert purge.seconds_failing(receiver.url) == 0  # the mark is gone


def test_a_mark_outlasting_a_purges_schedule_never_holds_it_back_past_its_end(
    db, purge_receivers, monkeypatch
):
    from comparisons import purge

    receiver, _other = purge_receivers
    monkeypatch.setattr(purge, "RETRY_DELAYS", (0.1, 0.1))
    purge.mark_failing(receiver.url, 600)
    purge.send_purge.enqueue(receiver.url, ["c1"])
    run_tasks()
    assert receiver.keys() == [{"c1"}]  # sent at once: its whole schedule ends long before the mark


def test_no_purge_is_tried_past_the_end_of_its_schedule(db, monkeypatch, caplog):
    import time

    from django_tasks_db.models import DBTaskResult

    from comparisons import purge
    from tests.servers import free_port

    address = f"http://127.0.0.1:{free_port()}/"
    monkeypatch.setattr(purge, "RETRY_DELAYS", (300, 300, 300))
    # A purge that was held back while its cache was marked failing has tries left near its end.
    purge.send_purge.call(address, ["c1"], 1, time.time() + 2)
    (waiting,) = DBTaskResult.objects.filter(status="READY")
    assert (waiting.run_after - timezone.now()).total_seconds() <= 2  # at its deadline, not in five minutes
    run_tasks(wait=5)
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if address in r.getMessage()]
    assert [level for level, _message in messages] == ["WARNING", "ERROR"]
    assert "3 times; given up" in messages[-1][1]  # its third: it came with one try behind it
