from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import ListView

from . import page_keys, phrases, search_terms, throttle
from .forms import CompareForm, SearchForm
from .models import (
    SHORTEST_TERM,
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    canonical_order,
    generated_address,
    split_by_coverage,
)
from .page_cache import fragment, kept_apart, reads_query, shows
from .phrases import CASES
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
GLOSSARY_TERMS = 200
# A table of more columns than this reads badly on any screen.
MAX_COMPARED = 4
PER_PAGE = 50


@require_safe
def home(request):
    categories = Category.objects.published().select_related("parent")[:HOME_CATEGORIES]
    comparisons = list(Comparison.objects.published().with_categories()[:HOME_COMPARISONS])
    response = render(
        request,
        "comparisons/home.html",
        {"categories": categories, "comparisons": comparisons, "search_form": SearchForm()},
    )
    return shows(response, page_keys.CATEGORY_LISTS | page_keys.listed_comparisons(comparisons))


@require_safe
def category_detail(request, slug):
    category = Category.objects.published().for_page().filter(slug=slug).first()
    if category is None:
        renamed = Category.objects.published().named(slug).get(slug)
        if renamed is None:
            raise Http404("No such category")
        # Its address before a rename: to its address now.
        return shows(redirect(renamed, permanent=True), {page_keys.named(renamed), "categories"})
    # One more than shown tells whether to link to the full list, without a count query.
    comparisons = list(
        Comparison.objects.published().with_categories().for_category(category)[: CATEGORY_COMPARISONS + 1]
    )
    children = list(category.children.published()[:CATEGORY_CHILDREN])
    response = render(
        request,
        "comparisons/category_detail.html",
        {
            "category": category,
            "children": children,
            "comparisons": comparisons[:CATEGORY_COMPARISONS],
            "more_comparisons": len(comparisons) > CATEGORY_COMPARISONS,
            "page_languages": category.complete_languages(),
            "page_paths": paths_in_each_language(category.get_absolute_url),
        },
    )
    return shows(response, page_keys.category_page(category, children, comparisons))


@require_safe
def glossary(request):
    """What each attribute the tables compare by means, and what each category is."""
    attributes = list(Attribute.objects.for_glossary()[:GLOSSARY_TERMS])
    # One more than shown tells whether to link to the full list, without a count query.
    categories = list(Category.objects.published()[: GLOSSARY_TERMS + 1])
    # Of the categories, the glossary shows the names and summaries only.
    of_categories = complete_languages(categories[:GLOSSARY_TERMS], unshown={"description", *CASES})
    response = render(
        request,
        "comparisons/glossary.html",
        {
            "attributes": attributes,
            "categories": categories[:GLOSSARY_TERMS],
            "more_categories": len(categories) > GLOSSARY_TERMS,
            "page_languages": [code for code in complete_languages(attributes) if code in of_categories],
        },
    )
    sources = page_keys.cited(attribute.description_source for attribute in attributes)
    return shows(response, {page_keys.ATTRIBUTE_LIST, *page_keys.CATEGORY_LISTS, *sources})


class PaginatedListView(ListView):
    """
    A list in pages of PER_PAGE, numbered in one spelling only: ?page=2, never
    02, +2 or Django's "last", which would be the same page at other addresses;
    ?page=1 is the list's own address.
    """

    paginate_by = PER_PAGE
    http_method_names = ["get", "head"]
    query_parameters = ("page",)

    def get(self, request, *args, **kwargs):
        if request.GET.get(self.page_kwarg, "none") in ("1", ""):
            # Not cached: the list's other parameters are not checked yet.
            query = request.GET.copy()
            del query[self.page_kwarg]
            return HttpResponsePermanentRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        return shows(super().get(request, *args, **kwargs), self.keys_shown())

    def paginate_queryset(self, queryset, page_size):
        number = self.request.GET.get(self.page_kwarg)
        if number and not (number.isascii() and number.isdigit() and number[0] != "0"):
            raise Http404("Not a page number")
        return super().paginate_queryset(queryset, page_size)


class CategoryListView(PaginatedListView):
    queryset = Category.objects.published().select_related("parent")

    def keys_shown(self):
        return page_keys.CATEGORY_LISTS


