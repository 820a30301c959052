"""
Reviews and origins of translations in the admin (translation_status.py):
where the texts a save changes come from, a checkbox for each translation
the signed-in person may review, and a bulk action per language. The rules
(a review is the reviewer's own, in a language they translate, of a text
someone else wrote) are the write path's (changes.check_reviews()); the
forms say them first, with a message.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import bulk, changes
from ..language_sentences import SENTENCES
from ..models import Draft
from ..snapshots import field_label
from ..translation_status import MACHINE, ORIGIN_LABELS, POST_EDITED, UNKNOWN, UP_TO_DATE, language_codes
from .history import EditConflictForm, drafted_message, page_record_of

ORIGIN_CHOICES = [
    ("", _("my own text, or my edit of a machine translation")),
    (MACHINE, _("a machine translation, unchanged")),
    (POST_EDITED, _("a machine translation with my edits")),
]
REVIEW_FIELDS = ("translation_origin", "reviewed_translations")


def reviewable(obj, language):
    """The columns of ``obj``'s translations in ``language`` up to date and unread by a second person."""
    if obj is None or obj.pk is None or not obj.has_readable_credits():
        return []
    return [
        f"{field}_{language}"
        for field in obj.translated_fields_in(language)
        if obj.needs_review(field, language) and obj.translation_status(field, language) == UP_TO_DATE
    ]


def reviewed(obj, columns, user):
    """Write ``user``'s review of ``columns`` into ``obj``'s credits (the write path checks it on save)."""
    credits = dict(obj.translation_credits)
    now = timezone.now().isoformat()
    for column in columns:
        field, _sep, language = column.rpartition("_")
        credits[column] = {**obj.credit(field, language), "reviewer": user.get_username(), "reviewed_at": now}
    obj.translation_credits = credits


def self_reviews(obj, columns, user):
    """The columns of ``columns`` whose text ``user`` wrote."""
    name = user.get_username()
    return [column for column in columns if obj.credit(*column.rsplit("_", 1))["author"] == name]


class ReviewForm(forms.ModelForm):
    """
    A checkbox for each translation the reviewer may review: in their
    languages, up to date, unreviewed and written by someone else. The
    admin sets ``reviewer`` to the signed-in user (ReviewsAdminMixin).
    """

    reviewed_translations = forms.MultipleChoiceField(
        label=_("I have reviewed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Read against the original and found right, by someone other than its translator."),
    )
    reviewer = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewed_translations"]
        user = self.reviewer
        columns = []
        if user is not None and hasattr(self.instance, "translation_credits"):
            for language in changes.translation_languages(user):
                columns += reviewable(self.instance, language)
            mine = set(self_reviews(self.instance, columns, user))
            columns = [column for column in columns if column not in mine]
        field.choices = [(column, field_label(type(self.instance), column)) for column in columns]
        if not columns:
            field.widget = forms.MultipleHiddenInput()

    def clean_reviewed_translations(self):
        columns = self.cleaned_data["reviewed_translations"]
        changed = [column for column in columns if column in self.changed_data]
        if changed:
            raise forms.ValidationError(
                gettext(
                    "You changed %(fields)s and marked it reviewed at once: "
                    "another translator reviews the new text."
                )
                % {"fields": ", ".join(field_label(type(self.instance), column) for column in changed)},
                code="self_review",
            )
        if columns:
            reviewed(self.instance, columns, self.reviewer)
        return columns


class ReviewsInlineMixin:
    """An inline's forms with their reviews (ReviewForm), one checkbox group per part."""

    form = ReviewForm

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "reviewed_translations"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.reviewer = request.user  # a class made for this request (modelform_factory)
        return formset


