from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import ListView

from .forms import CompareForm, SearchForm
from .models import AttributeValue, Category, CategoryItem, Comparison
from .translation_status import complete_languages

# Pages list a bounded number of records, whatever the size of the knowledge
# base; the rest is one click away on a paginated list.
SEARCH_RESULTS_PER_KIND = 50
HOME_CATEGORIES = 24
HOME_COMPARISONS = 30
CATEGORY_COMPARISONS = 50
CATEGORY_CHILDREN = 50
RELATED_COMPARISONS = 10
MATRIX_CATEGORIES = 12
PER_PAGE = 50


@require_safe
def home(request):
    categories = Category.objects.select_related("parent")[:HOME_CATEGORIES]
    comparisons = Comparison.objects.published().with_categories()[:HOME_COMPARISONS]
    return render(
        request,
        "comparisons/home.html",
        {"categories": categories, "comparisons": comparisons, "search_form": SearchForm()},
    )


@require_safe
def category_detail(request, slug):
    category = get_object_or_404(Category.objects.for_page(), slug=slug)
    # One more than shown tells whether to link to the full list, without a count query.
    comparisons = list(
        Comparison.objects.published().with_categories().for_category(category)[: CATEGORY_COMPARISONS + 1]
    )
    return render(
        request,
        "comparisons/category_detail.html",
        {
            "category": category,
            "children": category.children.all()[:CATEGORY_CHILDREN],
            "comparisons": comparisons[:CATEGORY_COMPARISONS],
            "more_comparisons": len(comparisons) > CATEGORY_COMPARISONS,
            "page_languages": category.complete_languages(),
        },
    )


class PaginatedListView(ListView):
    """
    A list in pages of PER_PAGE, numbered in one spelling only: ?page=2, never
    02, +2 or Django's "last", which would be the same page at other addresses.
    """

    paginate_by = PER_PAGE
    http_method_names = ["get", "head"]

    def paginate_queryset(self, queryset, page_size):
        number = self.request.GET.get(self.page_kwarg)
        if number and not (number.isascii() and number.isdigit() and number[0] != "0"):
            raise Http404("Not a page number")
        return super().paginate_queryset(queryset, page_size)


class CategoryListView(PaginatedListView):
    queryset = Category.objects.select_related("parent")


class ComparisonListView(PaginatedListView):
    """All published comparisons, or those of one category (?category=slug)."""

    def get_queryset(self):
        comparisons = Comparison.objects.published().with_categories()
        self.category = None
        if slug := self.request.GET.get("category"):
            self.category = get_object_or_404(Category, slug=slug)
            comparisons = comparisons.for_category(self.category)
        return comparisons

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


@require_safe
def comparison_detail(request, first, second):
    """
    A written comparison, or one generated from the categories' attribute
    values when nobody has written it. Either way one URL per pair: the
    reversed order redirects permanently to it.
    """
    # A pair is unique, so no ordering: sorting costs Django more than it does the database.
    comparison = next(
        iter(Comparison.objects.published().for_page().for_slugs(first, second).order_by()), None
    )
    if comparison is not None:
        if comparison.first.slug != first:
            return redirect(comparison, permanent=True)
        related = Comparison.objects.published().with_categories().related_to(comparison, RELATED_COMPARISONS)
        return render(
            request,
            "comparisons/comparison_detail.html",
            {
                "comparison": comparison,
                "related": related,
                "page_languages": comparison.complete_languages(),
            },
        )
    categories = {c.slug: c for c in Category.objects.filter(slug__in=[first, second]).order_by()}
    if first not in categories or second not in categories:
        raise Http404("No such categories")
    if first == second:
        return redirect(categories[first], permanent=True)
    a, b = categories[first], categories[second]
    if (a.order, a.slug) > (b.order, b.slug):
        return redirect("comparisons:comparison_detail", first=b.slug, second=a.slug, permanent=True)
    table = AttributeValue.objects.table_for(a, b)
    shown = [
        a,
        b,
        *(record for attribute, *claims in table for record in (attribute, *claims[0], *claims[1])),
    ]
    return render(
        request,
        "comparisons/comparison_generated.html",
        {
            "first": a,
            "second": b,
            "categories": [a, b],
            "table": table,
            # The categories' descriptions are on their own pages, not here.
            "page_languages": complete_languages(shown, unshown={"description"}),
        },
    )


@require_safe
def compare(request):
    """Pick any two categories; a matrix links every pair."""
    form = CompareForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "comparisons:comparison_detail",
            first=form.cleaned_data["first"].slug,
            second=form.cleaned_data["second"].slug,
        )
    categories = list(Category.objects.all())
    # The matrix shows the main categories; the form reaches every pair.
    featured = categories[:MATRIX_CATEGORIES]
    written = {
        frozenset(pair)
        for pair in Comparison.objects.published()
        .filter(first__in=featured, second__in=featured)
        .values_list("first_id", "second_id")
    }
    matrix = [
        (row, [(column, frozenset((row.pk, column.pk)) in written) for column in featured])
        for row in featured
    ]
    return render(
        request,
        "comparisons/compare.html",
        {"form": form, "categories": categories, "featured": featured, "matrix": matrix},
        status=400 if form.is_bound else 200,
    )


@require_safe
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    terms = []
    if form.is_valid():
        terms = Category.objects.search_terms(form.cleaned_data["q"])
        results = {
            "comparisons": list(
                Comparison.objects.published().with_categories().search(*terms)[:SEARCH_RESULTS_PER_KIND]
            ),
            "categories": list(Category.objects.search(*terms)[:SEARCH_RESULTS_PER_KIND]),
            "items": list(
                CategoryItem.objects.select_related("category").search(*terms)[:SEARCH_RESULTS_PER_KIND]
            ),
        }
    return render(
        request,
        "comparisons/search.html",
        {
            "search_form": form,
            "query": form.cleaned_data["q"] if form.is_valid() else "",
            "terms": terms,
            "results": results,
            "result_count": sum(map(len, results.values())) if results else 0,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_GET
def choose_language(request, language):
    """Remember the reader's explicit choice of language, then show the page in it."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    next_url = request.GET.get("next", "")
    if not is_path_on_this_site(request, next_url):
        with translation.override(language):
            next_url = reverse("comparisons:home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


def is_path_on_this_site(request, url):
    """
    Whether ``url`` is a path here, such as the language switcher sends. Not a
    URL name (redirect() would try to reverse it), another site, or anything a
    Location header cannot carry.
    """
    return (
        url.startswith("/")
        and url.isprintable()
        and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    )


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n", content_type="text/plain")
