"""
Which pages show which records.

A cached page is tagged with a key for each thing it shows; a change names
the keys of what it touched; the caches (page_cache.py, and the HTTP cache in
front through purge.py) drop exactly the pages tagged with one of them, in
every language at once. The keys are short because a list page carries a
hundred of them in its headers:

==================  ==========================================================
``c<pk>``           a written comparison's own page: any text, row or source
``cn<pk>``          the comparison where other pages link to it: its title,
                    its categories, whether it is published
``g<pk>``           a category's own page: any text, item or source
``gn<pk>``          the category's name where titles and links use it: its
                    short name and word forms, its slug in any language
                    (a page's hreflang links name the others')
``gs<pk>``          the category's card or section: its full name, summary
                    (and which language is their original: the notes)
``go<pk>``          its order: which of two categories a generated
                    comparison's address names first
``gv<pk>``          its attribute values (generated comparisons)
``gk<pk>``          the categories filed under it
``gc<pk>``          its published comparisons
``a<pk>``           an attribute's label, description and order
``s<pk>``           a source
``p<pk>-<pk>``      whether two categories (lower key first) have a published comparison
``categories``      the set of categories, their tree, order, names and summaries (the lists)
``attributes``      the set of published attributes, their labels, descriptions and order
                    (the glossary)
``comparisons``     the set of published comparisons (the lists)
``search``          every search result page
``terms``           the termbase: what a search reads a query as (search_terms.py)
``sitemaps``        the sitemap index and its sections: every page's address,
                    languages and last change
``all``             every page (a change of too many records to name them)
==================  ==========================================================

A body text of a comparison is therefore on its own page only, and its
title on every page that links to it; a comparison nobody can read yet (not
published) is on no page but its own.
"""

import itertools

from django.apps import apps
from django.conf import settings
from django.db import models

from .translation_status import MACHINE

EVERY_PAGE = "all"

# The fields of a record that other pages than its own show, by what shows them.
COMPARISON_LINK_FIELDS = {"title", "first_id", "second_id", "is_published"}
COMPARISON_SET_FIELDS = {"first_id", "second_id", "is_published"}
CATEGORY_NAME_FIELDS = {
    "slug",
    "abbreviation",
    "nominative",
    "genitive",
    "dative",
    "accusative",
    "instrumental",
}
CATEGORY_SECTION_FIELDS = {"name", "summary", "original_language"}
# The texts search results show (templates/comparisons/search.html).
SEARCHED_FIELDS = {
    "comparison": COMPARISON_LINK_FIELDS | {"key_difference", "introduction", "conclusion"},
    # Results name categories in comparisons' titles, in any case.
    "category": CATEGORY_NAME_FIELDS | CATEGORY_SECTION_FIELDS | {"description"},
}


# What a page shows -------------------------------------------------------------


def pair(first_pk, second_pk):
    low, high = sorted((first_pk, second_pk))
    return f"p{low}-{high}"


def named(category):
    return f"gn{category.pk}"


def presented(category):
    """A category's section (comparison pages) or card: its names, full name and summary."""
    return {f"gn{category.pk}", f"gs{category.pk}"}


def ordered(*categories):
    """
    Which of the categories comes first in a generated comparison's address,
    and whether each two of them have a written comparison.
    """
    keys = {f"go{category.pk}" for category in categories}
    return keys | {pair(a.pk, b.pk) for a, b in itertools.combinations(categories, 2)}


def linked(comparisons):
    """The keys of comparisons listed with links: their titles and their categories' names."""
    keys = set()
    for comparison in comparisons:
        keys.update((f"cn{comparison.pk}", f"gn{comparison.first_id}", f"gn{comparison.second_id}"))
    return keys


def cited(sources):
    return {f"s{source.pk}" for source in sources if source is not None}


def comparison_page(comparison):
    """A written comparison's page, but for its related comparisons (related())."""
    keys = {f"c{comparison.pk}", *presented(comparison.first), *presented(comparison.second)}
    for row in comparison.rows.all():
        keys |= {f"a{row.attribute_id}", *cited([row.source, row.attribute.description_source])}
    return keys | cited(comparison.sources.all())


