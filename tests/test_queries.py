"""Every public page costs a fixed number of queries, whatever the size of the content."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comparisons import changes
from comparisons.models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Source,
)
from tests.helpers import trilingual

# On SQLite a search finding fewer comparisons than a page reads them twice (found_first()).
SECOND_READ = 1 if connection.vendor == "sqlite" else 0

PAGES = {
    "home": (("comparisons:home", {}), 2),
    "comparison": (("comparisons:comparison_detail", {"first": "bpo", "second": "kpo"}), 6),
    "generated comparison": (("comparisons:comparison_detail", {"first": "kpo", "second": "ito"}), 3),
    "four categories": (
        ("comparisons:comparison_of_many", {"slugs": ["bpo", "kpo", "ito", "call-centre"]}),
        3,
    ),
    "category": (("comparisons:category_detail", {"slug": "bpo"}), 5),
    "glossary": (("comparisons:glossary", {}), 3),  # attributes, their former slugs, categories
    "compare": (("comparisons:compare", {}), 2),
    # The categories' names, the termbase, then each kind of result.
    "search": (("comparisons:search", {}), 5 + SECOND_READ),
    "comparison list": (("comparisons:comparison_list", {}), 2),
    "category list": (("comparisons:category_list", {}), 2),
}


def count_queries(client, name, kwargs, language, cached=False):
    with translation.override(language):
        path = reverse(name, kwargs=kwargs)
    query = {"q": "bpo"} if name.endswith("search") else {}
    if not cached:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, path
    return len(queries)


def grow_content():
    """Add many rows, items, values, categories and comparisons touching the measured pages."""
    with changes.change_set(reason="More content"):  # one unit of work, as a script's should be
        add_content()


def add_content():
    source = Source.objects.first()
    bpo, kpo, ito = (Category.objects.get(slug=slug) for slug in ("bpo", "kpo", "ito"))
    comparison = Comparison.objects.get(first=bpo, second=kpo)
    for index in range(30):
        attribute = Attribute.objects.create(
            slug=f"extra-{index}",
            order=100 + index,
            is_published=True,
            description_source=source,  # named wherever the attribute is explained
            **trilingual("label", f"Extra {index}"),
            **trilingual("description", f"What extra {index} means."),
        )
        ComparisonRow.objects.create(
            comparison=comparison,
            attribute=attribute,
            source=source,
            order=100 + index,
            **trilingual("first_value", "a"),
            **trilingual("second_value", "b"),
        )
        for category in (kpo, ito):
            AttributeValue.objects.create(
                category=category, attribute=attribute, source=source, **trilingual("value", "v")
            )
        CategoryItem.objects.create(
            category=bpo, kind="service", source=source, **trilingual("name", f"Service {index}")
        )
    for index in range(10):
        other = Category.objects.create(
            slug=f"extra-{index}",
            parent=bpo,
            is_published=True,
            **trilingual("abbreviation", f"X{index}"),
            **trilingual("nominative", f"X{index}"),
            **trilingual("name", "bpo x"),
            **trilingual("summary", "bpo"),
            **trilingual("description", "bpo"),
        )
        extra = Comparison.objects.create(
            first=bpo,
            second=other,
            is_published=True,
            **trilingual("key_difference", "bpo"),
            **trilingual("introduction", "i"),
            **trilingual("conclusion", "c"),
        )
        extra.sources.add(source)


@pytest.mark.parametrize("language", ["en", "uk", "de"])
@pytest.mark.parametrize("page", PAGES)
def test_page_queries_stay_fixed_as_content_grows(client, db, page, language):
    (name, kwargs), budget = PAGES[page]
    small = count_queries(client, name, kwargs, language)
    grow_content()
    large = count_queries(client, name, kwargs, language)
    assert small == large == budget


@pytest.mark.parametrize("page", [page for page in PAGES if page != "search"])
def test_a_cached_page_makes_no_query(client, db, page):
    (name, kwargs), _budget = PAGES[page]
    count_queries(client, name, kwargs, "uk")
    assert count_queries(client, name, kwargs, "uk", cached=True) == 0


def test_a_search_read_as_a_typo_costs_a_fixed_number_of_queries(client, db):
    """The categories and the termbase once, then each kind of result for the query and for its correction."""

    def count():
        cache.clear()
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("comparisons:search"), {"q": "outsorcing"})
        assert "Nothing found for “outsorcing”" in response.content.decode()
        return len(queries)

    small = count()
    grow_content()
    assert count() == small == 8 + 2 * SECOND_READ


def test_searches_read_the_categories_names_once_until_one_changes(
    client, db, django_capture_on_commit_callbacks
):
    """The reading of names and terms (search_terms.py) stays in the shared cache until one changes."""

    def search(query):
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("comparisons:search"), {"q": query}).content.decode()
        return html, len(queries)

    cache.clear()
    _html, first = search("bpo")
    _html, second = search("kpo")
    assert second == first - 2
    kpo = Category.objects.get(slug="kpo")
    with django_capture_on_commit_callbacks(execute=True):
        kpo.name_en = "Expertise outsourcing"
        kpo.save()
    html, third = search("expertise outsourcing")
    assert third == first
    assert "Also searched for: “KPO”" in html
    with django_capture_on_commit_callbacks(execute=True):
        kpo.is_published = False  # withdrawn: its names mean nothing more to a search
        kpo.save()
    html, _count = search("expertise outsourcing")
    assert "results for “expertise outsourcing”" in html and "“KPO”" not in html
