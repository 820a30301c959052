"""
The editors' admin. Translated fields appear as one tab per language
(modeltranslation's tabbed admin); list views show what an editor checks
first: how much each record holds, where it comes from, and which
translations are missing.
"""

from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import IntegrityError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline, TranslationTabularInline

from .. import changes
from ..models import (
    Attribute,
    AttributeValue,
    Category,
    CategoryItem,
    Comparison,
    ComparisonRow,
    Source,
)
from ..phrases import CASES, cases_in
from ..translation_status import STATUS_LABELS, UP_TO_DATE, in_every_language, language_codes
from .drafts import DraftAdminMixin
from .history import HistoryAdminMixin, PartsFormSet
from .reviews import REVIEW_ACTIONS, ContentForm, ReviewsAdminMixin, ReviewsInlineMixin
from .translators import TranslationStatusFilter, TranslatorAdminMixin, TranslatorRightsMixin


class ComparedCategoryFilter(admin.SimpleListFilter):
    """A comparison belongs to both of its categories, whichever side they are on."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(category.pk), str(category)) for category in Category.objects.all()]

    def queryset(self, request, queryset):
        value = self.value()
        if value and not value.isdecimal():
            return queryset.none()
        if value:
            return queryset.filter(Q(first_id=value) | Q(second_id=value))
        return queryset


# Bounds on what one request may make the admin do, each refused with a message:
# a record's parts in one form (the seeds' largest category has 23 items), and
# the words and characters of a search (each word is a condition on every field).
MAX_PARTS = 100
MAX_SEARCH_WORDS = 10
MAX_SEARCH_CHARACTERS = 200


class ContentAdmin(ReviewsAdminMixin, TranslatorAdminMixin, HistoryAdminMixin, TabbedTranslationAdmin):
    """Shared by every content model: translator rights, reviews, history, locking and a status column."""

    form = ContentForm
    actions = REVIEW_ACTIONS

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # A savepoint of the change set too: a refused attempt leaves nothing in it (see below).
            with changes.savepoint():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
            # Another save took a unique value (a slug, a pair) between this form's check
            # and its write, and the database refused the second; its transaction is
            # rolled back. Checked again, the form now says "already exists".
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > MAX_SEARCH_CHARACTERS or len(search_term.split()) > MAX_SEARCH_WORDS:
            message = _("A search may have at most %(words)d words and %(characters)d characters.")
            words, characters = MAX_SEARCH_WORDS, MAX_SEARCH_CHARACTERS
            self.message_user(request, message % {"words": words, "characters": characters}, messages.ERROR)
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def get_changelist_formset(self, request, **kwargs):
        """list_editable saves at most the records a list shows, whatever TOTAL_FORMS says."""
        most = max(self.list_per_page, self.list_max_show_all)  # "Show all" lists up to the latter
        bound = {"max_num": most, "absolute_max": most}
        return super().get_changelist_formset(request, **bound, **kwargs)

    def response_action(self, request, queryset, **kwargs):
        """A crafted selection that names no record is refused with a message, not a 500."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(key.isdecimal() for key in selected):
            self.message_user(request, _("Choose the records from the list."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        if chosen_action(request) == "delete_selected":
            # Django's bulk deletion, for a list page's worth at most: its confirmation lists every part.
            everything = forms.BooleanField(required=False).clean(request.POST.get("select_across"))
            count = queryset.count() if everything else len(selected)
            if count > self.list_per_page:
                self.message_user(request, too_many_to_delete(self.list_per_page), messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, **kwargs)

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        statuses = obj.translation_statuses()
        gaps = []
        for code, _name in settings.LANGUAGES:
            states = {state for (_field, language), state in statuses.items() if language == code}
            gaps += [f"{code}: {STATUS_LABELS[state]}" for state in sorted(states - {UP_TO_DATE})]
            if any(obj.needs_review(field, code) for field in obj.translated_fields_in(code)):
                gaps.append(f"{code}: {gettext('to review')}")
        return ", ".join(gaps) or _("complete")


def chosen_action(request):
    """
    The action a change list's POST asks for, read as Django's response_action
    reads it: the form at ``index`` (0 if it is not a number), or, where
    there is none, the last one sent.
    """
    actions = request.POST.getlist("action")
    try:
        index = int(request.POST.get("index", 0))
    except ValueError:
        index = 0
    try:
        return actions[index]
    except IndexError:
        return actions[-1] if actions else None


def too_many_to_delete(count):
    return ngettext(
        "Delete at most %(count)d record at a time.", "Delete at most %(count)d records at a time.", count
    ) % {"count": count}


class RowComparisonFilter(admin.RelatedFieldListFilter):
    """
    A row's comparison, named by its categories (fetched with them). Only the
    one chosen is listed (a comparison's change list links to its rows): a
    list of every comparison would be a hundred thousand links.
    """

    def field_choices(self, field, request, model_admin):
        keys = [value for value in self.lookup_val or () if str(value).isdigit()]
        if not keys:
            return []
        chosen = Comparison.objects.with_categories().filter(pk__in=keys)
        return [(comparison.pk, str(comparison)) for comparison in chosen]


def changelist_link(model, label, **filters):
    url = reverse(f"admin:comparisons_{model._meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


# A number and a noun agree per language (Ukrainian has three forms): one entry each.
COUNTED = {
    Comparison: ngettext_lazy("%(count)d comparison", "%(count)d comparisons", "count"),
    ComparisonRow: ngettext_lazy("%(count)d comparison row", "%(count)d comparison rows", "count"),
    CategoryItem: ngettext_lazy("%(count)d category item", "%(count)d category items", "count"),
    AttributeValue: ngettext_lazy("%(count)d attribute value", "%(count)d attribute values", "count"),
    Attribute: ngettext_lazy("%(count)d attribute description", "%(count)d attribute descriptions", "count"),
}


@admin.register(Source)
class SourceAdmin(ContentAdmin):
    list_display = [
        "title",
        "site",
        "language",
        "seed_file",
        "supports",
        "translation_status",
    ]
    list_filter = ["language", TranslationStatusFilter]
    search_fields = [*in_every_language("title"), "seed_file"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                comparison_count=Count("comparisons", distinct=True),
                row_count=Count("comparison_rows", distinct=True),
                item_count=Count("category_items", distinct=True),
                value_count=Count("attribute_values", distinct=True),
                # A subquery, not a fifth join: joins multiply the rows each count reads.
                description_count=Coalesce(
                    Subquery(
                        Attribute.objects.filter(description_source=OuterRef("pk"))
                        .order_by()
                        .values("description_source")
                        .annotate(count=Count("pk"))
                        .values("count")
                    ),
                    0,
                ),
            )
        )

    @admin.display(description=_("supports"))
    def supports(self, obj):
        """Counts of the records that cite this source, each linking to them."""
        links = [
            (Comparison, obj.comparison_count, "sources__id__exact"),
            (ComparisonRow, obj.row_count, "source__id__exact"),
            (CategoryItem, obj.item_count, "source__id__exact"),
            (AttributeValue, obj.value_count, "source__id__exact"),
            (Attribute, obj.description_count, "description_source__id__exact"),
        ]
        return format_html_join(
            ", ",
            "{}",
            (
                (changelist_link(model, COUNTED[model] % {"count": count}, **{lookup: obj.pk}),)
                for model, count, lookup in links
            ),
        )


class BoundedPartsMixin:
    """
    An inline of at most the record's parts and MAX_PARTS new ones, whatever
    TOTAL_FORMS says ("Please submit at most …"): a record an import gave more
    parts still saves. Its formset can show a snapshot's parts (history.PartsFormSet).
    """

    formset = PartsFormSet

    def get_queryset(self, request):
        # A part's legend names its related records (an attribute's label): read with it, not each alone.
        related = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        return super().get_queryset(request).select_related(*related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            # The choices read once for all the parts' forms, not once by each.
            field.choices = list(field.choices)
        return field

    def get_max_num(self, request, obj=None, **kwargs):
        owner = self.model.owner_field
        existing = self.model._default_manager.filter(**{owner: obj}).count() if obj is not None else 0
        return existing + MAX_PARTS

    def get_formset(self, request, obj=None, **kwargs):
        bound = self.get_max_num(request, obj)  # counted once: a part added meanwhile changes nothing
        return super().get_formset(request, obj, max_num=bound, absolute_max=bound, **kwargs)


class CategoryItemInline(
    ReviewsInlineMixin, BoundedPartsMixin, TranslatorRightsMixin, TranslationTabularInline
):
    model = CategoryItem
    fields = ["kind", "name", "order", "source", "original_language"]
    extra = 0


class AttributeValueInline(
    ReviewsInlineMixin, BoundedPartsMixin, TranslatorRightsMixin, TranslationStackedInline
):
    model = AttributeValue
    fields = ["attribute", "value", "source", "original_language"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(DraftAdminMixin, ContentAdmin):
    list_display = [
        "abbreviation",
        "name",
        "parent",
        "order",
        "is_published",
        "item_count",
        "comparison_count",
        "translation_status",
    ]
    list_editable = ["order"]
    list_filter = ["is_published", "parent", "original_language", TranslationStatusFilter]
    search_fields = in_every_language("slug", "abbreviation", "name")
    # Each language's address starts as the English name's; an editor may give it its own.
    prepopulated_fields = {
        column: [f"abbreviation_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"]
        for column in in_every_language("slug")
    }
    filter_horizontal = ["sources"]
    inlines = [CategoryItemInline, AttributeValueInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "former_slug_list",
                    "abbreviation",
                    "name",
                    "parent",
                    "order",
                    "is_published",
                ]
            },
        ),
        (
            _("The name in sentences"),
            {
                "fields": list(CASES),
                "description": _(
                    "How the short name is written inside a sentence, in each grammatical case "
                    "that the language's sentences use (“Difference between BPO and call centre”)."
                ),
            },
        ),
        (_("Text"), {"fields": ["summary", "description", "original_language", "sources"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A translator's are every column but their languages' (TranslatorRightsMixin); both see this one.
        return [*super().get_readonly_fields(request, obj), "former_slug_list"]

    @admin.display(description=_("former slugs"))
    def former_slug_list(self, obj):
        """Its old addresses in each language, which redirect to its pages now (models.FormerSlug)."""
        if obj.pk is None:
            return "—"
        # Not one it or another published category has now in that language: that address is a page.
        codes = language_codes()
        published = Category.objects.published()
        now = Q()
        for code in codes:
            now |= Q(language=code, slug__in=published.values(f"slug_{code}"))
            now |= Q(language=code, slug=getattr(obj, f"slug_{code}"))
        former = sorted(
            obj.former_slugs.exclude(now).values_list("slug", "language"),
            key=lambda pair: (pair[0], codes.index(pair[1])),
        )
        left_in = defaultdict(list)  # {slug: the languages it was left in}
        for slug, code in former:
            left_in[slug].append(code)
        return ", ".join(f"{slug} [{', '.join(found)}]" for slug, found in left_in.items()) or "—"

    def get_fieldsets(self, request, obj=None):
        """Each language shows only the cases its sentences use (English: the nominative)."""
        unused = {
            f"{case}_{code}"
            for code, _name in settings.LANGUAGES
            for case in CASES
            if case not in cases_in(code)
        }
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in unused]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(
                item_count=Count("items", distinct=True),
                comparison_count=Count("comparisons_as_first", distinct=True)
                + Count("comparisons_as_second", distinct=True),
            )
        )

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, obj):
        return changelist_link(CategoryItem, obj.item_count, category__id__exact=obj.pk)

    @admin.display(description=_("comparisons"), ordering="comparison_count")
    def comparison_count(self, obj):
        return changelist_link(Comparison, obj.comparison_count, category=obj.pk)


@admin.register(CategoryItem)
class CategoryItemAdmin(ContentAdmin):
    list_display = ["name", "category", "kind", "order", "source", "translation_status"]
    list_editable = ["order"]
    list_filter = ["category", "kind", "source", TranslationStatusFilter]
    list_select_related = ["category", "source"]
    search_fields = in_every_language("name")


@admin.register(Attribute)
class AttributeAdmin(DraftAdminMixin, ContentAdmin):
    list_display = [
        "label",
        "slug",
        "order",
        "is_published",
        "value_count",
        "row_count",
        "translation_status",
    ]
    list_editable = ["order"]
    list_filter = ["is_published", "description_source", TranslationStatusFilter]
    search_fields = ["slug", *in_every_language("label")]
    prepopulated_fields = {"slug": [f"label_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}"]}

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "former_slug_list"]

    @admin.display(description=_("former slugs"))
    def former_slug_list(self, obj):
        """The anchors its glossary entry still answers to (models.FormerAttributeSlug)."""
        slugs = obj.former_slugs.order_by("slug").values_list("slug", flat=True) if obj.pk else []
        return ", ".join(slugs) or "—"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(value_count=Count("values", distinct=True), row_count=Count("rows", distinct=True))
        )

    @admin.display(description=_("category values"), ordering="value_count")
    def value_count(self, obj):
        return changelist_link(AttributeValue, obj.value_count, attribute__id__exact=obj.pk)

    @admin.display(description=_("comparison rows"), ordering="row_count")
    def row_count(self, obj):
        return changelist_link(ComparisonRow, obj.row_count, attribute__id__exact=obj.pk)


