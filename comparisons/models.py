"""
The knowledge base: categories of outsourcing, the attributes along which they
are compared, written comparisons of two categories, and the source articles
every fact was extracted from.

Human-readable text is translated by django-modeltranslation (see
translation.py), which adds ``<field>_en``, ``<field>_uk`` and ``<field>_de``
columns. Code that writes content names those columns explicitly: the plain
attribute follows the active language and falls back to English on read.
"""

import functools
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Least, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import search_index
from .changes import BOOKKEEPING, ContentQuerySet, change_set
from .phrases import CASES, DIFFERENCE, VERSUS, cases_in
from .terms import check_terms, is_abbreviation, normalised, variant_pattern
from .translation_status import (
    TranslatedFields,
    in_every_language,
    in_other_languages,
    language_codes,
    same_text,
)

LANGUAGE_CHOICES = settings.LANGUAGES
# The longest text a field may hold (eight times the longest of the seeds): the
# admin's forms refuse more, and so does an import (loadcontent).
MAX_TEXT_CHARACTERS = 20_000
# The shortest term the search looks for: its indexes are of three characters.
SHORTEST_TERM = 3
# The matches a search reads first, by key, for a page of results (found_first()).
MATCHES_READ = 1000
# A concept's lists (Concept): the longest entry, and the longest list.
MAX_TERM_CHARACTERS = 120
MAX_LIST_CHARACTERS = 2000
# A category's names and word forms: a concept that is the category has them as its own.
CATEGORY_WORDS = ("abbreviation", "name", *CASES)


def not_blank(field):
    """A check that the English text of a translated field is filled in."""
    return filled(f"{field}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}")


def filled(column):
    """A check that a column of a translated field is neither NULL nor ''."""
    return models.Q(**{f"{column}__isnull": False}) & ~models.Q(**{column: ""})


class EditTracked(models.Model):
    """
    A new random token on every write (see changes.py), so that a form opened
    before someone else's save can be told apart from a fresh one (optimistic
    locking in the admin). A token rather than a counter: a restored version
    must not bring back a number that an open form still holds.
    """

    edit_token = models.CharField(_("edit token"), max_length=32, default="", editable=False)

    # Set on a page's part (a row, an item, a value): the foreign key to the
    # record that owns it, whose page and history it belongs to.
    owner_field = None

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        """
        A save of some fields (``update_fields``, or a record loaded with
        ``only()``/``defer()``) writes the columns the write path keeps with
        them, and reads the rest first: the translations' statuses are worked
        out from every text. A translated field's name stands for its column
        in every language, so that each is checked as written.
        """
        if update_fields is not None and not update_fields:
            return  # Django's no-op
        deferred = self.get_deferred_fields() if not self._state.adding else set()
        if deferred and update_fields is None:
            loaded = {f.attname for f in self._meta.concrete_fields} - deferred
            update_fields = [
                f.name for f in self._meta.concrete_fields if f.attname in loaded and not f.primary_key
            ]
        # Not modeltranslation's base columns: reading one in writes the active language's.
        deferred -= set(self.translated_fields())
        if deferred:
            self.refresh_from_db(fields=deferred)
        if update_fields is not None:
            translated = set(self.translated_fields())
            columns = set()
            for name in update_fields:
                columns.update(in_every_language(name) if name in translated else [name])
            # The credits too: a text written is credited anew (changes.before_save()). Unless
            # the caller names them, they are those stored: a copy in memory may be older.
            kept = [
                f.name for f in self._meta.concrete_fields if f.name in {*BOOKKEEPING, "translation_credits"}
            ]
            if "translation_credits" in kept and "translation_credits" not in columns and self.pk is not None:
                stored = (
                    type(self)._base_manager.filter(pk=self.pk).values_list("translation_credits", flat=True)
                )
                self.translation_credits = stored.first() or {}
            update_fields = {*columns, *kept}
        super().save(*args, update_fields=update_fields, **kwargs)

    def check_written(self, columns):
        """
        Refuse (ValidationError) what the rules of the record's fields forbid
        in the ``columns`` a write changes, where no form or import has asked
        already (changes.before_save; a script's save, say): here, a text
        that uses a variant the termbase forbids, or credits of a translation
        that are unsound (reviewed by its author, say).
        """
        check_terms(self, [column for column in self.text_columns() if column in columns])
        if "translation_credits" in columns and (errors := self.credit_errors()):
            raise ValidationError(errors)

    def clean_fields(self, exclude=None):
        """
        The fields' own rules, and the termbase's: a text a form, an import or
        a restored version writes anew uses no forbidden variant. A text it
        leaves as stored is not asked about (it was written before the rule).
        """
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        columns = self.texts_written(exclude or ())
        try:
            check_terms(self, columns)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if credit_errors := self.credit_errors():
            # Not the field's: a form shows none of it (the review it adds is checked again here).
            errors = ValidationError(credit_errors).update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def text_columns(self):
        """Every column of the record's texts (none for a record without texts to check)."""
        return in_every_language(*getattr(self, "text_fields", tuple)())

    def texts_written(self, exclude=()):
        """
        The text columns (but those in ``exclude``) this record writes: all
        of a new one, else those that differ from the stored ones, as read
        before a write (read_stored_texts(): an import, a snapshot) or now.
        """
        columns = [c for c in self.text_columns() if getattr(self, c) and c not in exclude]
        stored = getattr(self, "stored_texts", None)
        if stored is None:
            if not columns or self.pk is None:
                return columns
            stored = type(self)._base_manager.filter(pk=self.pk).values(*columns).first() or {}
        return [column for column in columns if not same_text(stored.get(column), getattr(self, column))]

    def after_write(self, stored, fields):
        """
        What else a write of the record changes, in its change set and before
        it is announced (changes.after_save): ``stored`` holds its columns as
        they were (None for a new record), ``fields`` the ones it changed.
        """

    def delete(self, *args, **kwargs):
        """A deletion is one change set with everything it cascades to: one history entry, not one per row."""
        with change_set():
            return super().delete(*args, **kwargs)


