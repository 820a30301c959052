"""
Nothing lost: revision history with per-language diffs (django-reversion),
a revert that touches only the record it is asked for, and optimistic
locking, so that a second editor's save never silently overwrites the first
one's. What a save does is comparisons/changes.py's business; here is what
the admin shows of it.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import changes
from ..snapshots import NoLongerFits, Snapshot, changed_fields, version_fields


def when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def last_saved(user, moment):
    return gettext("Last saved by %(user)s at %(time)s.") % {
        "user": user or gettext("an unknown user"),
        "time": when(moment),
    }


def changes_since(current, token):
    """
    The latest version of ``current`` and the labels of the fields that
    changed since the version that had edit token ``token``.
    """
    model = type(current)
    versions = Version.objects.get_for_object(current).select_related("revision__user")
    latest = versions.first()
    then = next((v for v in versions if v.field_dict.get("edit_token") == token), None)
    labels = []
    if latest is not None and then is not None:
        labels = [
            label for label, _old, _new in changed_fields(model, version_fields(then), version_fields(latest))
        ]
    return latest, labels


def saved_meanwhile(current, token, refused, changed, advice):
    """
    Why a change was refused because ``current`` was saved after the version
    with edit token ``token``: ``refused``, who saved it last and when, which
    fields (``changed``, with %(fields)s) and what to do (``advice``). Each is
    a whole sentence.
    """
    latest, labels = changes_since(current, token)
    sentences = [refused]
    if latest is not None:
        sentences.append(last_saved(latest.revision.user, latest.revision.date_created))
    if labels:
        sentences.append(changed % {"fields": ", ".join(labels)})
    return " ".join([*sentences, advice])


def drafted(model, pk):
    """Whether the record has a draft (drafts.py)."""
    from ..models import Draft

    return Draft.objects.for_record(model, pk) is not None


def page_record_of(obj):
    """(model, key) of the record whose page ``obj`` is on: its owner, or itself."""
    return changes.owner_of(obj) or (type(obj), obj.pk)


def drafted_message(model, pk):
    """Where to make a change of a record with a draft (or of one of its parts)."""
    return gettext(
        "“%(record)s” has unpublished changes: make this change in that record’s form, "
        "so that it goes into the draft."
    ) % {"record": model._default_manager.filter(pk=pk).first()}


class EditConflictForm(forms.ModelForm):
    """Refuses a save when the record changed after the form was opened, and says what changed."""

    opened_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The record's draft when the form edits it (admin/drafts.py); the form then
    # carries the draft's token, and a conflict is another save of the draft.
    draft = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_token"].initial = self.instance.edit_token
        # A snapshot's record (snapshots.py) keeps its relations beside it, not in the tables.
        stored = getattr(self.instance, "stored_relations", None)
        for name, keys in (stored or {}).items():
            if name in self.fields:
                self.initial[name] = keys

    def clean(self):
        cleaned = super().clean()
        if self.draft is None:
            self.refuse_if_drafted(cleaned)
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        opened = cleaned.get("opened_token") or ""
        if current is not None and current.edit_token != opened:
            raise forms.ValidationError(self.conflict_message(current, opened), code="edit_conflict")
        return cleaned

    def refuse_if_drafted(self, cleaned):
        """While a record has a draft, its changes go into the draft: in its change form, not here."""
        model = type(self.instance)
        owner_field = getattr(model, "owner_field", None)
        if self.instance.pk is None and owner_field is None:
            return  # a new page record has no draft
        if self.instance.pk is None:  # a new part: of the owner chosen in the form
            owner = cleaned.get(owner_field)
            if owner is None:
                return
            page_model, pk = type(owner), owner.pk
        else:
            page_model, pk = page_record_of(self.instance)
        if drafted(page_model, pk):
            raise forms.ValidationError(drafted_message(page_model, pk), code="drafted")

    def conflict_message(self, current, opened):
        if self.draft is not None and self.draft.pk is not None:
            return gettext(
                "Someone else saved this draft after you opened it (%(user)s at %(time)s), "
                "so your changes were not saved. Copy your changes, reload the page and apply them again."
            ) % {"user": self.draft.saved_by or gettext("an unknown user"), "time": when(self.draft.saved_at)}
        return saved_meanwhile(
            current,
            opened,
            gettext("Someone else saved this record after you opened it, so your changes were not saved."),
            gettext("Changed since you opened it: %(fields)s."),
            gettext("Copy your changes, reload the page and apply them again."),
        )


class TokenBesideKey(forms.HiddenInput):
    """The change list renders only each form's hidden key; the edit token rides along with it."""

    def __init__(self, token_field):
        super().__init__()
        self.token_field = token_field

    def render(self, *args, **kwargs):
        return format_html("{}{}", super().render(*args, **kwargs), self.token_field.as_hidden())


