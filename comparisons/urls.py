from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "comparisons"


# A slug's characters up to the next "-vs-": a slug never holds one, and a
# pattern whose pieces could would try exponentially many splits of a long path.
SLUG_PIECE = r"(?:(?!-vs-)[-a-zA-Z0-9_])+"


class CategorySlugs:
    """Three or more category slugs joined by "-vs-": bpo-vs-kpo-vs-ito (no slug has "vs" as a word)."""

    regex = rf"{SLUG_PIECE}(?:-vs-{SLUG_PIECE}){{2,}}"

    def to_python(self, value):
        return value.split("-vs-")

    def to_url(self, value):
        return "-vs-".join(value)


register_converter(CategorySlugs, "category_slugs")

urlpatterns = [
    path("", views.home, name="home"),
    path(_("search/"), views.search, name="search"),
    path(_("compare/"), views.compare, name="compare"),
    path(_("categories/"), views.CategoryListView.as_view(), name="category_list"),
    path(_("categories/<slug:slug>/"), views.category_detail, name="category_detail"),
    path(_("comparisons/"), views.ComparisonListView.as_view(), name="comparison_list"),
    path(_("glossary/"), views.glossary, name="glossary"),
    # Before the pair's pattern, which would read "a-vs-b-vs-c" as "a-vs-b" and "c".
    path("<category_slugs:slugs>/", views.comparison_of_many, name="comparison_of_many"),
    path("<slug:first>-vs-<slug:second>/", views.comparison_detail, name="comparison_detail"),
]