def read_stored_texts(objects):
    """
    Give each record the texts stored under its key, one query per model,
    before they are written over (an import) or checked (a snapshot): its
    validation asks the termbase only about the texts it changes
    (EditTracked.texts_written()).
    """
    by_model = defaultdict(list)
    for obj in objects:
        by_model[type(obj)].append(obj)
    for model, records in by_model.items():
        columns = records[0].text_columns() if hasattr(records[0], "text_columns") else []
        keys = [obj.pk for obj in records if obj.pk is not None]
        stored = {}
        if columns and keys:
            rows = model._base_manager.filter(pk__in=keys).values("pk", *columns)
            stored = {row["pk"]: row for row in rows}
        for obj in records:
            obj.stored_texts = stored.get(obj.pk, {})


class Source(EditTracked, TranslatedFields):
    """A scraped article that content was extracted from (see shared/seeds)."""

    title = models.CharField(_("title"), max_length=300)
    site = models.CharField(_("site"), max_length=200)
    language = models.CharField(_("language of the article"), max_length=8, choices=LANGUAGE_CHOICES)
    seed_file = models.CharField(
        _("seed file"),
        max_length=100,
        unique=True,
        help_text=_("File name of the article in the seeds folder."),
    )

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["seed_file"]
        constraints = [models.CheckConstraint(condition=not_blank("title"), name="source_title_not_blank")]

    def __str__(self):
        return self.title

    @property
    def original_language(self):
        return self.language


class TranslatedContent(EditTracked, TranslatedFields):
    """Content written in one language and translated into the others."""

    original_language = models.CharField(
        _("original language"),
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default=settings.MODELTRANSLATION_DEFAULT_LANGUAGE,
        help_text=_("The language this text was first written in; the others are translations."),
    )

    class Meta:
        abstract = True


class SearchableQuerySet(ContentQuerySet):
    """
    Case-insensitive search in the text a reader sees: the active language,
    or English where that language has no text yet. The databases' indexes
    find a substring of three characters or more (SQLite's FTS5 trigram
    tables, search_index.py; PostgreSQL's trigram indexes, migration 0005), so
    shorter terms are not searched for.
    """

    search_fields = ()

    def search(self, *terms):
        """Records whose shown text contains any of the terms of SHORTEST_TERM characters or more."""
        return self.matching(terms)

    def found_first(self, terms, limit):
        """
        The first ``limit`` records by key that search() finds, as fast for a
        term in every record as for a rare one. SQLite collects every match of
        its index before it filters and sorts them (70 ms for 100,000), so the
        first MATCHES_READ are read alone, and all only where those leave fewer
        than ``limit`` (drafts, unpublished categories). PostgreSQL's planner
        walks the key's index itself where a term is common.
        """
        ordered = self.order_by("pk")
        if connections[self.db].vendor != "sqlite":
            return list(ordered.search(*terms)[:limit])
        found = list(ordered.matching(terms, first=MATCHES_READ)[:limit])
        if len(found) < limit:
            found = list(ordered.search(*terms)[:limit])
        return found

    def matching(self, terms, first=None):
        """search()'s filter; with ``first`` on SQLite, among the first so many matches by key only."""
        terms = [term for term in terms if len(term) >= SHORTEST_TERM]
        if not terms:
            return self.none()
        if connections[self.db].vendor == "sqlite":
            sql, params = search_index.matching(self.model, get_language(), terms, first)
            return self.filter(pk__in=RawSQL(sql, params))
        condition = models.Q()
        for index, field in enumerate(self.search_fields):
            alias = f"search_text_{index}"
            self = self.alias(**{alias: shown_text(field, get_language())})
            for term in terms:
                condition |= models.Q(**{f"{alias}__contains": term.lower()})
        return self.filter(condition)


def said_once(records, field):
    """
    The records, each text once (as the reader sees it, in the active language
    or English): where two articles say the same, one record stands for both,
    with the sources of all of them in ``said_by``.
    """
    language = get_language()
    merged = {}
    for record in records:
        text, _language = record.text_in(field, language)
        first = merged.setdefault(" ".join(text.casefold().split()), record)
        if first is record:
            record.said_by = []
        if record.source not in first.said_by:
            first.said_by.append(record.source)
    return list(merged.values())


def say_the_same(*claims):
    """Whether each column's claims are the same texts, as the reader sees them (said_once())."""
    language = get_language()
    said = [{" ".join(c.text_in("value", language)[0].casefold().split()) for c in each} for each in claims]
    return all(column == said[0] for column in said)


class GeneratedRow:
    """
    A row of a generated comparison table: what the sources say of each
    category along one attribute, each text once with all its sources.
    """

    def __init__(self, attribute, cells):
        self.attribute = attribute
        self.cells = cells  # [(category, claims)], in the table's order

    def said_of_all(self):
        return all(claims for _category, claims in self.cells)

    @functools.cached_property
    def shows_a_difference(self):
        """
        Whether the sources say different things of two categories or more:
        what a "differences only" view keeps. A row said of one category only
        shows no difference, and neither does one where all say the same.
        """
        said = [claims for _category, claims in self.cells if claims]
        return len(said) > 1 and not say_the_same(*said)