@admin.register(AttributeValue)
class AttributeValueAdmin(ContentAdmin):
    list_display = ["category", "attribute", "value", "source", "translation_status"]
    list_filter = ["category", "attribute", "source", TranslationStatusFilter]
    list_select_related = ["category", "attribute", "source"]
    search_fields = in_every_language("value")


class ComparisonRowInline(
    ReviewsInlineMixin, BoundedPartsMixin, TranslatorRightsMixin, TranslationStackedInline
):
    model = ComparisonRow
    fields = ["order", "attribute", "first_value", "second_value", "source", "original_language"]
    extra = 0


@admin.register(Comparison)
class ComparisonAdmin(DraftAdminMixin, ContentAdmin):
    list_display = [
        "__str__",
        "is_published",
        "row_count",
        "source_list",
        "original_language",
        "updated_at",
        "translation_status",
    ]
    list_filter = ["is_published", ComparedCategoryFilter, "original_language", TranslationStatusFilter]
    search_fields = [
        *(
            f"{side}__{column}"
            for side in ("first", "second")
            for column in in_every_language("abbreviation")
        ),
        *in_every_language("key_difference"),
    ]
    filter_horizontal = ["sources"]
    inlines = [ComparisonRowInline]
    fieldsets = [
        (None, {"fields": ["first", "second", "is_published"]}),
        (
            _("Text"),
            {
                "fields": [
                    "title",
                    "key_difference",
                    "introduction",
                    "conclusion",
                    "original_language",
                    "sources",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("first", "second")
            .prefetch_related("sources")
            .annotate(row_count=Count("rows", distinct=True))
        )

    @admin.display(description=_("rows"), ordering="row_count")
    def row_count(self, obj):
        return obj.row_count

    @admin.display(description=_("sources"))
    def source_list(self, obj):
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:comparisons_source_change", args=[s.pk]), s.seed_file)
                for s in obj.sources.all()
            ),
        )


@admin.register(ComparisonRow)
class ComparisonRowAdmin(ContentAdmin):
    list_display = ["__str__", "comparison", "order", "source", "translation_status"]
    list_filter = [("comparison", RowComparisonFilter), "attribute", "source", TranslationStatusFilter]
    list_select_related = ["attribute", "comparison__first", "comparison__second", "source"]
    search_fields = in_every_language("first_value", "second_value")