def related(comparison, comparisons):
    """The list of comparisons related to one: those of either of its categories."""
    return {f"gc{comparison.first_id}", f"gc{comparison.second_id}", *linked(comparisons)}


def generated_page(categories, table):
    """A comparison generated from two categories' attribute values, or three or four's."""
    keys = ordered(*categories)
    for category in categories:
        keys |= {*presented(category), f"gv{category.pk}"}
    for row in table:
        keys |= {f"a{row.attribute.pk}", *cited([row.attribute.description_source])}
        for _category, claims in row.cells:
            for claim in claims:
                keys |= cited(claim.said_by)
    return keys


def category_page(category, children, comparisons):
    keys = {f"g{category.pk}", f"gk{category.pk}", f"gc{category.pk}", *linked(comparisons)}
    if category.parent_id is not None:
        keys.add(f"gn{category.parent_id}")
    keys |= {named(child) for child in children}
    for item in category.items.all():
        keys |= cited([item.source])
    return keys | cited(category.sources.all())


# Lists of categories show the set, and each one's names and its parent's.
CATEGORY_LISTS = {"categories"}
ATTRIBUTE_LIST = "attributes"
# The termbase's concepts, which searches read queries by.
TERMBASE = "terms"
# What the glossary shows of an attribute.
ATTRIBUTE_LIST_FIELDS = {"slug", "label", "description", "description_source_id", "order", "is_published"}

# The sitemaps list every page with its languages and last change: any change of
# a page's record or its parts may change them, and each rendering is cheap.
SITEMAPS = "sitemaps"
IN_SITEMAPS = {"comparison", "comparisonrow", "category", "categoryitem", "attribute"}


def listed_comparisons(comparisons, category=None):
    keys = linked(comparisons)
    if category is None:
        return keys | {"comparisons"}
    return keys | {f"gc{category.pk}", named(category)}


# What a change touches ---------------------------------------------------------


def base_names(model, columns):
    """Column names with modeltranslation's language suffix taken off (title_uk -> title)."""
    translated = set(getattr(model, "translated_fields", tuple)())
    names = set()
    for column in columns:
        stem, _sep, suffix = column.rpartition("_")
        names.add(stem if stem in translated and suffix in dict(settings.LANGUAGES) else column)
    return names


def machine_translated(record):
    """The columns of a record's texts that are machine translations nobody has reviewed (marked on pages)."""
    unreviewed = record.get("unreviewed_translations") or {}
    if not isinstance(unreviewed, dict):
        return set()
    return {column for column, origin in unreviewed.items() if origin == MACHINE}


def touched(model, pk, columns, whole=False, values=None, stored=None):
    """
    The keys of the pages that a write of one record changes: ``columns`` are
    the columns it changed, ``whole`` says it was added or deleted, ``values``
    are its columns as written (or as they were, for a deletion) and
    ``stored`` as they were before (the pages of a comparison's old categories,
    or of a category's old parent, change too).
    """
    records = [record for record in (stored, values) if record]
    # A translation that turns outdated or up to date shows or drops its note,
    # also where only its status was written (an import, a revert).
    notes = set.symmetric_difference(
        *(set(record.get("outdated_translations") or ()) for record in (stored or {}, values or {}))
    )
    # A machine translation reviewed, or one saved, shows or drops its mark.
    notes |= set.symmetric_difference(
        *(machine_translated(record) for record in (stored or {}, values or {}))
    )
    fields = base_names(model, columns)
    kind = model._meta.model_name
    keys = {SITEMAPS} if kind in IN_SITEMAPS else set()
    keys |= touched_pages(kind, pk, fields, whole, records)
    if noted := base_names(model, notes) - fields:
        # The pages that show those texts show their notes; search results quote them plain.
        keys |= touched_pages(kind, pk, noted, whole, records) - {"search"}
    return keys