def split_by_coverage(table):
    """
    A generated table's rows: those the sources say something of for every
    category (the differences a reader came for), and the others.
    """
    said_of_all = [row for row in table if row.said_of_all()]
    return said_of_all, [row for row in table if not row.said_of_all()]


def canonical_order(categories):
    """
    Categories in the order a generated comparison's address names them: by
    their order, then by key, which no rename in any language changes.
    """
    return sorted(categories, key=lambda category: (category.order, category.pk))


def generated_address(categories):
    """The address, in the active language, of the page generated for ``categories`` in this order."""
    slugs = [category.slug for category in categories]
    if len(slugs) == 2:
        return reverse("comparisons:comparison_detail", kwargs={"first": slugs[0], "second": slugs[1]})
    return reverse("comparisons:comparison_of_many", kwargs={"slugs": slugs})


def shown_text(field, language):
    """
    The text of a translated field as a reader in ``language`` sees it, in
    lower case: the database's side of TranslatedFields.text_in. On PostgreSQL
    a trigram index on this very expression (see migration 0005) serves the
    search's LIKE '%term%'.
    """
    text = models.TextField()
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return Lower(
        Coalesce(
            NullIf(f"{field}_{language}", models.Value(""), output_field=text),
            f"{field}_{default}",
            output_field=text,
        )
    )


# An optional text is a text or nothing: spaces alone would show as an empty explanation.
validate_some_text = RegexValidator(r"\S", message=_("Write a text, or leave the field empty."))

# The addresses of comparisons join slugs with "-vs-" (bpo-vs-kpo, bpo-vs-kpo-vs-ito):
# a slug with "vs" as a word of its own would make them ambiguous.
validate_no_vs = RegexValidator(
    r"(^|-)vs(-|$)",
    inverse_match=True,
    message=_("A slug cannot have “vs” as a word: comparison addresses join slugs with “-vs-”."),
)


class CategoryQuerySet(SearchableQuerySet):
    search_fields = ("abbreviation", "name", "summary", "description")

    def published(self):
        return self.filter(is_published=True)

    def roots(self):
        return self.filter(parent__isnull=True)

    def named(self, *slugs):
        """
        {slug: category} of those of ``slugs`` that name a category in the
        active language: its slug now, else one it had (FormerSlug) where none
        has it now, else its slug in another language (a path whose language
        prefix a reader changed by hand).
        """
        language = get_language()
        found = {category.slug: category for category in self.filter(slug__in=slugs).order_by()}
        if missing := set(slugs) - found.keys():
            renamed = FormerSlug.objects.filter(
                language=language, slug__in=missing, category__in=self
            ).select_related("category")
            found |= {former.slug: former.category for former in renamed}
        if missing := set(slugs) - found.keys():
            # Not one a category has or had here (unpublished now, say): that address is its.
            column = f"slug_{language}"
            held = self.model._default_manager.filter(**{f"{column}__in": missing}).values_list(
                column, flat=True
            )
            had = FormerSlug.objects.filter(language=language, slug__in=missing).values_list(
                "slug", flat=True
            )
            missing -= {*held, *had}
        if missing:
            others = in_other_languages(language)
            elsewhere = models.Q()
            for code in others:
                elsewhere |= models.Q(**{f"slug_{code}__in": missing})
            holders = list(self.filter(elsewhere).order_by())
            for code in others:  # the first language's holder, where two have it
                for category in holders:
                    slug = getattr(category, f"slug_{code}")
                    if slug in missing:
                        found.setdefault(slug, category)
        return found

    def for_page(self):
        """Everything a category page shows, in a fixed number of queries."""
        return self.select_related("parent").prefetch_related(
            models.Prefetch("items", CategoryItem.objects.select_related("source")),
            "sources",
        )


