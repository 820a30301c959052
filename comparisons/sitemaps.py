"""
Sitemaps: one section per kind of page and language, split into pages of
keys behind a sitemap index, so that each answers in a few queries of a
bounded size at any number of comparisons.

A page is listed in a language only where it is really written in that
language (no English fallback), and each entry names the same page in the
other languages it has, plus x-default (the English page: this site has no
unprefixed pages, which Django's own x-default assumes). Which languages a
record has is asked of the database, with the record, not worked out from
its texts and parts in Python.

A section's pages are ranges of keys (1 to 250, 251 to 500, ...), not
pages of a count: the index then needs only the highest key, and a page only
its own range, however many records there are. A range can hold fewer
entries than others, or none.
"""

import functools
import math
import re
from types import SimpleNamespace

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import BooleanField, Exists, ExpressionWrapper, Max, OuterRef
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from . import page_keys
from .models import Category, CategoryItem, Comparison, ComparisonRow
from .page_cache import reads_query, shows

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


class KeyRanges:
    """
    A paginator of ``model``'s records by ranges of ``size`` keys, for
    Django's sitemap machinery; ``records()`` makes the queryset a page reads.
    """

    def __init__(self, model, records, size):
        self.model, self.records, self.size = model, records, size

    @property
    def num_pages(self):
        highest = self.model.objects.aggregate(highest=Max("pk"))["highest"] or 0
        return max(1, math.ceil(highest / self.size))

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if not 1 <= number <= self.num_pages:
            raise EmptyPage("That page contains no results")
        first = (number - 1) * self.size
        return SimpleNamespace(object_list=self.records().filter(pk__gt=first, pk__lte=first + self.size))


class LanguageSitemap(Sitemap):
    """
    The pages of one language. An entry is a row of values, not a model
    instance: ``pk``, what ``address`` needs, and ``in_<code>`` for every
    language the record is whole in (``written_in()``).
    """

    limit = 250
    # The view whose address an entry's values fill in: ``url_fields`` for its
    # ``url_arguments``, in the language of the address (a slug has a column per language).
    view_name = None

    def __init__(self, language):
        self.language = language

    @property
    def paginator(self):
        return KeyRanges(self.records().model, self.items, self.limit)

    def items(self):
        records = self.records().annotate(
            **{f"in_{code}": ExpressionWrapper(self.written_in(code), BooleanField()) for code in LANGUAGES}
        )
        return (
            records.filter(**{f"in_{self.language}": True})
            .order_by("pk")
            .values(
                "pk",
                *(f"{field}_{code}" for field in self.url_fields for code in LANGUAGES),
                *self.other_fields,
                *(f"in_{code}" for code in LANGUAGES),
            )
        )

    def location(self, item):
        return self.address(item, self.language)

    def item_languages(self, item):
        return [code for code in LANGUAGES if item[f"in_{code}"]]

    def address(self, item, language):
        parts = address_parts(self.view_name, self.url_arguments, language)
        return "".join(
            item[f"{self.url_fields[part]}_{language}"] if isinstance(part, int) else part for part in parts
        )

    def get_latest_lastmod(self):
        # Django's default reads every item: the index goes without.
        return None

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            languages = self.item_languages(url["item"])
            url["alternates"] = alternates(url, {code: self.address(url["item"], code) for code in languages})
        return urls


@functools.cache
def address_parts(view_name, arguments, language):
    """
    A view's address in ``language`` as text and the indexes of its
    ``arguments``, to fill in for each entry: reversed once, not for every
    entry in every language (which took most of a section's time).
    """
    placeholders = {name: f"PLACEHOLDER{index}" for index, name in enumerate(arguments)}
    with translation.override(language):
        address = reverse(view_name, kwargs=placeholders)
    return tuple(
        int(part.removeprefix("PLACEHOLDER")) if part.startswith("PLACEHOLDER") else part
        for part in re.split(r"(PLACEHOLDER\d+)", address)
    )


def alternates(url, paths):
    """An entry's pages in other languages ({code: path}), on its origin, and x-default: the English page."""
    origin = "/".join(url["location"].split("/", 3)[:3])
    found = [{"lang_code": code, "location": origin + path} for code, path in paths.items()]
    if DEFAULT in paths:
        found.append({"lang_code": "x-default", "location": origin + paths[DEFAULT]})
    return found


