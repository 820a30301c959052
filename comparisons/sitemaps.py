"""
Sitemaps: one section per kind of page and language, paginated behind a
sitemap index so that it stays cheap at any size.

A page is listed in a language only where it is really written in that
language (no English fallback), and each entry names the same page in the
other languages it has, plus x-default (the English page: this site has no
unprefixed pages, which Django's own x-default assumes).
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from . import page_keys
from .models import Category, CategoryItem, Comparison, ComparisonRow
from .page_cache import reads_query, shows

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


class LanguageSitemap(Sitemap):
    """The pages of one language; ``item_languages`` says which other languages each has."""

    limit = 1000

    def __init__(self, language):
        self.language = language

    def location(self, item):
        with translation.override(self.language):
            return self.path(item)

    def path(self, item):
        return item.get_absolute_url()

    def item_languages(self, item):
        return LANGUAGES

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        origin = urls[0]["location"].split("/", 3)[:3] if urls else []
        for url in urls:
            alternates = []
            for code in self.item_languages(url["item"]):
                with translation.override(code):
                    alternates.append(
                        {"lang_code": code, "location": "/".join(origin) + self.path(url["item"])}
                    )
            english = [a["location"] for a in alternates if a["lang_code"] == DEFAULT]
            if english:
                alternates.append({"lang_code": "x-default", "location": english[0]})
            url["alternates"] = alternates
        return urls


class ComparisonSitemap(LanguageSitemap):
    priority = 0.8

    def items(self):
        # Only the rows a page shows: those of published attributes.
        missing_rows = ComparisonRow.objects.filter(
            ComparisonRow.missing_translation_q(self.language), attribute__is_published=True
        )
        return (
            Comparison.objects.published()
            .exclude(Comparison.missing_translation_q(self.language, optional=False))
            .exclude(pk__in=missing_rows.values("comparison"))
            .for_page()
            .order_by("pk")
        )

    def lastmod(self, comparison):
        return comparison.updated_at

    def get_latest_lastmod(self):
        # Django's default walks every item; the database knows the answer.
        return self.items().order_by().aggregate(latest=Max("updated_at"))["latest"]

    def item_languages(self, comparison):
        return comparison.complete_languages()


class CategorySitemap(LanguageSitemap):
    priority = 0.6

    def items(self):
        missing_items = CategoryItem.objects.filter(CategoryItem.missing_translation_q(self.language))
        return (
            Category.objects.published()
            .exclude(Category.missing_translation_q(self.language))
            .exclude(pk__in=missing_items.values("category"))
            .for_page()
            .order_by("pk")
        )

    def item_languages(self, category):
        return category.complete_languages()


class PageSitemap(LanguageSitemap):
    """Pages with interface text only: every language is complete."""

    def items(self):
        return [
            "comparisons:home",
            "comparisons:compare",
            "comparisons:comparison_list",
            "comparisons:category_list",
        ]

    def path(self, name):
        return reverse(name)


sitemaps = {
    f"{kind}-{code}": sitemap(code)
    for code in LANGUAGES
    for kind, sitemap in (
        ("pages", PageSitemap),
        ("comparisons", ComparisonSitemap),
        ("categories", CategorySitemap),
    )
}


# Django's views, cached and purged as the pages are (page_cache.py).


@reads_query()
def index(request):
    return shows(sitemap_views.index(request, sitemaps), {page_keys.SITEMAPS})


@reads_query("p")
def section(request, section):
    return shows(sitemap_views.sitemap(request, sitemaps, section=section), {page_keys.SITEMAPS})