class Category(TranslatedContent):
    # One per language (translation.py), unique in its language (Meta.constraints):
    # the plain column holds whichever language a save had active.
    slug = models.SlugField(_("slug"), max_length=80, validators=[validate_no_vs])
    abbreviation = models.CharField(
        _("abbreviation"), max_length=40, help_text=_("Short name such as BPO, or “Call centre”.")
    )
    name = models.CharField(_("full name"), max_length=200)
    # The short name as sentences use it (see phrases.py). English uses only the
    # nominative; which other cases a language needs, its catalogue says.
    nominative = models.CharField(
        _("in a sentence"),
        max_length=100,
        help_text=_(
            "The short name as it is written inside a sentence: a common noun in lower case "
            "(call centre), an abbreviation or a proper noun as it is (BPO)."
        ),
    )
    genitive = models.CharField(_("genitive"), max_length=100, blank=True)
    dative = models.CharField(_("dative"), max_length=100, blank=True)
    accusative = models.CharField(_("accusative"), max_length=100, blank=True)
    instrumental = models.CharField(_("instrumental"), max_length=100, blank=True)
    summary = models.TextField(
        _("summary"), max_length=MAX_TEXT_CHARACTERS, help_text=_("One or two sentences.")
    )
    description = models.TextField(_("description"), max_length=MAX_TEXT_CHARACTERS)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="categories")
    # A new category starts unpublished, as a draft: readers see it, its page and
    # comparisons, and the tables its values make, once an editor publishes it.
    is_published = models.BooleanField(_("published"), default=False)

    objects = CategoryQuerySet.as_manager()

    language_own_fields = ("slug",)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        # The same order in every language.
        ordering = ["order", f"slug_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"]
        constraints = [
            *(
                constraint
                for code, _name in settings.LANGUAGES
                for constraint in (
                    models.UniqueConstraint(fields=[f"slug_{code}"], name=f"category_slug_{code}_unique"),
                    models.CheckConstraint(
                        condition=filled(f"slug_{code}"), name=f"category_slug_{code}_not_blank"
                    ),
                )
            ),
            models.CheckConstraint(
                condition=not_blank("abbreviation"), name="category_abbreviation_not_blank"
            ),
            models.CheckConstraint(condition=not_blank("name"), name="category_name_not_blank"),
            models.CheckConstraint(
                condition=not_blank("nominative"),
                name="category_nominative_not_blank",
                violation_error_message=_("Write the name as it reads inside an English sentence."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="category_not_own_parent"
            ),
        ]

    def __str__(self):
        return self.abbreviation

    def save(self, *args, **kwargs):
        columns = in_every_language("slug")
        # A new category given no slug in a language (by code, a command) takes the one
        # it was given: English's, or the active language's where it was given as ``slug``.
        if self._state.adding:
            given = [getattr(self, column) for column in columns]
            for column in columns:
                if not getattr(self, column):
                    setattr(self, column, next(filter(None, given), None))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comparisons:category_detail", kwargs={"slug": self.slug})

    @classmethod
    def translated_fields_in(cls, language):
        """A language keeps only the word forms its sentences use (phrases.cases_in)."""
        used = cases_in(language)
        return tuple(f for f in cls.text_fields() if f not in CASES or f in used)

    def check_written(self, columns):
        super().check_written(columns)
        # A slug is an address on every path, a script's too: the forms' and an import's rules
        # for one it writes anew (one stored before a rule keeps working until it is renamed).
        if slugs := set(in_every_language("slug")) & set(columns):
            self.clean_fields(exclude={f.name for f in self._meta.fields} - slugs)

    def after_write(self, stored, fields):
        # A slug it leaves in a language keeps leading to it there: its old addresses
        # redirect (views.py). One it had unpublished takes no other category's redirects.
        def written(column):
            """The column as the write left it: a value only in memory is not the record's."""
            return getattr(self, column) if stored is None or column in fields else stored[column]

        published = written("is_published")
        for code in language_codes():
            column = f"slug_{code}"
            renamed = stored is not None and column in fields
            if renamed and stored[column]:
                keep = (
                    FormerSlug.objects.update_or_create
                    if stored["is_published"]
                    else FormerSlug.objects.get_or_create
                )
                keep(language=code, slug=stored[column], defaults={"category": self})
            # The slug it has is its own, and once it is public under it, nobody else's.
            if published and (stored is None or renamed or "is_published" in fields):
                FormerSlug.objects.filter(language=code, slug=written(column)).delete()
            elif renamed:
                self.former_slugs.filter(language=code, slug=written(column)).delete()

    def original_text(self, field):
        # Every word form is made from the original language's name in a sentence.
        return super().original_text("nominative" if field in CASES else field)

    def made_from_original(self, field, language):
        # The original language's own cases too: a new name needs new forms.
        return super().made_from_original(field, language) or field in CASES and field != "nominative"

    def form(self, case, language):
        """
        The short name in ``case`` in ``language``: the nominative of that
        language where the case is not written yet, English where neither is.
        """
        for field in (case, "nominative"):
            text = getattr(self, f"{field}_{language}", None)
            if text:
                return text
        return self.text_in("nominative", language)[0]

    def distinct_name(self):
        """The full name as shown, or "" where it only repeats the short one ("Call centre: Call centre")."""
        language = get_language()
        name = self.text_in("name", language)[0]
        return "" if name.casefold() == self.text_in("abbreviation", language)[0].casefold() else name

    def translated_parts(self):
        return [self, *self.items.all()]

    def items_by_kind(self):
        """(kind, heading, items): the listed items grouped by kind, in the order of ``CategoryItem.Kind``."""
        groups = {kind: [] for kind in CategoryItem.Kind}
        for item in self.items.all():
            groups[item.kind].append(item)
        return [
            (kind, CategoryItem.HEADINGS[kind], said_once(items, "name"))
            for kind, items in groups.items()
            if items
        ]

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own ancestor.")})
            ancestor = ancestor.parent


class CategoryItemQuerySet(SearchableQuerySet):
    search_fields = ("name",)

    def said_once(self, limit):
        """
        Up to ``limit`` items, each name once per category and kind however
        many sources list it (said_once(), as a category's page lists them), in
        the queryset's order. Read from a few times ``limit``: a name is listed
        by a few sources at most.
        """
        items = list(self.select_related("source")[: limit * 4])
        listed_together = defaultdict(list)
        for item in items:
            listed_together[item.category_id, item.kind].append(item)
        once = {item.pk for same in listed_together.values() for item in said_once(same, "name")}
        return [item for item in items if item.pk in once][:limit]


class CategoryItem(TranslatedContent):
    """A service, segment or example listed for a category by a source."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("service")
        SEGMENT = "segment", _("segment")
        EXAMPLE = "example", _("example")
        FRONT_OFFICE = "front-office", _("front-office work")
        BACK_OFFICE = "back-office", _("back-office work")
        CALL_TYPE = "call-type", _("kind of call")

    # The heading over a category's items of a kind: a list, so a plural ("Services"),
    # where the kind's own label names one item ("service", in a search result).
    HEADINGS = {
        Kind.SERVICE: pgettext_lazy("a heading over a category's items", "services"),
        Kind.SEGMENT: pgettext_lazy("a heading over a category's items", "segments"),
        Kind.EXAMPLE: pgettext_lazy("a heading over a category's items", "examples"),
        Kind.FRONT_OFFICE: pgettext_lazy("a heading over a category's items", "front-office work"),
        Kind.BACK_OFFICE: pgettext_lazy("a heading over a category's items", "back-office work"),
        Kind.CALL_TYPE: pgettext_lazy("a heading over a category's items", "kinds of call"),
    }

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="category_items"
    )

    objects = CategoryItemQuerySet.as_manager()
    owner_field = "category"

    class Meta:
        verbose_name = _("category item")
        verbose_name_plural = _("category items")
        ordering = ["category", "kind", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=not_blank("name"), name="categoryitem_name_not_blank")
        ]

    def __str__(self):
        return self.name


class AttributeQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_glossary(self):
        return self.published().select_related("description_source").prefetch_related("former_slugs")


class Attribute(TranslatedContent):
    """A dimension along which categories are compared, e.g. “required skills”."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    label = models.CharField(_("label"), max_length=120)
    # Shown wherever the label heads a row, and in the glossary. Optional, so that
    # an attribute from an older backup still loads; a missing one shows as missing.
    description = models.TextField(
        _("description"),
        max_length=600,
        blank=True,
        # A TextField's max_length binds its form only: full_clean() (an import, a revert) holds to it too.
        validators=[MaxLengthValidator(600), validate_some_text],
        help_text=_(
            "What the attribute means, in a sentence or two that a reader new to outsourcing understands."
        ),
    )
    description_source = models.ForeignKey(
        Source,
        verbose_name=_("description taken from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attribute_descriptions",
        help_text=_("The source article that defines the attribute. Leave empty where the editors wrote it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # A new attribute starts unpublished: its values and rows show once it is published.
    is_published = models.BooleanField(_("published"), default=False)

    objects = AttributeQuerySet.as_manager()

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=""), name="attribute_slug_not_blank"),
            models.CheckConstraint(condition=not_blank("label"), name="attribute_label_not_blank"),
        ]

    # Written for every attribute, but an older backup's attributes have none: where the
    # original has no description, no language misses one.
    optional_translated_fields = ("description",)

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("comparisons:glossary") + f"#attribute-{self.slug}"

    def after_write(self, stored, fields):
        # A link to its glossary entry by the slug it leaves still lands on it (glossary.html);
        # the slug it has now is its own anchor, not another attribute's.
        if stored and "slug" in fields:
            FormerAttributeSlug.objects.update_or_create(slug=stored["slug"], defaults={"attribute": self})
        if stored is None or "slug" in fields:
            FormerAttributeSlug.objects.filter(slug=self.slug).delete()

    def is_explained(self):
        """Whether a reader in the active language is shown a description (perhaps English's)."""
        return bool(self.text_in("description", get_language())[0])


class AttributeValueQuerySet(ContentQuerySet):
    def table_for(self, *categories):
        """
        A comparison table generated from what the sources say of each
        category: a GeneratedRow for every published attribute that at least
        one of them has a value for, in the attributes' order.
        """
        values = self.filter(category__in=categories, attribute__is_published=True)
        values = values.select_related("attribute__description_source", "source")
        column = {category.pk: index for index, category in enumerate(categories)}
        table = {}
        for value in values.order_by("attribute__order", "attribute__slug", "source__seed_file"):
            claims = table.setdefault(value.attribute, [[] for _category in categories])
            claims[column[value.category_id]].append(value)
        return [
            GeneratedRow(
                attribute, [(c, said_once(said, "value")) for c, said in zip(categories, claims, strict=True)]
            )
            for attribute, claims in table.items()
        ]


class AttributeValue(TranslatedContent):
    """
    What one source says a category is along one attribute. Two sources may
    say different things; both claims are kept, each with its source.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attribute_values"
    )
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.TextField(_("value"), max_length=MAX_TEXT_CHARACTERS)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="attribute_values"
    )

    objects = AttributeValueQuerySet.as_manager()
    owner_field = "category"

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["category", "attribute__order", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "attribute", "source"], name="attributevalue_one_claim_per_source"
            ),
            models.CheckConstraint(condition=not_blank("value"), name="attributevalue_value_not_blank"),
        ]

    def __str__(self):
        return f"{self.category} · {self.attribute}"


class ComparisonQuerySet(SearchableQuerySet):
    # Only the comparison's own columns, so that every condition can use an index;
    # the texts name both categories anyway.
    search_fields = ("key_difference", "introduction", "conclusion")

    def published(self):
        """Published, and so are both categories (a new category stays unseen with its comparisons)."""
        return self.filter(is_published=True, first__is_published=True, second__is_published=True)

    def listed(self):
        """
        The same comparisons as published(), for a list that counts them: the
        categories are checked against the few that are not published, so that
        the count reads one index (comparison_listed) instead of joining two
        categories to every row (at 100,000 comparisons 15 ms instead of 130–220).
        A page that shows one comparison builds the joined form faster.
        """
        hidden = Category.objects.filter(is_published=False).values("pk")
        return self.filter(is_published=True).exclude(first__in=hidden).exclude(second__in=hidden)

    def for_category(self, category):
        return self.filter(models.Q(first=category) | models.Q(second=category))

    def related_to(self, comparison, limit):
        """
        Up to ``limit`` other comparisons of either of its categories, the newest
        first (a list): not the latest changed, so that an edit of one comparison
        leaves its neighbours' pages as they are (page_keys.py). Their keys are
        picked first, in a query of the comparison table alone sorted on an
        expression that no index holds: sorted on the key itself, PostgreSQL
        walked the whole key index hoping to meet them early, and with the
        categories joined first it hashed them all. The few are then fetched by
        key, and sorted here: an ORDER BY costs Django more than the sort.
        """
        categories = [comparison.first_id, comparison.second_id]
        # The comparison table alone (the categories' publication is checked with the few).
        newest = (
            self.model.objects.filter(is_published=True)
            .filter(models.Q(first__in=categories) | models.Q(second__in=categories))
            .exclude(pk=comparison.pk)
            .order_by((models.F("pk") + 0).desc())
            .values_list("pk", flat=True)
        )
        found = self.filter(pk__in=list(newest[:limit])).order_by()
        return sorted(found, key=lambda other: other.pk, reverse=True)

    def of_pair(self, first, second):
        """The comparison of these two categories, in whichever order it was written."""
        return self.filter(models.Q(first=first, second=second) | models.Q(first=second, second=first))

    def with_categories(self):
        return self.select_related("first", "second")

    def for_page(self):
        """Everything a comparison page shows, in a fixed number of queries."""
        return self.with_categories().prefetch_related(*page_parts())


def page_parts():
    """The prefetches of what a comparison's page shows besides the comparison and its categories."""
    rows = ComparisonRow.objects.filter(attribute__is_published=True).select_related(
        "attribute__description_source", "source"
    )
    return (models.Prefetch("rows", rows), "sources")


class Comparison(TranslatedContent):
    """A written comparison of two different categories: X vs Y is also Y vs X."""

    first = models.ForeignKey(
        Category,
        verbose_name=_("first category"),
        on_delete=models.PROTECT,
        related_name="comparisons_as_first",
    )
    second = models.ForeignKey(
        Category,
        verbose_name=_("second category"),
        on_delete=models.PROTECT,
        related_name="comparisons_as_second",
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_(
            "Leave empty for the usual “Difference between … and …”. A title written here is "
            "shown instead, in this language only."
        ),
    )
    key_difference = models.TextField(_("key difference"), max_length=MAX_TEXT_CHARACTERS)
    introduction = models.TextField(_("introduction"), max_length=MAX_TEXT_CHARACTERS)
    conclusion = models.TextField(_("conclusion"), max_length=MAX_TEXT_CHARACTERS)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), related_name="comparisons")
    is_published = models.BooleanField(_("published"), default=False)
    # Renewed by changes.py on every write that changes the comparison: not auto_now,
    # which would renew it on a save that changes nothing, and skips raw writes.
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)

    objects = ComparisonQuerySet.as_manager()

    class Meta:
        verbose_name = _("comparison")
        verbose_name_plural = _("comparisons")
        # App-wide rights of the translator roles (groups made by migration
        # 0002_roles), kept here because every permission needs a model.
        permissions = [
            ("translate_en", _("Can translate content into English")),
            ("translate_uk", _("Can translate content into Ukrainian")),
            ("translate_de", _("Can translate content into German")),
        ]
        # Creation order: sorting on the categories would join and sort every row.
        ordering = ["pk"]
        indexes = [models.Index(fields=["first", "second", "is_published"], name="comparison_listed")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(first=models.F("second")),
                name="comparison_of_two_different_categories",
                violation_error_message=_("A category cannot be compared with itself."),
            ),
            models.UniqueConstraint(
                Least("first", "second"),
                Greatest("first", "second"),
                name="comparison_pair_exists_once",
                violation_error_message=_(
                    "These two categories are already compared, possibly in the other order."
                ),
            ),
            models.CheckConstraint(
                condition=not_blank("key_difference"), name="comparison_key_difference_not_blank"
            ),
            models.CheckConstraint(
                condition=not_blank("introduction"), name="comparison_introduction_not_blank"
            ),
            models.CheckConstraint(condition=not_blank("conclusion"), name="comparison_conclusion_not_blank"),
        ]

    # An empty title in a language shows the usual pattern, not another language's title.
    optional_translated_fields = patterned_fields = ("title",)

    def __str__(self):
        return VERSUS.text(first=self.first, second=self.second)

    def get_absolute_url(self):
        return reverse(
            "comparisons:comparison_detail", kwargs={"first": self.first.slug, "second": self.second.slug}
        )

    def translated_parts(self):
        # The rows' attributes too: the table shows their labels and descriptions.
        rows = list(self.rows.all())
        return [self, *rows, *{row.attribute_id: row.attribute for row in rows}.values()]

    def categories(self):
        return [self.first, self.second]

    def load_page_parts(self):
        """Fetch its rows and sources, as for_page() does, for a comparison loaded without them."""
        models.prefetch_related_objects([self], *page_parts())

    def get_title(self):
        """The title written for the active language, or "Difference between X and Y"."""
        return getattr(self, f"title_{get_language()}", "") or DIFFERENCE.text(
            first=self.first, second=self.second
        )