class ComparisonSitemap(LanguageSitemap):
    priority = 0.8
    view_name = "comparisons:comparison_detail"
    url_arguments = ("first", "second")
    url_fields = ("first__slug", "second__slug")
    other_fields = ("updated_at",)

    def records(self):
        return Comparison.objects.published()

    @staticmethod
    def written_in(language):
        """Whole in ``language``: its texts and those of the rows its page shows (published attributes')."""
        missing_rows = ComparisonRow.objects.filter(
            ComparisonRow.missing_translation_q(language),
            comparison=OuterRef("pk"),
            attribute__is_published=True,
        )
        return ~Comparison.missing_translation_q(language, optional=False) & ~Exists(missing_rows)

    def lastmod(self, item):
        return item["updated_at"]


class CategorySitemap(LanguageSitemap):
    priority = 0.6
    view_name = "comparisons:category_detail"
    url_arguments = ("slug",)
    url_fields = ("slug",)
    other_fields = ()

    def records(self):
        return Category.objects.published()

    @staticmethod
    def written_in(language):
        missing_items = CategoryItem.objects.filter(
            CategoryItem.missing_translation_q(language), category=OuterRef("pk")
        )
        return ~Category.missing_translation_q(language) & ~Exists(missing_items)


class PageSitemap(Sitemap):
    """Pages with interface text only: every language is complete."""

    def __init__(self, language):
        self.language = language

    def items(self):
        return [
            "comparisons:home",
            "comparisons:compare",
            "comparisons:comparison_list",
            "comparisons:category_list",
            "comparisons:glossary",
        ]

    def location(self, name):
        with translation.override(self.language):
            return reverse(name)

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            paths = {}
            for code in LANGUAGES:
                with translation.override(code):
                    paths[code] = reverse(url["item"])
            url["alternates"] = alternates(url, paths)
        return urls


sitemaps = {
    f"{kind}-{code}": sitemap(code)
    for code in LANGUAGES
    for kind, sitemap in (
        ("pages", PageSitemap),
        ("comparisons", ComparisonSitemap),
        ("categories", CategorySitemap),
    )
}


# The views: Django's sitemap machinery above, its XML written here. Django's
# templates took over half of a section's time; the documents are the same.
# Cached and purged as the pages are (page_cache.py).

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
NAMESPACES = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def xml_response(body):
    response = HttpResponse(XML_DECLARATION + body, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's sitemap views say
    return shows(response, {page_keys.SITEMAPS})


@reads_query()
def index(request):
    """Every page of every section."""
    addresses = []
    for name, sitemap in sitemaps.items():
        address = request.build_absolute_uri(reverse("sitemap_section", kwargs={"section": name}))
        addresses += [address, *(f"{address}?p={page}" for page in range(2, sitemap.paginator.num_pages + 1))]
    entries = "".join(f"<sitemap><loc>{escape(address)}</loc></sitemap>\n" for address in addresses)
    return xml_response(f"<sitemapindex {NAMESPACES}>\n{entries}</sitemapindex>\n")


@reads_query("p")
def section(request, section):
    sitemap = sitemaps.get(section)
    if sitemap is None:
        raise Http404("No such sitemap section")
    number = request.GET.get("p", "1")
    if request.GET.get("p") == "1":
        return shows(HttpResponsePermanentRedirect(request.path), {page_keys.SITEMAPS})
    # A page has one spelling: not 02, +2 or another script's digits, which int() reads too.
    if not (number.isascii() and number.isdigit() and number[0] != "0"):
        raise Http404("Not a page number")
    try:
        urls = sitemap.get_urls(page=number, site=RequestSite(request), protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such page of the section") from None
    entries = "".join(map(url_entry, urls))
    namespaces = f'{NAMESPACES} xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    return xml_response(f"<urlset {namespaces}>\n{entries}</urlset>\n")


def url_entry(url):
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url["lastmod"]:
        parts.append(f"<lastmod>{timezone.localtime(url['lastmod']):%Y-%m-%d}</lastmod>")
    if url["priority"]:
        parts.append(f"<priority>{url['priority']}</priority>")
    for alternate in url["alternates"]:
        parts.append(
            f'<xhtml:link rel="alternate" hreflang="{alternate["lang_code"]}" '
            f'href="{escape(alternate["location"])}"/>'
        )
    return "".join(parts) + "</url>\n"
