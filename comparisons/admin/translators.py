"""
What translators may do in the admin, and what they see.

A translator holds ``comparisons.translate_<code>`` for their language(s) and
only the view permissions of the content models. They may open every change
form, but only the text fields of their own languages are editable: other
languages, slugs, order, relations and publication are read-only, and they
cannot add or delete records. A POST that names a field they may not change
is refused as a whole, not silently trimmed.
"""

import re

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..changes import may_change_everything, translation_languages
from ..forms import MultilineTextField
from ..language_sentences import language_sentence
from ..models import listed
from ..terms import Termbase
from ..translation_status import STATUS_LABELS
from .reviews import credit_line


class TranslatorRightsMixin:
    """
    Shared by the content admins and their inlines: what the forms offer. The
    rule itself is enforced on every write by comparisons/changes.py; these
    only spare a translator a form that would be refused.
    """

    # A textarea comes back with CRLF line breaks: read as stored, an untouched text is unchanged.
    formfield_overrides = {models.TextField: {"form_class": MultilineTextField}}

    def may_edit_everything(self, request):
        return may_change_everything(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        # A translator changes the texts of their languages: where a model has none (the
        # termbase's terms are each language's own), they view it.
        return super().has_change_permission(request, obj) or bool(self.editable_translation_fields(request))

    def editable_translation_fields(self, request):
        languages = translation_languages(request.user)
        return [f"{field}_{code}" for field in self.model.text_fields() for code in languages]

    def translator_readonly_fields(self, request):
        # The untranslated base field stands for all its languages in modeltranslation's
        # admin, so only the per-language columns are named here.
        editable = {*self.editable_translation_fields(request), *self.model.translated_fields()}
        fields = [
            f.name
            for f in self.model._meta.get_fields()
            if getattr(f, "editable", False) and not f.auto_created and (f.concrete or f.many_to_many)
        ]
        return [name for name in fields if name not in editable and name != self.model._meta.pk.name]

    def get_readonly_fields(self, request, obj=None):
        if self.may_edit_everything(request):
            return super().get_readonly_fields(request, obj)
        return self.translator_readonly_fields(request)

    def get_prepopulated_fields(self, request, obj=None):
        if self.may_edit_everything(request):
            return super().get_prepopulated_fields(request, obj)
        return {}

    def has_publish_permission(self, request):
        """Publishing and unpublishing (the bulk actions) are structure: editors only."""
        return self.may_edit_everything(request)


class TranslatorAdminMixin(TranslatorRightsMixin):
    """For a model's own admin: refuse crafted POSTs and show the original beside each field."""

    def get_changelist_instance(self, request):
        """A translator's change list has no editable columns (``order`` is structure)."""
        changelist = super().get_changelist_instance(request)
        if not self.may_edit_everything(request):
            changelist.list_editable = ()
        return changelist

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "_save" in request.POST and not self.may_edit_everything(request):
            raise PermissionDenied("Only editors may change records from the list.")
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not self.may_edit_everything(request):
            forbidden = self.forbidden_post_keys(request)
            if forbidden:
                raise PermissionDenied(f"Not allowed to change: {', '.join(sorted(forbidden))}")
        return super().changeform_view(request, object_id, form_url, extra_context)

    def forbidden_post_keys(self, request):
        patterns = [re.escape(name) for name in self.translator_readonly_fields(request)]
        checks = [re.compile(f"^(?:{'|'.join(patterns)})$")] if patterns else []
        for inline in self.get_inline_instances(request):
            formset = inline.get_formset(request)
            prefix = re.escape(formset.get_default_prefix())
            # Every inline form carries its parent's key as a hidden field.
            readonly = [n for n in inline.translator_readonly_fields(request) if n != formset.fk.name]
            names = [re.escape(n) for n in readonly] + ["DELETE"]
            checks.append(re.compile(rf"^{prefix}-\d+-(?:{'|'.join(names)})$"))
        return {key for key in request.POST for check in checks if check.match(key)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # The field a link of the dashboard is for: to translate, or to review.
            highlighted = request.GET.get("translate") or request.GET.get("review")
            termbase = Termbase.current()
            for name in self.editable_translation_fields(request):
                if name in form.base_fields:
                    self.describe_translation_field(form.base_fields[name], obj, name, highlighted, termbase)
        return form

    def describe_translation_field(self, formfield, obj, name, highlighted, termbase):
        """Put the original text, the translation's status and the terms to use under the field."""
        field, _sep, language = name.rpartition("_")
        original_language = obj.original_language
        status = obj.translation_status(field, language)
        if obj.made_from_original(field, language):
            original = obj.original_text(field) or ""
            credit = credit_line(obj, field, language) if getattr(obj, f"{field}_{language}") else ""
            formfield.help_text = format_html(
                '<span class="translation-status translation-{}">{}</span> {}'
                '<span class="translation-original"><strong>{}</strong> <span lang="{}">{}</span></span>{}',
                status,
                STATUS_LABELS[status],
                credit,
                language_sentence("original_in", original_language),
                original_language,
                original,
                terms_to_use(termbase.terms_in(original, original_language), original_language, language),
            )
        if name == highlighted:
            formfield.widget.attrs["class"] = "translation-todo"
            formfield.widget.attrs["autofocus"] = True

    class Media:
        css = {"all": ["comparisons/admin/translations.css"]}


def terms_to_use(concepts, original_language, language):
    """The termbase's say on the terms an original uses: what to write in ``language``, and what not."""
    items = []
    for concept in concepts:
        term = getattr(concept, f"term_{language}") or ""
        if not term:
            continue
        forms = ", ".join(listed(getattr(concept, f"forms_{language}")))
        forbidden = ", ".join(concept.forbidden_in(language))
        # Each name in its language, inside a sentence of the interface's.
        values = {
            "original": in_language(*term_in(concept, original_language)),
            "term": in_language(language, f"{term} ({forms})" if forms else term),
            "forbidden": in_language(language, forbidden),
        }
        item = _("%(original)s: %(term)s, not %(forbidden)s") if forbidden else _("%(original)s: %(term)s")
        note = getattr(concept, f"note_{language}") or ""
        note = format_html(" <em>{}</em>", in_language(language, note)) if note else ""
        items.append((mark_safe(conditional_escape(item) % values), note))
    if not items:
        return ""
    return format_html(
        '<span class="translation-terms"><strong>{}</strong></span>{}',
        _("Termbase:"),
        format_html_join("", '<span class="translation-term">{}{}</span>', items),
    )


def in_language(code, text):
    return format_html('<span lang="{}">{}</span>', code, text)


def term_in(concept, language):
    """(language, the concept's term in it), English where it has none there."""
    term = getattr(concept, f"term_{language}")
    return (language, term) if term else ("en", concept.term_en)


class TranslationStatusFilter(admin.SimpleListFilter):
    """Find records with a translation missing, outdated or to review in one language."""

    title = _("translations")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        choices = []
        for code, _name in settings.LANGUAGES:
            choices.append((f"missing-{code}", language_sentence("missing_in", code)))
            choices.append((f"outdated-{code}", language_sentence("outdated_in", code)))
            choices.append((f"review-{code}", language_sentence("to_review_in", code)))
            choices.append((f"machine-{code}", language_sentence("machine_translated_in", code)))
        return [*choices, ("complete", _("complete and up to date"))]

    def queryset(self, request, queryset):
        value = self.value() or ""
        status, _sep, code = value.partition("-")
        if status == "missing" and code in dict(settings.LANGUAGES):
            return queryset.missing_in(code)
        if status == "outdated" and code in dict(settings.LANGUAGES):
            return queryset.outdated_in(code)
        if status == "review" and code in dict(settings.LANGUAGES):
            return queryset.to_review_in(code)
        if status == "machine" and code in dict(settings.LANGUAGES):
            return queryset.machine_translated_in(code)
        if value == "complete":
            return queryset.complete()
        return queryset