class ComparisonRow(TranslatedContent):
    """One line of a comparison table: an attribute and each side's value."""

    comparison = models.ForeignKey(
        Comparison, verbose_name=_("comparison"), on_delete=models.CASCADE, related_name="rows"
    )
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="rows"
    )
    first_value = models.TextField(_("value for the first category"), max_length=MAX_TEXT_CHARACTERS)
    second_value = models.TextField(_("value for the second category"), max_length=MAX_TEXT_CHARACTERS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="comparison_rows"
    )

    objects = ContentQuerySet.as_manager()
    owner_field = "comparison"

    class Meta:
        verbose_name = _("comparison row")
        verbose_name_plural = _("comparison rows")
        ordering = ["comparison", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["comparison", "attribute"], name="comparisonrow_attribute_once"),
            models.CheckConstraint(
                condition=not_blank("first_value"), name="comparisonrow_first_value_not_blank"
            ),
            models.CheckConstraint(
                condition=not_blank("second_value"), name="comparisonrow_second_value_not_blank"
            ),
        ]

    def __str__(self):
        return str(self.attribute)


class FormerSlug(models.Model):
    """
    A slug a category had in a language: the addresses that named it there
    (its page, its comparisons) redirect to its address now (views.py).
    Kept by the write path (Category.after_write, not on an import, which
    brings its own) and carried by backups. A slug a published category has
    now is its own, whatever it was before (CategoryQuerySet.named() looks for
    it first); the most recent published category to leave a slug has its
    redirects.
    """

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    slug = models.SlugField(_("slug"), max_length=80)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="former_slugs"
    )

    class Meta:
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="formerslug_once_per_language"),
        ]

    def __str__(self):
        return f"{self.slug} ({self.language})"


