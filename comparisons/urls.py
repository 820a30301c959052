from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "comparisons"

urlpatterns = [
    path("", views.home, name="home"),
    path(_("search/"), views.search, name="search"),
    path(_("compare/"), views.compare, name="compare"),
    path(_("categories/"), views.CategoryListView.as_view(), name="category_list"),
    path(_("categories/<slug:slug>/"), views.category_detail, name="category_detail"),
    path(_("comparisons/"), views.ComparisonListView.as_view(), name="comparison_list"),
    path("<slug:first>-vs-<slug:second>/", views.comparison_detail, name="comparison_detail"),
]