class ComparisonListView(PaginatedListView):
    """All published comparisons, or those of one category (?category=slug)."""

    query_parameters = ("category", "page")

    def keys_shown(self):
        return page_keys.listed_comparisons(self.object_list_shown, self.category)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(category=self.category, **kwargs)
        self.object_list_shown = list(context["page_obj"].object_list)
        if self.category is not None:  # the switcher names the category by each language's slug
            query = self.request.GET.copy()
            context["page_queries"] = {}
            for code, _name in settings.LANGUAGES:
                query["category"] = getattr(self.category, f"slug_{code}")
                context["page_queries"][code] = query.urlencode()
        return context

    def get(self, request, *args, **kwargs):
        self.category = None
        if slug := request.GET.get("category"):
            self.category = Category.objects.published().named(slug).get(slug)
            if self.category is not None and self.category.slug != slug:  # named before a rename
                query = request.GET.copy()
                query["category"] = self.category.slug
                if query.get(self.page_kwarg) in ("1", ""):
                    del query[self.page_kwarg]
                response = HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
                return shows(response, {page_keys.named(self.category), "categories"})
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        comparisons = Comparison.objects.listed().with_categories()
        if self.request.GET.get("category"):
            if self.category is None:
                raise Http404("No such category")
            comparisons = comparisons.for_category(self.category)
        return comparisons


@require_safe
def comparison_detail(request, first, second):
    """
    A written comparison, or one generated from the categories' attribute
    values when nobody has written it. Either way one URL per pair: the
    reversed order redirects permanently to it.
    """
    # The categories first: the page shows them whether or not the pair is written.
    categories = Category.objects.published().named(first, second)
    if first not in categories or second not in categories:
        raise Http404("No such categories")
    a, b = categories[first], categories[second]
    # An address from before a category's rename redirects like a reversed pair, in one step.
    renamed = {"categories"} if (a.slug, b.slug) != (first, second) else set()
    if a == b:
        return shows(redirect(a, permanent=True), {page_keys.named(a), *renamed})
    # A pair is unique, so no ordering: sorting costs Django more than it does the database.
    comparison = next(iter(Comparison.objects.filter(is_published=True).of_pair(a, b).order_by()), None)
    if comparison is not None:
        comparison.first, comparison.second = (a, b) if comparison.first_id == a.pk else (b, a)
        if comparison.first != a or renamed:
            keys = page_keys.linked([comparison]) | {page_keys.named(a), page_keys.named(b), *renamed}
            return shows(redirect(comparison, permanent=True), keys)
        article, article_keys = comparison_article(request, comparison)
        related, related_keys = related_comparisons(comparison)
        response = render(
            request,
            "comparisons/comparison_detail.html",
            {
                "comparison": comparison,
                "article": article,
                "related": related,
                "page_languages": article["languages"],
                "page_paths": paths_in_each_language(comparison.get_absolute_url),
            },
        )
        return shows(response, article_keys | related_keys)
    if [a, b] != canonical_order([a, b]) or renamed:
        a, b = canonical_order([a, b])
        response = HttpResponsePermanentRedirect(generated_address([a, b]))
        return shows(response, {page_keys.named(a), page_keys.named(b), *page_keys.ordered(a, b), *renamed})
    return generated_comparison(request, [a, b])


@require_safe
def comparison_of_many(request, slugs):
    """
    Three or four categories side by side, generated from their attribute
    values, at one address per set: the categories in their fixed order
    (canonical_order()). Any other order, or a slug from before a rename,
    redirects permanently to it.
    """
    if len(slugs) > MAX_COMPARED:
        return bad_comparison(request, _("A table compares four categories at most: choose fewer."))
    named = Category.objects.published().named(*slugs)
    if any(slug not in named for slug in slugs):
        raise Http404("No such categories")
    categories = [named[slug] for slug in slugs]
    if len(set(categories)) < len(categories):
        return bad_comparison(request, _("Each category may appear in the address only once."))
    canonical = canonical_order(categories)
    if [category.slug for category in canonical] != slugs:
        renamed = (
            {"categories"}
            if any(c.slug != slug for c, slug in zip(categories, slugs, strict=True))
            else set()
        )
        response = HttpResponsePermanentRedirect(generated_address(canonical))
        return shows(response, {*map(page_keys.named, categories), *page_keys.ordered(*categories), *renamed})
    # Each two of them that somebody compared in writing: linked from the table.
    written = list(
        Comparison.objects.published().with_categories().filter(first__in=categories, second__in=categories)
    )
    return generated_comparison(request, categories, written)


