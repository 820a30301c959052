from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Category, Comparison


class TranslatedSitemap(Sitemap):
    """
    One entry per page and language it is really written in. Django's own
    x-default points at an unprefixed URL, which this site does not have, so
    the English page stands in for it.
    """

    i18n = True
    alternates = True
    x_default = False

    def get_languages_for_item(self, item):
        return item.complete_languages()

    def get_urls(self, *args, **kwargs):
        urls = super().get_urls(*args, **kwargs)
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        for url in urls:
            english = [a for a in url["alternates"] if a["lang_code"] == default]
            if english:
                url["alternates"].append({"lang_code": "x-default", "location": english[0]["location"]})
        return urls


class ComparisonSitemap(TranslatedSitemap):
    priority = 0.8

    def items(self):
        return Comparison.objects.published().for_page().order_by("pk")

    def lastmod(self, comparison):
        return comparison.updated_at


class CategorySitemap(TranslatedSitemap):
    priority = 0.6

    def items(self):
        return Category.objects.for_page().order_by("pk")


class PageSitemap(TranslatedSitemap):
    """Pages with interface text only: every language is complete."""

    def items(self):
        return ["comparisons:home", "comparisons:compare"]

    def location(self, name):
        return reverse(name)

    def get_languages_for_item(self, name):
        return [code for code, _name in settings.LANGUAGES]


sitemaps = {"pages": PageSitemap, "comparisons": ComparisonSitemap, "categories": CategorySitemap}