def touched_pages(kind, pk, fields, whole, records):
    if kind == "comparison":
        return comparison_touched(pk, fields, whole, records)
    if kind == "category":
        return category_touched(pk, fields, whole, records)
    if kind == "comparisonrow":
        return {f"c{record['comparison_id']}" for record in records}
    if kind == "categoryitem":
        return {"search", *(f"g{record['category_id']}" for record in records)}
    if kind == "attributevalue":
        return {f"gv{record['category_id']}" for record in records}
    if kind == "attribute":
        return attribute_touched(pk, fields, whole, records)
    if kind == "source":
        return {f"s{pk}"}
    if kind == "concept":
        return {TERMBASE}
    return set()


def comparison_touched(pk, fields, whole, records):
    keys = {f"c{pk}"}
    # Other pages show published comparisons only: one that was not and is not, they never showed.
    if records and not any(record.get("is_published") for record in records):
        return keys
    if whole or fields & COMPARISON_LINK_FIELDS:
        keys.add(f"cn{pk}")
    if whole or fields & COMPARISON_SET_FIELDS:
        keys.add("comparisons")
        for record in records:
            first, second = record.get("first_id"), record.get("second_id")
            if first and second:
                keys |= {f"gc{first}", f"gc{second}", pair(first, second)}
    if whole or fields & SEARCHED_FIELDS["comparison"]:
        keys.add("search")
    return keys


def category_touched(pk, fields, whole, records):
    keys = {f"g{pk}"}
    # A category nobody can read yet (a new one, a draft) is on no page: neither are its comparisons.
    if records and not any(record.get("is_published") for record in records):
        return keys
    if "is_published" in fields:
        # Published or withdrawn: as if added or deleted, with its comparisons.
        whole = True
        keys |= comparisons_of(pk)
    if whole or fields & CATEGORY_NAME_FIELDS:
        keys |= {f"gn{pk}", "categories"}
    if whole or fields & CATEGORY_SECTION_FIELDS:
        keys |= {f"gs{pk}", "categories"}
    if whole or fields & {"order"}:
        # Search reads queries against the first categories in order (search_terms.py).
        keys |= {f"go{pk}", "categories", "search"}
    if whole or fields & {"order", "parent_id"}:
        # Its parent's page lists it among the categories filed there, in order.
        keys |= {"categories", *(f"gk{record['parent_id']}" for record in records if record.get("parent_id"))}
    if whole or fields & SEARCHED_FIELDS["category"]:
        keys.add("search")
    return keys


def comparisons_of(category_pk):
    """The keys of a category's published comparisons: they show or hide with it."""
    Comparison = apps.get_model("comparisons", "Comparison")
    found = Comparison.objects.filter(
        models.Q(first_id=category_pk) | models.Q(second_id=category_pk), is_published=True
    ).values_list("pk", "first_id", "second_id")
    keys = {"comparisons"}
    for pk, first, second in found:
        keys |= {f"c{pk}", f"cn{pk}", f"gc{first}", f"gc{second}", pair(first, second)}
    return keys


def attribute_touched(pk, fields, whole, records):
    keys = {f"a{pk}"}
    if records and not any(record.get("is_published") for record in records):
        return keys  # shown nowhere yet
    if whole or fields & ATTRIBUTE_LIST_FIELDS:
        keys.add(ATTRIBUTE_LIST)
    if whole or "is_published" in fields:
        # Published or withdrawn: the tables of its values and rows show or drop it.
        AttributeValue = apps.get_model("comparisons", "AttributeValue")
        ComparisonRow = apps.get_model("comparisons", "ComparisonRow")
        keys |= {
            f"gv{c}"
            for c in AttributeValue.objects.filter(attribute_id=pk).values_list("category_id", flat=True)
        }
        keys |= {
            f"c{c}"
            for c in ComparisonRow.objects.filter(attribute_id=pk).values_list("comparison_id", flat=True)
        }
    return keys