def shown_languages(categories, table, claims):
    """The languages a generated page has all its texts in (the categories' descriptions are not on it)."""
    of_categories = complete_languages(categories, unshown={"description"})
    return [
        code
        for code in complete_languages([*(row.attribute for row in table), *claims])
        if code in of_categories
    ]


def bad_comparison(request, message):
    """400 in the reader's language, saying what to change."""
    return render(request, "400.html", {"message": message}, status=400)


def generated_comparison(request, categories, written=()):
    """
    The page of a comparison nobody has written, generated from what the
    sources say of each category: the rows they say something of for every
    category first, the others folded away.
    """
    table = AttributeValue.objects.table_for(*categories)
    claims = [claim for row in table for _category, said in row.cells for claim in said]
    said_of_all, said_of_some = split_by_coverage(table)
    differences = sum(row.shows_a_difference for row in table)
    response = render(
        request,
        "comparisons/comparison_generated.html",
        {
            "title": phrases.compared(categories),
            "categories": categories,
            "table": table,
            "said_of_all": said_of_all,
            "said_of_some": said_of_some,
            # Offered where it hides some rows, not all.
            "differences_toggle": 0 < differences < len(table),
            "differences_folded": any(row.shows_a_difference for row in said_of_some),
            "written": written,
            "sources": list({source: None for claim in claims for source in claim.said_by}),
            "page_languages": shown_languages(categories, table, claims),
            "page_paths": paths_in_each_language(lambda: generated_address(categories)),
        },
    )
    return shows(response, page_keys.generated_page(categories, table) | page_keys.linked(written))


def paths_in_each_language(address):
    """
    {code: the page's path in that language}, for its hreflang links and the
    language switcher: ``address()`` with each language active, since a
    category's slug differs between languages (Django's translate_url would
    keep this language's).
    """
    paths = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths[code] = address()
    return paths


def comparison_article(request, comparison):
    """
    The comparison's text, table and sources rendered, with the languages it
    is complete in and the titles of its sources (for the page's head), and
    its keys. Kept apart from the page: a page rendered again because a
    neighbour's title or a category's name changed does not fetch its rows again.
    """

    def render_article():
        comparison.load_page_parts()
        language = get_language()
        article = {
            "html": render_to_string(
                "comparisons/comparison_article.html", {"comparison": comparison}, request
            ),
            "languages": comparison.complete_languages(),
            "sources": [source.text_in("title", language)[0] for source in comparison.sources.all()],
            "machine_translated": comparison.shows_machine_translation(language),
        }
        return article, page_keys.comparison_page(comparison)

    return fragment(f"article:{comparison.pk}:{get_language()}", render_article)


def related_comparisons(comparison):
    """
    The rendered list of the comparison's related comparisons, and its keys:
    kept apart from the page, so that a page rendered again after its own
    comparison changed does not look its neighbours up again.
    """

    def render_list():
        related = Comparison.objects.published().with_categories().related_to(comparison, RELATED_COMPARISONS)
        html = render_to_string("includes/comparison_list.html", {"comparisons": related})
        return html, page_keys.related(comparison, related)

    return fragment(f"related:{comparison.pk}:{get_language()}", render_list)


@require_safe
@reads_query(*CompareForm.base_fields)
def compare(request):
    """Pick two categories, or three or four; a matrix links every pair."""
    form = CompareForm(request.GET or None)
    renamed = set()
    if form.is_bound and not form.is_valid():
        # A category named as it was before a rename is the category it is now.
        query = request.GET.copy()
        refused = {key: query[key] for key in form.fields if key in form.errors and query.get(key)}
        named = Category.objects.published().named(*refused.values())
        for key, slug in refused.items():
            if slug in named and named[slug].slug != slug:
                query[key] = named[slug].slug
                renamed = {"categories"}  # the old slug's next holder changes the answer
        if renamed:
            form = CompareForm(query)
    if form.is_valid():
        chosen = form.categories()
        keys = {*map(page_keys.named, chosen), *page_keys.ordered(*chosen), *renamed}
        # Straight to the page: a written comparison names its categories in its own order.
        ordered = canonical_order(chosen)
        if len(chosen) == 2:
            written = Comparison.objects.filter(is_published=True).of_pair(*chosen).order_by().first()
            if written is not None and written.first_id != ordered[0].pk:
                ordered.reverse()
        return shows(HttpResponseRedirect(generated_address(ordered)), keys)
    categories = list(Category.objects.published())
    if not form.is_bound:
        form.initial = {
            name: category.slug for name, category in zip(("first", "second"), categories, strict=False)
        }
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
    response = render(
        request,
        "comparisons/compare.html",
        {"form": form, "categories": categories, "featured": featured, "matrix": matrix},
        status=400 if form.is_bound else 200,
    )
    pairs = {page_keys.pair(row.pk, column.pk) for row in featured for column in featured if row != column}
    return shows(response, page_keys.CATEGORY_LISTS | pairs)