class FormerAttributeSlug(models.Model):
    """
    A slug an attribute had. Its glossary entry's anchor was named after it
    (#attribute-<slug>), which a server never sees, so no redirect can serve
    a link to it: the entry keeps answering to the old anchor as well.
    Kept by the write path (Attribute.after_write) and carried by backups;
    the slug an attribute has now is its own.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.CASCADE, related_name="former_slugs"
    )

    class Meta:
        verbose_name = _("former slug of an attribute")
        verbose_name_plural = _("former slugs of attributes")

    def __str__(self):
        return self.slug


def listed(text):
    """The entries of a list written one per line, without blank lines or spaces around them."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class Concept(EditTracked, TranslatedFields):
    """
    One thing the site names, as its termbase says to name it in each
    language: the preferred term and its word forms, the names readers also
    use for it (a search for one finds the term: search_terms.py), and the
    variants texts must not use (terms.py). Each language's entries are its
    own, not translations of the English ones: they have no translation
    status, and only editors write them.
    """

    term = models.CharField(_("preferred term"), max_length=MAX_TERM_CHARACTERS)
    forms = models.TextField(
        _("word forms"),
        blank=True,
        validators=[MaxLengthValidator(MAX_LIST_CHARACTERS)],
        help_text=_("The preferred term's other forms (cases, plural), one per line."),
    )
    synonyms = models.TextField(
        _("also searched as"),
        blank=True,
        validators=[MaxLengthValidator(MAX_LIST_CHARACTERS)],
        help_text=_(
            "Other names readers type for it (abbreviations, other spellings), one per line:"
            " a search for one of them finds the preferred term."
        ),
    )
    forbidden = models.TextField(
        _("forbidden variants"),
        blank=True,
        validators=[MaxLengthValidator(MAX_LIST_CHARACTERS)],
        help_text=_(
            "Variants the texts must not use, one per line. Readers' searches find the term by them."
        ),
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(MAX_LIST_CHARACTERS)])
    # PROTECT: Django would set NULL with an update() that no write path sees.
    category = models.OneToOneField(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concept",
        help_text=_("Where the concept is a category: its names and word forms are the concept's too."),
    )

    objects = ContentQuerySet.as_manager()

    language_own_fields = ("term", "forms", "synonyms", "forbidden", "note")
    # The entries a concept has in each language, one per line.
    list_fields = ("forms", "synonyms", "forbidden")

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = [f"term_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"]
        constraints = [
            models.UniqueConstraint(
                fields=[f"term_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"], name="concept_term_unique"
            ),
            models.CheckConstraint(condition=not_blank("term"), name="concept_term_not_blank"),
        ]

    def __str__(self):
        return self.term  # in the active language, English where it has none

    @property
    def original_language(self):
        return settings.MODELTRANSLATION_DEFAULT_LANGUAGE

    def preferred(self, language):
        """The preferred term in ``language`` and its forms, the category's names and forms among them."""
        words = [getattr(self, f"term_{language}") or "", *listed(getattr(self, f"forms_{language}"))]
        if self.category is not None:
            words += [getattr(self.category, f"{name}_{language}") or "" for name in CATEGORY_WORDS]
        return list(dict.fromkeys(word for word in words if word))

    def forbidden_in(self, language):
        """The variants texts in ``language`` must not use."""
        return listed(getattr(self, f"forbidden_{language}"))

    def check_written(self, columns):
        super().check_written(columns)
        # The rules of the form on every path: a script's save too.
        fields = {field.name for field in self._meta.fields}
        self.clean_fields(exclude=fields - set(columns))
        if set(columns) & set(in_every_language(*self.language_own_fields)) or "category_id" in columns:
            self.clean()

    def clean(self):
        errors = defaultdict(list)
        for code in language_codes():
            for name in self.list_fields:
                for entry in listed(getattr(self, f"{name}_{code}")):
                    if len(entry) > MAX_TERM_CHARACTERS:
                        errors[f"{name}_{code}"].append(
                            _("“%(entry)s” is longer than %(count)d characters; write one entry per line.")
                            % {"entry": entry[:40] + "…", "count": MAX_TERM_CHARACTERS}
                        )
            for entry in self.forbidden_in(code):
                if not (entry[0].isalnum() and entry[-1].isalnum()):
                    errors[f"forbidden_{code}"].append(
                        _("“%(entry)s” must begin and end with a letter or digit: write the word alone.")
                        % {"entry": entry}
                    )
                letters = sum(character.isalpha() for character in entry)
                if letters < (2 if is_abbreviation(entry) else 3):
                    errors[f"forbidden_{code}"].append(
                        _(
                            "“%(entry)s” is too short to be told from other words: write at least three"
                            " letters, or two for an abbreviation in capitals."
                        )
                        % {"entry": entry}
                    )
            if self.forbidden_in(code) and not getattr(self, f"term_{code}"):
                errors[f"term_{code}"].append(
                    _("Write the preferred term in this language: texts are told to write it instead.")
                )
        for column, message in self.clashes():
            errors[column].append(message)
        if errors:
            raise ValidationError(dict(errors))

    def clashes(self):
        """
        (column, message) for each forbidden variant that would refuse a
        preferred form, however inflected (terms.py): this concept's own or
        another's, either way round.
        """
        others = list(Concept.objects.exclude(pk=self.pk).select_related("category"))
        found = []
        for code in language_codes():
            mine = self.preferred(code)
            for entry in self.forbidden_in(code):
                pattern = variant_pattern(entry, code)
                for concept in [self, *others]:
                    refused = next(
                        (word for word in concept.preferred(code) if pattern.search(normalised(word))), None
                    )
                    if refused is not None:
                        message = _(
                            "“%(entry)s” would also refuse “%(form)s”, a preferred form of “%(concept)s”."
                        )
                        found.append(
                            (f"forbidden_{code}", message % clash_details(entry, refused, concept, code))
                        )
            for concept in others:
                for entry in concept.forbidden_in(code):
                    pattern = variant_pattern(entry, code)
                    refused = next((word for word in mine if pattern.search(normalised(word))), None)
                    if refused is not None:
                        message = _("“%(form)s” is a variant “%(concept)s” forbids (“%(entry)s”).")
                        found.append((f"term_{code}", message % clash_details(entry, refused, concept, code)))
        return found