class ReviewsAdminMixin:
    """
    A content model's admin: the origin of what a save writes, the reviews in
    its form (a fieldset of their own) and a "reviewed" bulk action per language.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.reviewer = request.user  # a class made for this request (modelform_factory)
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in REVIEW_FIELDS]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        return [*fieldsets, (_("Translation origin and review"), {"fields": list(REVIEW_FIELDS)})]

    def save_model(self, request, obj, form, change):
        # The origin of every translation the save writes, its parts' too (the same change set).
        origin = form.cleaned_data.get("translation_origin") or None
        current = changes.current_change_set()
        if current is not None:
            current.origin = origin
        super().save_model(request, obj, form, change)

    def review_selected(self, request, queryset, language):
        """
        Review every translation in ``language`` of the records that is up to
        date and unreviewed, all or nothing: a selection holding a text of the
        reviewer's own is refused with the texts named. A record with a draft
        (or a part of one) is left out, with a message: it is reviewed in its
        form, where the review goes into the draft, as every change of it does.
        """
        user = request.user
        with changes.change_set(user=user):
            records = list(
                self.model._default_manager.select_for_update().filter(pk__in=queryset.values("pk"))
            )
            with_drafts = drafted_pages([page_record_of(obj) for obj in records])
            kept = [obj for obj in records if page_record_of(obj) in with_drafts]
            for owner in dict.fromkeys(page_record_of(obj) for obj in kept):
                self.message_user(request, drafted_message(*owner), messages.ERROR)
            work = {obj: reviewable(obj, language) for obj in records if obj not in kept}
            own = [
                f"{obj}: {field_label(self.model, column)}"
                for obj, columns in work.items()
                for column in self_reviews(obj, columns, user)
            ]
            if own:
                message = gettext(
                    "You wrote these texts, so another translator reviews them: %(texts)s. "
                    "Nothing was marked reviewed; choose the other records."
                ) % {"texts": "; ".join(own)}
                self.message_user(request, message, messages.ERROR)
                return
            done = 0
            try:
                with changes.savepoint():
                    for obj, columns in work.items():
                        if not columns:
                            continue
                        reviewed(obj, columns, user)
                        obj.save()
                        labels = [
                            gettext("review of %(field)s") % {"field": field_label(self.model, c)}
                            for c in columns
                        ]
                        bulk.log_changes(user, [obj], [{"changed": {"fields": labels}}])
                        done += len(columns)
            except (ValidationError, PermissionDenied) as refused:
                messages_of = getattr(refused, "messages", None) or [str(refused)]
                self.message_user(request, " ".join(messages_of), messages.ERROR)
                return
        if done:
            message = ngettext(
                "%(count)d translation marked reviewed.", "%(count)d translations marked reviewed.", done
            ) % {"count": done}
            self.message_user(request, message, messages.SUCCESS)
        elif not kept:
            self.message_user(request, gettext("Nothing here was waiting for a review."), messages.WARNING)


def drafted_pages(pages):
    """Those of ``pages`` ((model, key) each) that have a draft, one query per model."""
    found = set()
    for model in {model for model, _pk in pages}:
        keys = [pk for each, pk in pages if each is model]
        found |= {
            (model, pk)
            for pk in Draft.objects.of(model).filter(object_id__in=keys).values_list("object_id", flat=True)
        }
    return found


def review_action(language):
    """The bulk action that reviews the translations in ``language``, for who translates it."""

    @admin.action(description=SENTENCES["mark_reviewed_in"][language], permissions=[f"review_{language}"])
    def action(modeladmin, request, queryset):
        modeladmin.review_selected(request, queryset, language)

    def has_permission(modeladmin, request):
        return request.user.has_perm(f"comparisons.translate_{language}")

    action.__name__ = f"review_{language}"
    return action, has_permission


# One action per language of the settings (an admin lists them in its ``actions``).
REVIEW_ACTIONS = [f"review_{code}" for code in language_codes()]
for _code in language_codes():
    _action, _permission = review_action(_code)
    setattr(ReviewsAdminMixin, f"review_{_code}", _action)
    setattr(ReviewsAdminMixin, f"has_review_{_code}_permission", _permission)


class ContentForm(ReviewForm, EditConflictForm):
    """A content record's change form: locking (EditConflictForm), reviews, the origin of its texts."""

    translation_origin = forms.ChoiceField(
        label=_("Where the translations I change here come from"),
        choices=ORIGIN_CHOICES,
        required=False,
    )


def credit_line(obj, field, language):
    """'Machine translation; saved by olena; reviewed by taras on 8 December 2026', for under a field."""
    credit = obj.credit(field, language)
    known = isinstance(credit["origin"], str) and credit["origin"] in ORIGIN_LABELS
    origin = ORIGIN_LABELS[credit["origin"] if known else UNKNOWN]
    if credit["author"]:
        written = gettext("%(origin)s; saved by %(author)s") % {"origin": origin, "author": credit["author"]}
    else:
        written = str(origin)
    if credit.get("reviewer"):
        reviewed_at = parse_datetime(str(credit.get("reviewed_at") or ""))
        review = gettext("reviewed by %(reviewer)s on %(date)s") % {
            "reviewer": credit["reviewer"],
            "date": date_format(timezone.localtime(reviewed_at), "DATE_FORMAT") if reviewed_at else "?",
        }
        css = "reviewed"
    else:
        review, css = gettext("not reviewed yet"), "unreviewed"
    return format_html(
        '<span class="translation-credit translation-{}">{}; {}</span>', css, capfirst(written), review
    )
