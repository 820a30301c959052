"""The reader's pages in every language: status, language, content, links."""

import ast
import itertools
import json
import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from comparisons import search_terms
from comparisons.language_sentences import language_sentence
from comparisons.models import Category, Comparison
from comparisons.sitemaps import LanguageSitemap
from tests.helpers import LANGUAGES, bpo_vs_kpo, change, sitemap_text, url

TITLES = {
    "en": "Difference between BPO and KPO",
    "uk": "Різниця між BPO та KPO",
    "de": "Unterschied zwischen BPO und KPO",
}


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_lists_categories_and_comparisons(client, db, language):
    response = client.get(url("home", language))
    assert response.status_code == 200
    assert html_lang(response) == language
    html = response.content.decode()
    assert TITLES[language] in html
    for category in Category.objects.all():
        assert category.get_absolute_url().replace("/en/", f"/{language}/") in html
    assert 'role="search"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_comparison_page_shows_the_written_comparison(client, db, language):
    comparison = bpo_vs_kpo()
    response = client.get(url("comparison_detail", language, first="bpo", second="kpo"))
    assert response.status_code == 200
    assert html_lang(response) == language
    html = response.content.decode()
    assert f"<h1>{TITLES[language]}</h1>" in html
    first_paragraph = getattr(comparison, f"key_difference_{language}").split("\n\n")[0].strip()
    assert first_paragraph in html
    assert html.count("<tr>") == 1 + comparison.rows.count()
    for row in comparison.rows.all():
        assert getattr(row, f"first_value_{language}") in html
    assert "application/ld+json" in html
    assert html.index("key-heading") < html.index("table-heading") < html.index("conclusion-heading")


@pytest.mark.parametrize("language", LANGUAGES)
def test_category_page_groups_items_and_lists_comparisons(client, db, language):
    bpo = Category.objects.get(slug="bpo")
    response = client.get(url("category_detail", language, slug="bpo"))
    assert response.status_code == 200
    html = response.content.decode()
    assert getattr(bpo, f"summary_{language}") in html
    for item in bpo.items.all():
        assert getattr(item, f"name_{language}") in html
    assert url("comparison_detail", language, first="bpo", second="kpo") in html
    assert url("category_detail", language, slug="call-centre") in html  # a child
    assert url("category_detail", language, slug="outsourcing") in html  # the parent


def test_a_list_of_items_is_headed_in_the_plural_and_one_item_named_in_the_singular(client, db):
    html = client.get(url("category_detail", "en", slug="bpo")).content.decode()
    assert '<h2 id="kind-service">Services</h2>' in html
    item = Category.objects.get(slug="bpo").items.filter(kind="service").first()
    found = client.get(url("search", "en", query=f"?q={item.name_en.split()[0]}")).content.decode()
    assert "— service," in found


@pytest.mark.parametrize("language", LANGUAGES)
def test_reversed_pair_redirects_to_canonical(client, db, language):
    response = client.get(url("comparison_detail", language, first="kpo", second="bpo"))
    assert response.status_code == 301
    assert response.url == url("comparison_detail", language, first="bpo", second="kpo")