def clash_details(entry, form, concept, language):
    return {"entry": entry, "form": form, "concept": getattr(concept, f"term_{language}") or concept.term_en}


class DraftQuerySet(models.QuerySet):
    def of(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def for_record(self, model, pk):
        return self.of(model).filter(object_id=pk).first()


class Draft(models.Model):
    """
    Unpublished changes of a published record and its parts (a comparison's
    rows, a category's items and values), kept apart from the tables readers
    are served from: the records as they will be, serialized (see drafts.py).
    Readers, caches, search and the sitemap read the tables and never see it.
    """

    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField(_("record"))
    records = models.JSONField(_("records as drafted"))
    # The published record and its parts when the draft was started, as a hash
    # of what they hold (drafts.fingerprint): publishing is refused once they
    # changed, whichever way (the change form's edit-conflict rule). Its edit
    # token then says which version that was, for the message.
    base_fingerprint = models.CharField(_("published content"), max_length=64)
    base_token = models.CharField(_("published version"), max_length=32)
    # New on every save of the draft: two people saving one draft are told apart.
    edit_token = models.CharField(_("edit token"), max_length=32)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    saved_at = models.DateTimeField(_("last saved"))
    # Everybody who saved it, by user name, for "unpublished changes by …".
    authors = models.JSONField(_("authors"), default=list)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="draft_one_per_record")
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}"

    @property
    def model(self):
        return self.content_type.model_class()


