"""
Which pages show which records.

A cached page is tagged with a key for each thing it shows; a change names
the keys of what it touched; the caches (cache.py, and the HTTP cache in
front through purge.py) drop exactly the pages tagged with one of them, in
every language at once. The keys are short because a list page carries a
hundred of them in its headers:

==================  ==========================================================
``c<pk>``           a written comparison's own page: any text, row or source
``cn<pk>``          the comparison where other pages link to it: its title,
                    its categories, whether it is published
``g<pk>``           a category's own page: any text, item or source
``gn<pk>``          the category where other pages name it: its names and word
                    forms, summary, slug, parent and order
``gv<pk>``          the category's attribute values (generated comparisons)
``gk<pk>``          the categories filed under it
``gc<pk>``          its published comparisons
``a<pk>``           an attribute's label and order
``s<pk>``           a source
``p<pk>-<pk>``      whether two categories (lower key first) have a published comparison
``categories``      the set of categories, their order and names (the lists)
``comparisons``     the set of published comparisons (the lists)
``search``          every search result page
``all``             every page (a change of too many records to name them)
==================  ==========================================================

A body text of a comparison is therefore on its own page only, and its
title on every page that links to it.
"""

from django.conf import settings

EVERY_PAGE = "all"

# The fields of a record that other pages than its own show.
COMPARISON_LINK_FIELDS = {"title", "first_id", "second_id", "is_published"}
CATEGORY_NAME_FIELDS = {
    "slug",
    "abbreviation",
    "name",
    "nominative",
    "genitive",
    "dative",
    "accusative",
    "instrumental",
    "summary",
    "parent_id",
    "order",
    # Which language is the original decides which translations are outdated (their notes).
    "original_language",
}
# Of those, the ones that move a category in the tree.
CATEGORY_TREE_FIELDS = {"slug", "parent_id", "order"}
# The texts search results show (templates/comparisons/search.html).
SEARCHED_FIELDS = {
    "comparison": COMPARISON_LINK_FIELDS | {"key_difference", "introduction", "conclusion"},
    # Results name categories in comparisons' titles, in any case.
    "category": CATEGORY_NAME_FIELDS | {"description"},
}


# What a page shows -------------------------------------------------------------


def pair(first_pk, second_pk):
    low, high = sorted((first_pk, second_pk))
    return f"p{low}-{high}"


def named(category):
    return f"gn{category.pk}"


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
    keys = {f"c{comparison.pk}", named(comparison.first), named(comparison.second)}
    for row in comparison.rows.all():
        keys |= {f"a{row.attribute_id}", *cited([row.source])}
    return keys | cited(comparison.sources.all())


def related(comparison, comparisons):
    """The list of comparisons related to one: those of either of its categories."""
    return {f"gc{comparison.first_id}", f"gc{comparison.second_id}", *linked(comparisons)}


def generated_page(first, second, table):
    keys = {named(first), named(second), f"gv{first.pk}", f"gv{second.pk}", pair(first.pk, second.pk)}
    for attribute, *claims in table:
        keys.add(f"a{attribute.pk}")
        for side in claims:
            for claim in side:
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


def touched(model, pk, columns, whole=False, values=None, stored=None):
    """
    The keys of the pages that a write of one record changes: ``columns`` are
    the columns it changed, ``whole`` says it was added or deleted, ``values``
    are its columns as written (or as they were, for a deletion) and
    ``stored`` as they were before (the pages of a comparison's old categories,
    or of a category's old parent, change too).
    """
    fields = base_names(model, columns)
    records = [record for record in (stored, values) if record]
    kind = model._meta.model_name
    keys = set()
    if whole or fields & SEARCHED_FIELDS.get(kind, set()):
        keys.add("search")
    if kind == "comparison":
        keys.add(f"c{pk}")
        if whole or fields & COMPARISON_LINK_FIELDS:
            keys |= {f"cn{pk}", "comparisons"}
            for record in records:
                first, second = record.get("first_id"), record.get("second_id")
                if first and second:
                    keys |= {f"gc{first}", f"gc{second}", pair(first, second)}
    elif kind == "comparisonrow":
        keys |= {f"c{record['comparison_id']}" for record in records}
    elif kind == "category":
        keys.add(f"g{pk}")
        if whole or fields & CATEGORY_NAME_FIELDS:
            keys |= {f"gn{pk}", "categories"}
        if whole or fields & CATEGORY_TREE_FIELDS:
            keys |= {f"gk{record['parent_id']}" for record in records if record.get("parent_id")}
    elif kind == "categoryitem":
        keys |= {"search", *(f"g{record['category_id']}" for record in records)}
    elif kind == "attributevalue":
        keys |= {f"gv{record['category_id']}" for record in records}
    elif kind == "attribute":
        keys.add(f"a{pk}")
    elif kind == "source":
        keys.add(f"s{pk}")
    return keys