@require_safe
@reads_query("q")
@kept_apart
def search(request):
    """
    Search results, cached apart from pages: the query with its spaces
    collapsed is the address of its results, and the page shows it as the
    reader typed it (the search itself ignores case). A client is allowed so
    many searches a minute (throttle.py).
    """
    if "q" in request.GET:
        query = request.GET["q"]
        canonical = " ".join(query.split())
        # A query too long to search is refused below, not redirected.
        if canonical != query and len(canonical) <= SearchForm.base_fields["q"].max_length:
            return shows(HttpResponsePermanentRedirect(f"{request.path}?{urlencode({'q': canonical})}"), ())
    form = SearchForm(request.GET or None)
    results = correction = suggestion = None
    terms = []
    keys = {"search"}
    if form.is_valid():
        if not throttle.allow_search(request):
            return too_many_searches(request)
        query = form.cleaned_data["q"]
        # What the query's words may also be: the categories' names and abbreviations.
        reading = search_terms.QueryReading.of_published()
        keys |= reading.keys
        terms = reading.terms_for(query)
        if all(len(term) < SHORTEST_TERM for term in terms):
            return too_short_to_search(request, form, keys)
        results = search_results(terms)
        tried = reading.corrected(query) if not any(results.values()) else None
        if tried:
            # A typo, surely: the results for the word it is one letter from, said so.
            tried_terms = reading.terms_for(tried)
            results = search_results(tried_terms)
            if any(results.values()):
                correction, terms = tried, tried_terms
        if not any(results.values()):
            # A word two letters from a name may be a word of its own: only offered, if it finds something.
            offered = reading.corrected(query, most=search_terms.OFFERED)
            if offered and offered != tried and SearchForm({"q": offered}).is_valid():
                suggestion = offered if any(search_results(reading.terms_for(offered)).values()) else None
    # The terms searched for (none shorter than the indexes find), and those besides
    # what the reader typed or its correction, which come first.
    searched = [term for term in terms if len(term) >= SHORTEST_TERM]
    response = render(
        request,
        "comparisons/search.html",
        {
            "search_form": form,
            "query": form.cleaned_data["q"] if form.is_valid() else "",
            "terms": searched,
            "other_terms": searched[1:] if searched[:1] == terms[:1] else searched,
            "correction": correction,
            "suggestion": suggestion,
            "suggestion_url": f"{request.path}?{urlencode({'q': suggestion})}" if suggestion else "",
            "results": results,
            "result_count": sum(map(len, results.values())) if results else 0,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
    return shows(response, keys)


def too_short_to_search(request, form, keys):
    """400: a query of fewer characters than the search looks for, and no name it abbreviates."""
    message = ngettext(
        "Type at least %(count)d character.",
        "Type at least %(count)d characters.",
        SHORTEST_TERM,
    ) % {"count": SHORTEST_TERM}
    form.add_error("q", message)
    response = render(request, "comparisons/search.html", {"search_form": form}, status=400)
    return shows(response, keys)


def search_results(terms):
    """The published records of each kind whose shown text holds one of the terms."""
    return {
        "comparisons": Comparison.objects.published()
        .with_categories()
        .found_first(terms, SEARCH_RESULTS_PER_KIND),
        "categories": list(Category.objects.published().search(*terms)[:SEARCH_RESULTS_PER_KIND]),
        "items": CategoryItem.objects.filter(category__is_published=True)
        .select_related("category")
        .search(*terms)
        .said_once(SEARCH_RESULTS_PER_KIND),
    }


def too_many_searches(request):
    """429 in the reader's language, never cached, saying when to search again."""
    retry_after = throttle.seconds_left()
    response = render(request, "429.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


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
@reads_query()
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    response = HttpResponse(f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n", content_type="text/plain")
    return shows(response, ())
