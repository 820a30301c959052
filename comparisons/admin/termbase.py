"""
The termbase in the admin: editors keep its concepts, translators read them.
Each language's terms are that language's own (Concept.language_own_fields),
so the list shows no translation status.
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..models import Concept, listed
from ..translation_status import in_every_language, language_codes
from .content import ContentAdmin


class LinkedToCategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "is_category"

    def lookups(self, request, model_admin):
        return [("yes", _("is a category")), ("no", _("is not a category"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(category__isnull=False)
        if self.value() == "no":
            return queryset.filter(category__isnull=True)
        return queryset


class ForbiddenVariantsFilter(admin.SimpleListFilter):
    title = _("forbidden variants")
    parameter_name = "forbidden"

    def lookups(self, request, model_admin):
        return [(code, code) for code in language_codes()]

    def queryset(self, request, queryset):
        if self.value() in language_codes():
            column = f"forbidden_{self.value()}"
            return queryset.exclude(Q(**{f"{column}__isnull": True}) | Q(**{column: ""}))
        return queryset


@admin.register(Concept)
class ConceptAdmin(ContentAdmin):
    list_display = [*in_every_language("term"), "category", "forbidden_count"]
    list_select_related = ["category"]
    list_filter = [LinkedToCategoryFilter, ForbiddenVariantsFilter]
    search_fields = in_every_language("term", "forms", "synonyms", "forbidden")

    @admin.display(description=_("forbidden variants"))
    def forbidden_count(self, obj):
        return sum(len(listed(getattr(obj, column))) for column in in_every_language("forbidden"))