@pytest.mark.parametrize("language", LANGUAGES)
def test_unwritten_pair_is_generated_and_labelled(client, db, language):
    kpo, call = Category.objects.get(slug="kpo"), Category.objects.get(slug="call-centre")
    first, second = sorted([kpo, call], key=lambda c: (c.order, c.slug))
    response = client.get(url("comparison_detail", language, first=first.slug, second=second.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert "generated-notice" in html
    assert "<table" in html


def test_every_pair_of_existing_categories_answers_without_error(client, db):
    slugs = list(Category.objects.values_list("slug", flat=True))
    for a in slugs:
        for b in slugs:
            response = client.get(url("comparison_detail", "en", first=a, second=b))
            assert response.status_code in (200, 301), (a, b)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_slugs_are_localized_404s(client, db, language):
    for path in [
        url("comparison_detail", language, first="bpo", second="nothing"),
        url("category_detail", language, slug="nothing"),
        f"/{language}/no-such-page/",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert html_lang(response) == language
        with translation.override(language):
            assert translation.gettext("Page not found") in response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_compare_form_redirects_to_the_pair(client, db, language):
    """In one step, to the address of the pair's page: the written comparison's order, or the fixed one."""
    response = client.get(url("compare", language), {"first": "kpo", "second": "bpo"})
    assert response.status_code == 302
    assert response.url == url("comparison_detail", language, first="bpo", second="kpo")
    assert client.get(response.url).status_code == 200
    response = client.get(url("compare", language), {"first": "ito", "second": "kpo"})
    assert response.url == url("comparison_detail", language, first="kpo", second="ito")
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_compare_page_shows_the_matrix(client, db, language):
    response = client.get(url("compare", language))
    assert response.status_code == 200
    html = response.content.decode()
    count = Category.objects.count()
    assert html.count('class="matrix"') == 1
    assert len(re.findall(r'<td><a href="', html)) == count * (count - 1)


@pytest.mark.parametrize(
    "query",
    [
        {"first": "bpo", "second": "bpo"},
        {"first": "bpo", "second": "kpo", "third": "bpo"},
        {"first": "bpo", "second": "kpo", "third": "ito", "fourth": "kpo"},
    ],
)
def test_compare_form_rejects_the_same_category_twice(client, db, query):
    response = client.get(url("compare", "de"), query, follow=True)  # the parameters in order first
    assert response.status_code == 400
    assert "Wählen Sie jede Kategorie nur einmal aus." in response.content.decode()


@pytest.mark.parametrize(
    "language, query",
    [("uk", "АУТСОРСИНГ"), ("uk", "знань"), ("de", "CALLCENTER"), ("de", "ÜBER"), ("en", "PAYROLL")],
)
def test_search_is_case_insensitive_and_highlights(client, db, language, query):
    response = client.get(url("search", language), {"q": query}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert marks, html
    assert all(mark.lower() == query.lower() for mark in marks)


def test_search_shows_the_query_as_typed_and_each_example_once(client, db):
    """Two articles list the call centre as an example of BPO: one result, under the reader's spelling."""
    response = client.get(url("search", "de"), {"q": "  CallCenter "})
    assert response.status_code == 301 and response["Location"].endswith("?q=CallCenter")
    html = client.get(response["Location"]).content.decode()
    assert "„CallCenter“" in html and "„callcenter“" not in html
    # Once per category and kind: BPO's call centre is an example and a service.
    examples = re.findall(r"<li><mark>[^<]+</mark> — ([^,]+), <a href=\"([^\"]+)\"", html)
    assert len(examples) == len(set(examples)) >= 2, examples
    assert len({href for _kind, href in examples}) < len(examples)


def test_a_search_finding_many_examples_makes_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        html = client.get(url("search", "en"), {"q": "ing"}).content.decode()
    assert html.count('<section aria-labelledby="found-items">') == 1


def test_the_footer_links_pages_for_readers_not_the_xml_sitemap(client, db):
    html = client.get(url("home", "uk")).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert reverse("sitemap") not in footer
    assert url("category_list", "uk") in footer and url("comparison_list", "uk") in footer


@pytest.mark.parametrize("query", ["", "x" * 101, "a\x00b"])
def test_bad_search_input_is_a_clear_400(client, db, query):
    """An empty box sent, too long a query or a NUL: a 400 page, never a search."""
    response = client.get(url("search", "en"), {"q": query})
    assert response.status_code == 400


def test_root_redirects_by_accept_language(client, db):
    response = client.get("/", headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.url == "/de/"


def test_explicit_language_choice_is_remembered(client, db):
    target = url("comparison_detail", "uk", first="bpo", second="kpo")
    response = client.get(reverse("choose_language", args=["uk"]), {"next": target})
    assert response.status_code == 302
    assert response.url == target
    response = client.get("/", headers={"accept-language": "de"})
    assert response.url == "/uk/"


def test_language_choice_ignores_foreign_redirects(client, db):
    response = client.get(reverse("choose_language", args=["de"]), {"next": "https://evil.example/"})
    assert response.url == "/de/"


@pytest.mark.parametrize(
    "next_url",
    [
        "abc",
        "comparisons:home",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "/de/\r\nX: 1",
        "",
    ],
)
def test_language_choice_goes_home_unless_next_is_a_path_on_this_site(client, db, next_url):
    response = client.get(reverse("choose_language", args=["uk"]), {"next": next_url})
    assert response.status_code == 302
    assert response.url == url("home", "uk")


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switcher_lands_on_the_same_page(client, db, language):
    response = client.get(url("comparison_detail", language, first="bpo", second="call-centre"))
    html = response.content.decode()
    for other in set(LANGUAGES) - {language}:
        target = url("comparison_detail", other, first="bpo", second="call-centre")
        assert f"next={target.replace('/', '%2F')}" in html


def test_hreflang_lists_only_complete_languages(client, db):
    change(Comparison.objects.filter(first__slug="bpo", second__slug="kpo"), conclusion_de="")
    html = client.get(url("comparison_detail", "en", first="bpo", second="kpo")).content.decode()
    hreflangs = re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html)
    assert hreflangs == ["en", "uk", "x-default"]
    assert '<link rel="canonical" href="http://testserver/en/bpo-vs-kpo/">' in html


def test_missing_translation_falls_back_to_english_visibly(client, db):
    comparison = bpo_vs_kpo()
    change(Comparison.objects.filter(pk=comparison.pk), conclusion_de=None)
    html = client.get(url("comparison_detail", "de", first="bpo", second="kpo")).content.decode()
    english = comparison.conclusion_en.split("\n\n")[0].strip()
    assert f'<p lang="en">{english}' in html
    assert "noch nicht übersetzt" in html


def test_unpublished_comparison_is_not_shown(client, db):
    change(Comparison.objects.filter(first__slug="bpo", second__slug="kpo"), is_published=False)
    response = client.get(url("comparison_detail", "en", first="bpo", second="kpo"))
    assert "generated-notice" in response.content.decode()


def test_sitemap_lists_pages_with_real_alternates(client, db):
    change(Comparison.objects.filter(first__slug="bpo", second__slug="kpo"), conclusion_uk="")
    xml = sitemap_text(client)
    assert "<loc>http://testserver/en/bpo-vs-kpo/</loc>" in xml
    assert "<loc>http://testserver/de/bpo-vs-kpo/</loc>" in xml
    assert "<loc>http://testserver/uk/bpo-vs-kpo/</loc>" not in xml
    assert 'hreflang="uk" href="http://testserver/uk/bpo-vs-kpo/"' not in xml
    assert 'hreflang="de" href="http://testserver/de/bpo-vs-kpo/"' in xml
    assert 'hreflang="x-default" href="http://testserver/en/bpo-vs-kpo/"' in xml
    assert "<loc>http://testserver/de/kategorien/bpo/</loc>" in xml
    assert "<loc>http://testserver/uk/porivniaty/</loc>" in xml
    assert "<loc>http://testserver/de/vergleiche/</loc>" in xml


def test_the_sitemap_and_each_page_name_the_same_languages(client, db):
    change(Comparison.objects.filter(first__slug="bpo", second__slug="kpo"), title_uk="BPO чи KPO")
    change(Comparison.objects.filter(first__slug="bpo", second__slug="call-centre"), conclusion_de="")
    change(Category.objects.filter(slug="ito"), genitive_uk="")
    xml = sitemap_text(client)
    pages = [*Comparison.objects.published(), *Category.objects.all()]
    for page in pages:
        for language in LANGUAGES:
            with translation.override(language):
                address = page.get_absolute_url()
            html = client.get(address).content.decode()
            hreflangs = re.findall(r'<link rel="alternate" hreflang="([a-z]{2})"', html)
            assert (f"<loc>http://testserver{address}</loc>" in xml) == (language in hreflangs), address


def test_sitemap_sections_are_ranges_of_keys_in_a_bounded_number_of_queries(
    client, db, monkeypatch, django_assert_max_num_queries
):
    """The index needs the highest key of each model; a page its own range: neither grows with the content."""
    monkeypatch.setattr(LanguageSitemap, "limit", 1)
    pages = Comparison.objects.order_by("-pk").first().pk
    assert pages > 1
    with django_assert_max_num_queries(len(LANGUAGES) * 2):
        index = client.get("/sitemap.xml")
    root = ElementTree.fromstring(index.content)
    addresses = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"http://testserver/sitemap-comparisons-en.xml?p={pages}" in addresses
    assert f"http://testserver/sitemap-comparisons-en.xml?p={pages + 1}" not in addresses
    listed = []
    for page in range(1, pages + 1):
        with django_assert_max_num_queries(2):
            response = client.get("/sitemap-comparisons-en.xml" + (f"?p={page}" if page > 1 else ""))
        assert response.status_code == 200 and response["Content-Type"] == "application/xml"
        listed += re.findall(r"<loc>http://testserver/en/([^<]+)/</loc>", response.content.decode())
    published = Comparison.objects.published().select_related("first", "second")
    assert sorted(listed) == sorted(f"{c.first.slug}-vs-{c.second.slug}" for c in published)
    for page in (f"{pages + 1}", "0", "x", "02", "+2", "2_0", "١"):
        assert client.get("/sitemap-comparisons-en.xml", {"p": page}).status_code == 404, page
    first = client.get("/sitemap-comparisons-en.xml?p=1")
    assert first.status_code == 301 and first["Location"] == "/sitemap-comparisons-en.xml"
    assert client.get("/sitemap-nothing-en.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()


@pytest.mark.parametrize(
    "language, query, stored", [("uk", "рпо", "РПО"), ("de", "ÜBERSETZUNG", "Übersetzung")]
)
def test_search_folds_cyrillic_and_umlauts_in_the_database(client, make_category, language, query, stored):
    make_category("rpo", **{f"summary_{language}": f"Über {stored} und mehr"})
    response = client.get(url("search", language), {"q": query}, follow=True)
    assert f"<mark>{stored}</mark>" in response.content.decode()


def test_search_uses_english_where_the_language_has_no_text(client, make_category):
    make_category("fao", summary_de="", summary_en="Overseen by the CFO")
    html = client.get(url("search", "de"), {"q": "cfo"}).content.decode()
    assert "<mark>CFO</mark>" in html


PUBLIC_PAGES = [
    ("home", {}),
    ("comparison_detail", {"first": "bpo", "second": "kpo"}),
    ("comparison_detail", {"first": "bpo", "second": "call-centre"}),
    ("comparison_detail", {"first": "kpo", "second": "ito"}),
    ("category_detail", {"slug": "contact-centre"}),
    ("compare", {}),
    ("search", {}),
]


def catalogue(language):
    """{English: translation} of the catalogue's plain entries (no context, no plural, not fuzzy)."""
    text = (settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po").read_text()
    entries = {}
    for block in text.split("\n\n"):
        if "#, fuzzy" in block or "msgctxt" in block or "msgid_plural" in block:
            continue
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.M)[1:]
        fields = {
            key: "".join(ast.literal_eval(line) for line in value.splitlines() if line.startswith('"'))
            for key, value in zip(parts[::2], parts[1::2], strict=True)
        }
        if fields.get("msgid") and fields.get("msgstr"):
            entries[fields["msgid"]] = fields["msgstr"]
    return entries


def interface_strings(language):
    """(English, translation) for each interface string that its catalogue translates."""
    # The language switcher names each language in that language, by design.
    with translation.override("en"):
        native_names = {str(name) for _code, name in settings.LANGUAGES}
    for msgid, msgstr in catalogue(language).items():
        if msgid not in native_names and msgstr != msgid and "%" not in msgid and len(msgid) > 3:
            yield msgid, msgstr


@pytest.mark.parametrize("language", ["uk", "de"])
@pytest.mark.parametrize("name, kwargs", PUBLIC_PAGES)
def test_no_english_interface_text_leaks_into_translated_pages(client, db, language, name, kwargs):
    html = client.get(
        url(name, language, **kwargs), {"q": "bpo"} if name == "search" else {}
    ).content.decode()
    visible_attributes = ("aria-label", "title", "alt", "placeholder")
    leaks = [
        msgid
        for msgid, _ in interface_strings(language)
        if f">{msgid}<" in html or any(f'{attribute}="{msgid}"' in html for attribute in visible_attributes)
    ]
    assert leaks == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name, kwargs", PUBLIC_PAGES)
def test_pages_need_no_javascript_and_describe_themselves(client, db, language, name, kwargs):
    html = client.get(url(name, language, **kwargs)).content.decode()
    assert "<script src" not in html and "<script>" not in html
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert re.search(r"<title>[^<]{10,}</title>", html)
    assert html.count("<h1") == 1
    assert '<main id="main">' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_page_is_localized_and_in_the_layout(rf, db, language):
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(rf.get(f"/{language}/"))
        expected = translation.gettext("Something went wrong")
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in html
    assert expected in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_pages_paginate_and_filter(client, db, language):
    response = client.get(url("comparison_list", language))
    assert response.status_code == 200
    assert url("comparison_detail", language, first="bpo", second="kpo") in response.content.decode()
    response = client.get(url("comparison_list", language), {"category": "call-centre"})
    html = response.content.decode()
    assert url("comparison_detail", language, first="bpo", second="call-centre") in html
    assert url("comparison_detail", language, first="bpo", second="kpo") not in html
    response = client.get(url("category_list", language))
    assert response.status_code == 200
    assert url("category_detail", language, slug="contact-centre") in response.content.decode()


@pytest.mark.parametrize(
    "name, query",
    [
        ("comparison_list", {"category": "nothing"}),
        *(
            (name, {"page": page})
            for name in ("comparison_list", "category_list")
            # No such page, not a number, and the first page under other spellings
            # (one address per page); "١" is an Arabic-Indic one, which int() takes.
            for page in ("999", "x", "9" * 40, "last", "01", "+1", "١")
        ),
    ],
)
def test_list_pages_answer_bad_parameters_with_404(client, db, name, query):
    assert client.get(url(name, "en"), query).status_code == 404


@pytest.mark.parametrize(
    "query, address", [("page=1", ""), ("page=", ""), ("category=bpo&page=1", "?category=bpo")]
)
def test_page_1_of_a_list_is_the_lists_own_address(client, db, query, address):
    response = client.get(f"{url('comparison_list', 'en')}?{query}")
    assert response.status_code == 301
    assert response["Location"] == url("comparison_list", "en") + address


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("query", ["category=%00", "page=%00", "category=%ff", "q=%C0%AE", "%00=x"])
def test_nul_or_invalid_utf8_in_a_query_is_a_400_in_the_readers_language(client, db, language, query):
    client.raise_request_exception = False
    response = client.get(f"{url('comparison_list', language)}?{query}")
    assert response.status_code == 400
    assert html_lang(response) == language
    with translation.override(language):
        assert translation.gettext("Bad request") in response.content.decode()


@pytest.mark.parametrize(
    "path, status",
    [
        ("/uk/%00/", 400),
        ("/uk/categories/bpo%00/", 400),
        ("/language/uk/%00/", 400),
        ("/uk/bpo-vs-kpo%C0%AF/", 404),
    ],
)
def test_nul_or_invalid_utf8_in_a_path_is_a_clear_4xx_in_the_readers_language(client, db, path, status):
    client.raise_request_exception = False
    response = client.get(path, headers={"accept-language": "uk"})
    assert response.status_code == status
    assert html_lang(response) == "uk"
    assert ("Некоректний запит" if status == 400 else "Сторінку не знайдено") in response.content.decode()


def test_a_database_error_in_a_list_is_a_503_never_a_404(client, db, monkeypatch):
    from django.core.paginator import Paginator
    from django.db import OperationalError

    import outsourcing_kb.middleware

    def unreachable(self):
        raise OperationalError("the database is away")

    monkeypatch.setattr(Paginator, "count", property(unreachable))
    monkeypatch.setattr(outsourcing_kb.middleware, "database_status", lambda: "unavailable")
    response = client.get(url("comparison_list", "de"), {"page": "2"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert html_lang(response) == "de"


def test_search_can_use_the_trigram_indexes_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only; SQLite has its FTS5 tables")
    # On a few seeded rows a scan is cheaper, and a plain index scan on the primary key
    # serves the ordering; with both turned off only the trigram indexes are left.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    with translation.override("uk"):
        for queryset in (Comparison.objects.search("знань"), Category.objects.search("знань")):
            plan = queryset.explain()
            assert "Bitmap Index Scan on search_" in plan, plan
            assert "Disabled" not in plan, plan


@pytest.mark.parametrize("language", ["en", "uk", "de"])
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("comparison_detail", {"first": "bpo", "second": "kpo"}),
        ("comparison_detail", {"first": "bpo", "second": "call-centre"}),
        ("comparison_detail", {"first": "kpo", "second": "ito"}),
        ("category_detail", {"slug": "bpo"}),
        ("home", {}),
    ],
)
def test_long_texts_are_paragraphs_never_escaped_markup(client, db, language, name, kwargs):
    html = client.get(url(name, language, **kwargs)).content.decode()
    assert "&lt;" not in html and "&gt;" not in html
    if name != "home":
        assert re.search(r"<p>[^<]{40,}</p>", html)


@pytest.mark.parametrize("query", ["кпо", "КПО"])
def test_an_abbreviation_typed_in_cyrillic_finds_the_latin_one(client, db, query):
    html = client.get(url("search", "uk"), {"q": query}, follow=True).content.decode()
    assert "<mark>KPO</mark>" in html
    assert "Також враховано: «KPO», «аутсорсинг процесів обробки знань»." in html
    assert url("comparison_detail", "uk", first="bpo", second="kpo") in html


def terms_for(query, language="en"):
    with translation.override(language):
        return search_terms.QueryReading.of_published().terms_for(query)


def test_a_query_also_means_the_other_spelling_the_abbreviation_or_the_name(db):
    assert terms_for("бпо", "uk") == ["бпо", "BPO", "аутсорсинг бізнес-процесів"]
    assert terms_for("та", "uk") == ["та"]  # "ta" is no category's abbreviation
    assert terms_for("BPO") == ["BPO", "Business Process Outsourcing"]
    assert terms_for("business  process OUTSOURCING") == ["business  process OUTSOURCING", "BPO"]
    assert terms_for("Call Center") == ["Call Center", "call centre"]
    assert terms_for("call-center") == ["call-center", "call-centre", "Call centre"]
    assert terms_for("call center", "de") == ["call center", "call centre", "Callcenter"]
    # The other spelling is read for names too: the contact centre's German name.
    assert terms_for("Contact Center", "de") == ["Contact Center", "contact centre", "Contact-Center"]
    assert terms_for("кол центр", "uk") == ["кол центр", "Кол-центр"]
    assert terms_for("organisation") == ["organisation", "organization"]
    assert terms_for("payroll") == ["payroll"]


def test_a_query_is_read_against_published_categories_only(db, make_category):
    hidden = make_category("wso", is_published=False)
    assert hidden.abbreviation_en not in terms_for(hidden.name_en)


@pytest.mark.parametrize(
    ("language", "query", "found"),
    [
        ("en", "call center", "Call centre"),
        ("en", "business process outsourcing", "BPO"),
        ("de", "Call Center", "Callcenter"),
        ("de", "Contact Center", "Contact-Center"),
        ("uk", "бпо", "BPO"),
    ],
)
def test_a_search_finds_what_readers_type(client, db, language, query, found):
    html = client.get(url("search", language), {"q": query}).content.decode()
    categories = html[html.index('id="found-categories"') :]
    assert f"<mark>{found}</mark>" in categories


@pytest.mark.parametrize(
    ("language", "query", "status"),
    [
        ("en", "outsorcing", "Nothing found for “outsorcing”. 11 results for “outsourcing”."),
        ("en", "konwledge", "Nothing found for “konwledge”."),
        ("uk", "аутсорсинк", "За запитом «аутсорсинк» нічого не знайдено."),
    ],
)
def test_a_typo_one_letter_off_finds_what_the_word_finds_and_says_so(client, db, language, query, status):
    html = client.get(url("search", language), {"q": query}).content.decode()
    assert status in html
    assert "<mark>" in html


@pytest.mark.parametrize(
    ("language", "query", "offered"),
    [
        ("de", "Kalcenter", 'Meinten Sie <a href="/de/suche/?q=Callcenter">„Callcenter“</a>?'),
        ("en", "processor", 'Did you mean <a href="/en/search/?q=Process">“Process”</a>?'),
    ],
)
def test_a_word_two_letters_off_is_only_offered(client, db, language, query, offered):
    """A word of its own may be that close to a name ("processor"): no results are shown for another."""
    html = client.get(url("search", language), {"q": query}).content.decode()
    assert offered in html
    assert "<mark>" not in html and "Nothing found" not in html and "nichts gefunden" not in html


@pytest.mark.parametrize("query", ["contractor", "businessman", "xyzzy"])
def test_a_word_far_from_every_name_is_neither_corrected_nor_offered(client, db, query):
    html = client.get(url("search", "en"), {"q": query}).content.decode()
    assert f"0 results for “{query}”." in html
    assert "Nothing found" not in html and "Did you mean" not in html


def test_a_correction_that_finds_nothing_is_not_shown(client, db, monkeypatch):
    monkeypatch.setattr(search_terms.QueryReading, "corrected", lambda self, query, most=1: "zzzz")
    html = client.get(url("search", "en"), {"q": "outsorcing"}).content.decode()
    assert "0 results for “outsorcing”." in html and "zzzz" not in html


def test_a_term_read_from_a_query_is_escaped(client, db):
    html = client.get(url("search", "en"), {"q": "<b>call</b> center"}).content.decode()
    assert "<b>" not in html and "&lt;b&gt;call&lt;/b&gt; centre" in html


def test_a_german_word_keeps_its_sharp_s(db, make_category):
    with translation.override("de"):
        make_category("wholesale", name_de="Großhandel", nominative_de="Großhandel")
        reading = search_terms.QueryReading.of_published()
        assert reading.corrected("Großhandl") == "Großhandel"
        assert "Großhandel" in reading.terms_for("Groß handel")


def test_what_two_articles_both_say_is_listed_once_with_both_sources(client, db):
    # The BPO history paragraph is in the Ukrainian and the German article alike.
    html = client.get(url("category_detail", "en", slug="bpo")).content.decode()
    items = re.findall(r"<li><span>Data entry</span>(.*?)</li>", html, re.DOTALL)
    # Once as an example (from two articles) and once as a service (from the English page).
    assert sorted(item.count('<details class="source">') for item in items) == [1, 2]
    html = client.get(url("comparison_detail", "en", first="kpo", second="ito")).content.decode()
    assert html.count("<span>Knowledge Process Outsourcing</span>") == 1


def test_switching_language_on_search_results_keeps_the_query(client, db):
    html = client.get(url("search", "uk"), {"q": "кпо"}).content.decode()
    link = re.search(r'<a href="([^"]+)" hreflang="en"', html).group(1).replace("&amp;", "&")
    response = client.get(link, follow=True)
    assert response.request["PATH_INFO"] == url("search", "en")
    assert "<mark>KPO</mark>" in response.content.decode()


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_one(client, db):
    html = client.get(url("home", "en")).content.decode()
    icon = re.search(r'<link rel="icon" href="(/static/img/favicon\.[0-9a-f]+\.svg)"', html)
    assert icon


EVERY_KIND_OF_PAGE = [
    ("home", {}, ""),
    ("category_list", {}, ""),
    ("comparison_list", {}, ""),
    ("comparison_list", {}, "?category=bpo"),
    ("compare", {}, ""),
    ("search", {}, "?q=bpo"),
    ("category_detail", {"slug": "call-centre"}, ""),
    ("comparison_detail", {"first": "bpo", "second": "kpo"}, ""),
    ("comparison_detail", {"first": "kpo", "second": "ito"}, ""),  # generated
    ("glossary", {}, ""),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "kwargs", "query"), EVERY_KIND_OF_PAGE)
def test_every_public_page_names_its_languages_and_x_default(client, db, name, kwargs, query, language):
    html = client.get(url(name, language, **kwargs) + query).content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert list(alternates) == [*LANGUAGES, "x-default"]
    for code in LANGUAGES:
        assert alternates[code] == f"http://testserver{url(name, code, **kwargs)}"
    assert alternates["x-default"] == alternates["en"]


def test_a_generated_page_names_only_the_languages_of_what_it_shows(
    client, db, django_capture_on_commit_callbacks
):
    ito = Category.objects.get(slug="ito")
    with django_capture_on_commit_callbacks(execute=True):  # the page cache hears of it
        change(Category.objects.filter(slug="ito"), description_uk="")  # not on this page
    html = client.get(url("comparison_detail", "en", first="kpo", second="ito")).content.decode()
    assert re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html) == [*LANGUAGES, "x-default"]
    with django_capture_on_commit_callbacks(execute=True):
        change(ito.attribute_values.all()[:1], value_de="")  # in its table
    html = client.get(url("comparison_detail", "en", first="kpo", second="ito")).content.decode()
    assert re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html) == ["en", "uk", "x-default"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_title_written_for_one_language_replaces_the_pattern_there_only(client, db, language):
    comparison = bpo_vs_kpo()
    with translation.override("de"):
        pattern_de = comparison.get_title()
    change(Comparison.objects.filter(pk=comparison.pk), title_de="BPO oder KPO: worin sie sich unterscheiden")
    html = client.get(url("comparison_detail", language, first="bpo", second="kpo")).content.decode()
    listed = client.get(url("comparison_list", language)).content.decode()
    if language == "de":
        assert "<h1>BPO oder KPO: worin sie sich unterscheiden</h1>" in html
        assert '"headline": "BPO oder KPO: worin sie sich unterscheiden"' in html
        assert ">BPO oder KPO: worin sie sich unterscheiden</a>" in listed
        assert f"<h1>{pattern_de}</h1>" not in html
    else:
        assert f"<h1>{TITLES[language]}</h1>" in html
        assert "worin sie sich" not in html + listed
    # An empty title is no missing translation: the page is whole in every language.
    assert re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html) == [*LANGUAGES, "x-default"]


def test_a_title_written_in_the_original_is_translators_work_in_the_others(db):
    comparison = bpo_vs_kpo()  # written in Ukrainian
    assert comparison.translation_status("title", "de") == "up-to-date"
    change(Comparison.objects.filter(pk=comparison.pk), title_uk="BPO чи KPO: у чому різниця")
    assert Comparison.objects.missing_in("de").filter(pk=comparison.pk).exists()
    assert not Comparison.objects.missing_in("uk").filter(pk=comparison.pk).exists()
    comparison.refresh_from_db()
    assert comparison.missing_translations("en") == ["title"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_is_named_by_a_whole_sentence(client, db, language):
    comparison = bpo_vs_kpo()
    html = client.get(url("comparison_detail", language, first="bpo", second="kpo")).content.decode()
    with translation.override(language):
        assert language_sentence("originally_written_in", comparison.original_language) in html
        for source in comparison.sources.all():
            assert f"({language_sentence('article_in', source.language)})" in html


def test_a_generated_table_shows_what_both_are_said_to_be_first_and_folds_the_rest(client, db):
    """KPO vs ITO: the sources cover ITO in few of the rows; those come first, the others fold away."""
    html = client.get(url("comparison_detail", "uk", first="kpo", second="ito")).content.decode()
    tables = re.findall(r'<table class="comparison-table">.*?</table>', html, re.S)
    assert len(tables) == 2
    folded = html[html.index('<details class="said-of-some no-difference">') :]
    assert folded.index("<summary>") < folded.index(tables[1])
    both, one = (len(re.findall(r"<tr>|<tr class", table)) - 1 for table in tables)  # less the head row
    assert both >= 1 and one >= 1
    assert "у джерелах не згадано" not in tables[0] and "у джерелах не згадано" in tables[1]
    assert f"Ще {one} критеріїв, за якими джерела описують лише одну з двох категорій" in html
    # What is said of one of them only shows no difference: "differences only" hides it.
    assert tables[1].count('<tr class="no-difference">') == one
    assert tables[0].count('<tr class="no-difference">') == 0
    assert '<input type="checkbox" id="differences-only">' in html


def test_a_generated_table_can_show_only_where_the_categories_differ(
    client, make_category, source, django_capture_on_commit_callbacks
):
    from comparisons.models import Attribute, AttributeValue

    first, second = make_category("aaa"), make_category("bbb")
    for slug, values in (("same", ("Shared.", "shared. ")), ("different", ("One thing.", "Another."))):
        attribute = Attribute.objects.create(slug=slug, label_en=slug.title(), is_published=True)
        for category, value in zip((first, second), values, strict=True):
            AttributeValue.objects.create(
                category=category, attribute=attribute, source=source, value_en=value
            )
    html = client.get(url("comparison_detail", first="aaa", second="bbb")).content.decode()
    assert '<input type="checkbox" id="differences-only">' in html
    assert re.findall(r'<tr class="no-difference">\s*<th scope="row">(?:<span[^>]*>)?([^<]+)<', html) == [
        "Same"
    ]
    assert 'class="said-of-some' not in html
    # Where they agree on everything, there is nothing to show only the differences of.
    with django_capture_on_commit_callbacks(execute=True):  # the change announced: the page is renewed
        AttributeValue.objects.filter(category=second, attribute__slug="different").update(
            value_en="One thing."
        )
    html = client.get(url("comparison_detail", first="aaa", second="bbb")).content.decode()
    assert html.count('<tr class="no-difference">') == 2 and 'id="differences-only"' not in html


def rename(category, slug, django_capture_on_commit_callbacks, languages=LANGUAGES):
    """A new slug in ``languages`` (all of them unless named)."""
    with django_capture_on_commit_callbacks(execute=True):  # the change announced: pages renewed
        for code in languages:
            setattr(category, f"slug_{code}", slug)
        category.save()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_address_that_named_a_renamed_category_redirects_in_one_step(
    client, db, language, django_capture_on_commit_callbacks
):
    bpo = Category.objects.get(slug="bpo")
    old = {
        "category": url("category_detail", language, slug="bpo"),
        "written": url("comparison_detail", language, first="bpo", second="kpo"),
        "reversed": url("comparison_detail", language, first="kpo", second="bpo"),
        "generated": url("comparison_detail", language, first="bpo", second="ito"),
        "three": url("comparison_of_many", language, slugs=["kpo", "bpo", "ito"]),
    }
    for address in old.values():  # cached before the rename
        assert client.get(address).status_code in (200, 301)
    rename(bpo, "business-process-outsourcing", django_capture_on_commit_callbacks)
    for address in old.values():  # redirects cached before the second rename
        assert client.get(address).status_code == 301
    # A chain: each old slug goes to the newest.
    rename(bpo, "bpo-services", django_capture_on_commit_callbacks)
    new = {
        "category": url("category_detail", language, slug="bpo-services"),
        "written": url("comparison_detail", language, first="bpo-services", second="kpo"),
        "reversed": url("comparison_detail", language, first="bpo-services", second="kpo"),
        "generated": url("comparison_detail", language, first="bpo-services", second="ito"),
        "three": url("comparison_of_many", language, slugs=["bpo-services", "kpo", "ito"]),
    }
    for name, address in old.items():
        for before in (address, address.replace("bpo", "business-process-outsourcing", 1)):
            response = client.get(before)
            assert (response.status_code, response["Location"]) == (301, new[name]), (name, before)
        assert client.get(new[name]).status_code == 200, name


def test_a_former_slug_taken_by_another_category_is_that_categorys(
    client, db, make_category, django_capture_on_commit_callbacks
):
    rename(Category.objects.get(slug="kpo"), "knowledge", django_capture_on_commit_callbacks)
    assert client.get(url("category_detail", slug="kpo")).status_code == 301
    with django_capture_on_commit_callbacks(execute=True):
        make_category("kpo")
    response = client.get(url("category_detail", slug="kpo"))
    assert response.status_code == 200 and "kpo outsourcing" in response.content.decode()
    # The pair's address names the new category: a generated comparison, not the written BPO vs KPO.
    pair = client.get(url("comparison_detail", first="bpo", second="kpo"), follow=True)
    assert pair.status_code == 200 and "generated-notice" in pair.content.decode()
    # Renamed back, a category's slug is its own again, and no longer a former one.
    rename(Category.objects.get(slug="knowledge"), "kpo-knowledge", django_capture_on_commit_callbacks)
    assert client.get(url("category_detail", slug="knowledge")).status_code == 301
    assert client.get(url("category_detail", slug="no-such-slug")).status_code == 404


def test_a_rename_in_the_admin_and_its_revert_both_leave_redirects(
    client, db, django_capture_on_commit_callbacks
):
    """The slug's two paths an editor takes: the change form, and History's revert of it."""
    from reversion.models import Version

    from tests.helpers import admin_url, editor, form_data, post_change_form

    editor_client = editor("rita")
    itself = Category.objects.get(slug="ito")
    before = Version.objects.get_for_object(itself).first()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_change_form(editor_client, itself, slug_de="it-outsourcing").status_code == 302
    assert client.get(url("category_detail", "de", slug="ito"))["Location"] == url(
        "category_detail", "de", slug="it-outsourcing"
    )
    assert client.get(url("category_detail", "en", slug="ito")).status_code == 200
    revert = admin_url(Category, "revision", itself.pk, before.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(revert, form_data(editor_client.get(revert))).status_code == 302
    assert client.get(url("category_detail", "de", slug="ito")).status_code == 200
    assert client.get(url("category_detail", "de", slug="it-outsourcing"))["Location"] == url(
        "category_detail", "de", slug="ito"
    )


def test_query_strings_naming_a_renamed_category_follow_it(client, db, django_capture_on_commit_callbacks):
    rename(Category.objects.get(slug="bpo"), "bpo-services", django_capture_on_commit_callbacks)
    listed = client.get(url("comparison_list", "de", query="?category=bpo"), follow=True)
    assert listed.redirect_chain == [(url("comparison_list", "de", query="?category=bpo-services"), 301)]
    assert listed.status_code == 200
    compared = client.get(url("compare", query="?first=kpo&second=bpo"))
    assert compared["Location"] == url("comparison_detail", first="bpo-services", second="kpo")
    assert client.get(url("comparison_list", query="?category=no-such-slug")).status_code == 404
    # Former slugs are looked up only for a choice the form refuses.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url("compare", query="?first=kpo&second=ito"))
    assert not any("formerslug" in query["sql"] for query in queries)


def test_an_unpublished_category_taking_a_former_slug_leaves_its_redirects(
    client, db, make_category, django_capture_on_commit_callbacks
):
    rename(Category.objects.get(slug="kpo"), "knowledge", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_category("kpo", is_published=False)
    assert client.get(url("category_detail", slug="kpo"))["Location"] == url(
        "category_detail", slug="knowledge"
    )
    with django_capture_on_commit_callbacks(execute=True):
        hidden.delete()
    assert client.get(url("category_detail", slug="kpo"))["Location"] == url(
        "category_detail", slug="knowledge"
    )


def test_former_slugs_travel_in_backups_and_a_save_of_other_fields_keeps_them(
    client, db, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from comparisons.models import FormerSlug

    bpo = Category.objects.get(slug="bpo")
    rename(bpo, "bpo-services", django_capture_on_commit_callbacks)
    # A slug changed in memory but not written (update_fields) is not left.
    bpo.slug_de = "kpo"
    bpo.save(update_fields=["order"])
    assert sorted(FormerSlug.objects.values_list("slug", "language")) == [
        ("bpo", "de"),
        ("bpo", "en"),
        ("bpo", "uk"),
    ]
    call_command("exportcontent", str(tmp_path), verbosity=0)
    FormerSlug.objects.all().delete()
    call_command("loadcontent", str(tmp_path), verbosity=0)
    assert sorted(FormerSlug.objects.values_list("slug", "language", "category__slug_en")) == [
        ("bpo", code, "bpo-services") for code in ("de", "en", "uk")
    ]


def test_the_category_form_lists_its_former_slugs_to_editors_and_translators(
    as_role, db, django_capture_on_commit_callbacks
):
    from tests.helpers import change_url

    bpo = Category.objects.get(slug="bpo")
    rename(bpo, "bpo-services", django_capture_on_commit_callbacks)
    for role in ("editor", "translator-de"):
        client = as_role(role)
        html = client.get(change_url(bpo)).content.decode()
        assert re.search(
            r"former slugs.*?<div class=\"readonly\">bpo \[en, uk, de\]</div>", html, re.S | re.I
        ), role
        client.logout()


def test_a_slug_left_unpublished_takes_no_redirect_and_the_compare_form_follows_its_holder(
    client, db, make_category, django_capture_on_commit_callbacks
):
    from django.core.cache import caches

    rename(Category.objects.get(slug="kpo"), "knowledge", django_capture_on_commit_callbacks)
    compare = url("compare", query="?first=bpo&second=kpo")
    assert client.get(compare)["Location"] == url("comparison_detail", first="bpo", second="knowledge")
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_category("kpo", is_published=False)
    rename(hidden, "kpo-draft", django_capture_on_commit_callbacks)  # never public as "kpo"
    for cache in caches.all():
        cache.clear()
    assert client.get(url("category_detail", slug="kpo"))["Location"] == url(
        "category_detail", slug="knowledge"
    )
    # A published category taking the slug: the cached answer of the compare form follows it.
    with django_capture_on_commit_callbacks(execute=True):
        make_category("kpo")
    assert client.get(compare)["Location"] == url("comparison_detail", first="kpo", second="bpo")  # order 0


def test_an_import_restores_former_slugs_as_its_files_hold_them(
    db, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from comparisons.models import FormerSlug

    call_command("exportcontent", str(tmp_path), verbosity=0)  # holds no former slugs
    rename(Category.objects.get(slug="bpo"), "bpo-services", django_capture_on_commit_callbacks)
    call_command("loadcontent", str(tmp_path), verbosity=0)  # "bpo" again, as the files say
    assert Category.objects.filter(slug="bpo").exists()
    assert set(FormerSlug.objects.values_list("slug", flat=True)) == {"bpo"}  # none made by the import


def test_a_renamed_category_in_a_lists_query_is_one_redirect_whatever_its_page(
    client, db, django_capture_on_commit_callbacks
):
    rename(Category.objects.get(slug="bpo"), "bpo-services", django_capture_on_commit_callbacks)
    for page in ("&page=1", "&page="):
        response = client.get(url("comparison_list", query=f"?category=bpo{page}"), follow=True)
        assert response.redirect_chain == [(url("comparison_list", query="?category=bpo-services"), 301)]
    # Renamed back: its slug is its own, not one of its former ones.
    bpo = Category.objects.get(slug="bpo-services")
    rename(bpo, "bpo", django_capture_on_commit_callbacks)
    assert set(bpo.former_slugs.values_list("slug", flat=True)) == {"bpo-services"}


def test_a_slug_a_published_category_took_never_returns_to_its_former_holder(
    client, db, make_category, django_capture_on_commit_callbacks
):
    rename(Category.objects.get(slug="kpo"), "knowledge", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second = make_category("kpo")
    assert client.get(url("category_detail", slug="kpo")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        second.is_published = False
        second.save()
    rename(second, "kpo-new", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        second.is_published = True
        second.save()
    assert client.get(url("category_detail", slug="kpo"))["Location"] == url(
        "category_detail", slug="kpo-new"
    )


# Three or four categories in one table ---------------------------------------------

SET_TITLES = {
    "en": "BPO, KPO and ITO compared",
    "uk": "Порівняння BPO, KPO та ITO",
    "de": "BPO, KPO und ITO im Vergleich",
}


def json_ld_of(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_three_categories_have_one_address_and_a_grammatical_title(client, db, language):
    canonical = url("comparison_of_many", language, slugs=["bpo", "kpo", "ito"])
    assert canonical == f"/{language}/bpo-vs-kpo-vs-ito/"
    for order in itertools.permutations(["bpo", "kpo", "ito"]):
        if list(order) != ["bpo", "kpo", "ito"]:
            response = client.get(url("comparison_of_many", language, slugs=order))
            assert (response.status_code, response["Location"]) == (301, canonical)
    response = client.get(canonical)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{SET_TITLES[language]}</h1>" in html and f"<title>{SET_TITLES[language]} · " in html
    assert f'<link rel="canonical" href="http://testserver{canonical}">' in html
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        **{code: f"http://testserver/{code}/bpo-vs-kpo-vs-ito/" for code in LANGUAGES},
        "x-default": "http://testserver/en/bpo-vs-kpo-vs-ito/",
    }
    data = json_ld_of(html)
    assert data["headline"] == SET_TITLES[language] and data["url"] == f"http://testserver{canonical}"
    assert [about["url"] for about in data["about"]] == [
        f"http://testserver{url('category_detail', language, slug=slug)}" for slug in ("bpo", "kpo", "ito")
    ]
    assert data["isBasedOn"]
    # A column per category, and BPO vs KPO, written, is linked.
    head = re.search(r"<thead>(.*?)</thead>", html, re.S)[1]
    assert re.findall(r'<th scope="col">([^<]+)</th>', head)[1:] == ["BPO", "KPO", "ITO"]
    assert f'href="{url("comparison_detail", language, first="bpo", second="kpo")}"' in html


def test_four_categories_put_each_name_in_the_case_of_the_sentence(client, db):
    html = client.get(url("comparison_of_many", "uk", slugs=["bpo", "kpo", "ito", "call-centre"])).content
    assert "<h1>Порівняння BPO, KPO, ITO та кол-центру</h1>" in html.decode()
    html = client.get(url("comparison_of_many", "de", slugs=["bpo", "kpo", "ito", "call-centre"])).content
    assert "<h1>BPO, KPO, ITO und Callcenter im Vergleich</h1>" in html.decode()


def test_every_cell_of_a_table_of_three_keeps_its_sources(client, db):
    html = client.get(url("comparison_of_many", slugs=["bpo", "kpo", "ito"])).content.decode()
    cells = re.findall(r'<td data-label="[^"]+">(.*?)</td>', html, re.S)
    assert len(cells) >= 3 * 10
    for cell in cells:
        claims = cell.count("<li>")
        assert claims == 0 and "not covered by the sources" in cell or cell.count('class="source"') >= claims
    # The rows said of all three come first; the others fold away, counted.
    assert html.index("Stands for") < html.index('<details class="said-of-some">') < html.index("Definition")
    assert re.search(r"<summary>\d+ more attributes that the sources cover for only some of these", html)
    # Some rows show a difference, some (said of one only) do not: "differences only" is offered.
    assert '<input type="checkbox" id="differences-only">' in html
    assert '<tr class="no-difference">' in html and re.search(r"<tr>\s*<th", html)


@pytest.mark.parametrize(
    ("slugs", "message"),
    [
        (
            ["bpo", "kpo", "ito", "call-centre", "outsourcing"],
            "В одній таблиці можна порівняти щонайбільше чотири категорії",
        ),
        (["bpo", "kpo", "bpo"], "Кожну категорію можна вказати в адресі лише один раз."),
    ],
)
def test_more_than_four_or_one_twice_is_a_bad_request_in_the_readers_language(client, db, slugs, message):
    response = client.get(url("comparison_of_many", "uk", slugs=slugs))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and '<html lang="uk">' in html
    assert f'href="{url("compare", "uk")}"' in html


def test_a_category_named_twice_through_its_former_slug_is_a_bad_request(
    client, db, django_capture_on_commit_callbacks
):
    rename(
        Category.objects.get(slug="bpo"), "business-process-outsourcing", django_capture_on_commit_callbacks
    )
    response = client.get(url("comparison_of_many", slugs=["bpo", "kpo", "business-process-outsourcing"]))
    assert response.status_code == 400


@pytest.mark.parametrize("slugs", [["bpo", "kpo", "nothing"], ["bpo", "vs", "kpo"]])
def test_an_unknown_category_in_a_table_of_three_is_not_found(client, db, slugs):
    assert client.get(url("comparison_of_many", "de", slugs=slugs)).status_code == 404


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compare_form_leads_to_the_table_of_three_or_four(client, db, language):
    query = {"first": "ito", "fourth": "", "second": "bpo", "third": "kpo"}  # in the order of the address
    response = client.get(url("compare", language), query)
    assert (response.status_code, response["Location"]) == (
        302,
        url("comparison_of_many", language, slugs=["bpo", "kpo", "ito"]),
    )
    query["fourth"] = "call-centre"
    response = client.get(url("compare", language), query)
    assert response["Location"] == url(
        "comparison_of_many", language, slugs=["bpo", "kpo", "ito", "call-centre"]
    )
    query["third"] = query["fourth"] = ""
    response = client.get(url("compare", language), query)
    assert response["Location"] == url("comparison_detail", language, first="bpo", second="ito")


def test_the_compare_form_offers_two_more_categories_as_a_choice(client, db):
    html = client.get(url("compare", "de")).content.decode()
    assert '<label for="id_third">Dritte Kategorie (optional)</label>' in html
    assert '<label for="id_fourth">Vierte Kategorie (optional)</label>' in html
    assert html.count('<option value="">(keine)</option>') == 2
    assert re.search(
        r'<select id="id_first" name="first">(?:(?!</select>).)*value="outsourcing" selected', html
    )
    assert re.search(r'<select id="id_second" name="second">(?:(?!</select>).)*value="bpo" selected', html)


def test_a_slug_in_an_address_never_spans_a_vs():
    """A path splits into slugs one way only: a pattern trying every split takes exponential time."""
    from comparisons.urls import SLUG_PIECE

    assert re.fullmatch(SLUG_PIECE, "call-centre") and not re.fullmatch(SLUG_PIECE, "bpo-vs-kpo")


def test_a_long_address_of_many_pieces_is_answered_at_once(client, db):
    """The address pattern reads each slug once: a path of thousands of pieces is no exponential search."""
    pieces = "-vs-".join(["a"] * 3000)
    assert client.get(f"/en/{pieces}/x/").status_code == 404
    assert client.get(f"/en/{pieces}!").status_code == 404


def test_a_table_names_no_unpublished_category_or_comparison(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change(Comparison.objects.filter(first__slug="bpo", second__slug="kpo"), is_published=False)
    html = client.get(url("comparison_of_many", slugs=["bpo", "kpo", "ito"])).content.decode()
    assert 'href="/en/bpo-vs-kpo/"' not in html and "written-heading" not in html
    with django_capture_on_commit_callbacks(execute=True):
        change(Category.objects.filter(slug="ito"), is_published=False)
    assert client.get(url("comparison_of_many", slugs=["bpo", "kpo", "ito"])).status_code == 404


def test_an_error_page_names_no_canonical_address(client, db):
    response = client.get(url("comparison_of_many", "uk", slugs=["bpo", "kpo", "bpo"]))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'rel="canonical"' not in html and 'rel="alternate"' not in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize(
    ("language", "query"),
    # Not "IT-Outsourcing", which the termbase reads as ITO now.
    [("de", "Outsourcing-Verhandlungen"), ("en", "back-office"), ("uk", "бізнес-процесів")],
)
def test_a_hyphenated_query_is_searched_as_typed_only(db, language, query):
    assert terms_for(query, language) == [query]


def test_a_german_term_sent_to_the_database_keeps_its_sharp_s(db, make_category):
    """The database's lower() keeps ß; casefold() would search for "grosshandel" and find nothing."""
    make_category("wholesale", name_de="Großhandel", nominative_de="Großhandel")
    assert "großhandel centre" in terms_for("Großhandel Center", "de")
    assert terms_for("Groß handel", "de")[1] == "Großhandel"


def test_a_suggestion_that_would_find_nothing_is_not_offered(client, db):
    """The names' words include English ones no Ukrainian text holds."""
    html = client.get(url("search", "uk"), {"q": "tenology"}).content.decode()
    assert "Technology" not in html and "на увазі" not in html


def test_a_suggestion_too_long_to_search_is_not_offered(client, db):
    html = client.get(url("search", "en"), {"q": " ".join(["prcss"] * 16)}).content.decode()
    assert "Did you mean" not in html