class DraftEvent(models.Model):
    """A draft saved, published or discarded, by whom: shown in the record's History."""

    class Action(models.TextChoices):
        SAVED = "saved", _("Draft saved")
        PUBLISHED = "published", _("Draft published")
        DISCARDED = "discarded", _("Draft discarded")

    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField(_("record"))
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("date/time"), default=timezone.now)
    # Labels of the fields that differ from the published version, as saved.
    fields = models.JSONField(_("changed fields"), default=list)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft event")
        verbose_name_plural = _("draft events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="draftevent_record")]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


class BulkAction(models.Model):
    """
    A bulk action on more records than one request should handle (bulk.py):
    what, on which records, by whom, and how far the task worker has got.
    """

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        UNPUBLISH = "unpublish", _("Unpublish")
        PUBLISH_DRAFTS = "publish_drafts", _("Publish the drafts")
        DISCARD_DRAFTS = "discard_drafts", _("Discard the drafts")

    content_type = models.ForeignKey(ContentType, verbose_name=_("kind of record"), on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    keys = models.JSONField(_("records"))
    total = models.PositiveIntegerField(_("number of records"), default=0)
    # The language of the editor who asked for it: revision comments and messages are in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("bulk action", "started by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    started_at = models.DateTimeField(pgettext_lazy("bulk action", "started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Records gone through, and of those, changed; the names of those refused, and why it stopped.
    done = models.PositiveIntegerField(_("done"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    refused = models.JSONField(_("refused"), default=list)
    failure = models.TextField(_("failure"), blank=True)

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.content_type.model}, {self.total})"

    @property
    def model(self):
        return self.content_type.model_class()