class ListEditFormSet(BaseModelFormSet):
    """``list_editable`` forms refuse a stale save as the change form does."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[self.model._meta.pk.name].widget = TokenBesideKey(form["opened_token"])


class PartsFormSet(BaseInlineFormSet):
    """
    An inline's formset that shows ``parts`` (a snapshot's: a draft's, a
    version's, as unsaved instances) in place of the parts in the tables.
    """

    def __init__(self, *args, parts=None, **kwargs):
        self.parts = parts
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return super().get_queryset() if self.parts is None else self.parts


class FormRefused(Exception):
    """The change form did not save (its errors are shown): nothing of what was written for it is kept."""

    def __init__(self, response):
        self.response = response


class HistoryAdminMixin(VersionAdmin):
    """Every content admin: history with diffs, scoped revert, recover, and the locking form."""

    form = EditConflictForm
    object_history_template = "admin/comparisons/object_history.html"
    revision_form_template = "admin/comparisons/revision_form.html"
    recover_form_template = "admin/comparisons/recover_form.html"

    def create_revision(self, request):
        """Every admin view that writes is one change set of the signed-in user's (see changes.py)."""
        return changes.change_set(user=request.user)

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=EditConflictForm, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        return super().get_changelist_formset(request, formset=ListEditFormSet, **kwargs)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        owner = changes.owner_of(obj) if obj is not None else None
        if owner is not None and drafted(*owner):
            messages.error(request, drafted_message(*owner))
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", object_id)
        with self.create_revision(request):
            return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        """Bulk deletion leaves the parts of records with drafts (they change in the draft)."""
        kept = [obj for obj in queryset if (owner := changes.owner_of(obj)) is not None and drafted(*owner)]
        for obj in kept:
            messages.error(request, drafted_message(*changes.owner_of(obj)))
        super().delete_queryset(request, queryset.exclude(pk__in=[obj.pk for obj in kept]))

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        changes.explain(obj, entry.get_change_message())
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        changes.explain(obj, entry.get_change_message())
        return entry

    def get_fieldsets(self, request, obj=None):
        """The token travels in every change form, whatever its fieldsets."""
        fieldsets = super().get_fieldsets(request, obj)
        if any("opened_token" in options.get("fields", ()) for _name, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "opened_token"]}), *rest]

    # A snapshot in the change form (snapshots.py): a version here, a draft in drafts.py ----------

    def get_object(self, request, object_id, from_field=None):
        shown = getattr(request, "shown_snapshot", None)
        if shown is not None and str(shown.pk) == str(object_id):
            return shown.record
        return super().get_object(request, object_id, from_field)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        shown = getattr(request, "shown_snapshot", None)
        if shown is not None:
            kwargs["parts"] = shown.parts_of(inline.model)
        return kwargs

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(
            Version.objects.get_for_model(self.model), pk=version_id, object_id=unquote(object_id)
        )
        context = {
            "title": gettext("Revert %(name)s") % {"name": version.object_repr},
            "revert": True,
            **(extra_context or {}),
        }
        return self.version_form(request, version, self.revision_form_template, context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        context = {
            "title": gettext("Recover %(name)s") % {"name": version.object_repr},
            "recover": True,
            **(extra_context or {}),
        }
        return self.version_form(request, version, self.recover_form_template, context)

    def version_form(self, request, version, template_name, context):
        """
        The change form with a History version in it, to revert or recover the
        record. Only a user who may change every field of the record may use
        it; the screen lists every field and part saving it changes, restores
        or deletes; saving it touches only the record and its own parts
        (reversion's Revision.revert() would restore every record saved with it).
        """
        if not changes.may_change_everything(request.user, self.model):
            raise PermissionDenied
        snapshot = Snapshot.of_version(version)
        live = self.model._default_manager.filter(pk=snapshot.pk).first()
        context = {
            **context,
            "revert_plan": snapshot.differences(),
            "live_token": live.edit_token if live is not None else "",
        }
        object_id = quote(version.object_id)
        try:
            snapshot.check()
        except NoLongerFits as error:
            return self.version_refused(request, error)
        if request.method != "POST":
            request.shown_snapshot = snapshot
            response = self.changeform_view(request, object_id, request.path, context)
            response.template_name = template_name
            return response
        if live is not None and request.POST.get("live_token") != live.edit_token:
            messages.error(
                request,
                gettext("This record changed after you opened the version; review what reverting does now."),
            )
            return redirect(request.path)
        saved = when(version.revision.date_created)
        try:
            with changes.change_set(user=request.user):
                snapshot.restore()
                restored = self.model._default_manager.get(pk=snapshot.pk)
                request.POST = request.POST.copy()
                request.POST["opened_token"] = restored.edit_token
                response = self.changeform_view(request, object_id, request.path, context)
                if response.status_code != 302:
                    response.template_name = template_name
                    response.render()
                    raise FormRefused(response)
                changes.explain(
                    restored, gettext("Reverted to the version saved on %(datetime)s") % {"datetime": saved}
                )
                return response
        except FormRefused as refused:
            return refused.response
        except (NoLongerFits, models.ProtectedError) as error:
            return self.version_refused(request, error)

    def version_refused(self, request, error):
        if isinstance(error, NoLongerFits):
            # A version saved before a rule existed that it breaks, or naming a record since deleted.
            error = gettext("This version cannot be restored as it was saved: %(error)s") % {"error": error}
        messages.error(request, str(error))
        opts = self.model._meta
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")

    def history_view(self, request, object_id, extra_context=None):
        """Every saved version and what it changed; the drafts saved, published and discarded."""
        from ..models import DraftEvent

        versions = list(
            Version.objects.get_for_object_reference(self.model, object_id)
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        opts = self.model._meta
        history = []
        for index, version in enumerate(versions):
            previous = version_fields(versions[index + 1]) if index + 1 < len(versions) else {}
            history.append(
                {
                    "date": version.revision.date_created,
                    "user": version.revision.user,
                    "action": version.revision.get_comment(),
                    "url": reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(version.object_id), version.pk],
                    ),
                    "changes": changed_fields(self.model, previous, version_fields(version)),
                }
            )
        key = unquote(object_id)
        events = (
            DraftEvent.objects.of(self.model).filter(object_id=key).select_related("user")
            if key.isdecimal()
            else []
        )
        for event in events:
            history.append(
                {
                    "date": event.at,
                    "user": event.user,
                    "action": event.get_action_display(),
                    "draft": event.fields,
                }
            )
        history.sort(key=lambda entry: entry["date"], reverse=True)
        context = {"history": history, **(extra_context or {})}
        return super().history_view(request, object_id, context)
