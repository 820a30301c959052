"""
Nothing lost: revision history with per-language diffs (django-reversion),
a revert that touches only the record it is asked for, and optimistic
locking, so that a second editor's save never silently overwrites the first
one's. What a save does is comparisons/changes.py's business; here is what
the admin shows of it.
"""

import json
from contextlib import nullcontext

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.forms.models import BaseModelFormSet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from reversion.utils import mute_signals

from .. import changes


def field_label(model, name):
    """'key difference (de)' for a translated column, the verbose name otherwise."""
    field = model._meta.get_field(name)
    language = getattr(field, "language", None)
    label = str(getattr(field, "translated_field", field).verbose_name)
    return f"{label} ({language})" if language else label


def changed_fields(model, old, new):
    """[(label, old value, new value)] for the fields that differ between two field dicts."""
    skipped = {*changes.BOOKKEEPING, model._meta.pk.attname, *model.translated_fields()}
    found = []
    for name in new:
        if name in skipped or comparable(old.get(name)) == comparable(new.get(name)):
            continue
        try:
            found.append((field_label(model, name), old.get(name), new.get(name)))
        except Exception:  # a field that no longer exists on the model
            continue
    return found


def comparable(value):
    """Many-to-many values are lists of keys in no particular order; empty text is empty."""
    if isinstance(value, list):
        return sorted(map(str, value))
    return None if value == "" else value


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
        labels = [label for label, _old, _new in changed_fields(model, then.field_dict, latest.field_dict)]
    return latest, labels


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
            ) % {
                "user": self.draft.saved_by or gettext("an unknown user"),
                "time": formats.date_format(timezone.localtime(self.draft.saved_at), "DATETIME_FORMAT"),
            }
        latest, labels = changes_since(current, opened)
        message = gettext(
            "Someone else saved this record after you opened it, so your changes were not saved."
        )
        if latest is not None:
            message += " " + gettext("Last saved by %(user)s at %(time)s.") % {
                "user": latest.revision.user or gettext("an unknown user"),
                "time": formats.date_format(
                    timezone.localtime(latest.revision.date_created), "DATETIME_FORMAT"
                ),
            }
        if labels:
            message += " " + gettext("Changed since you opened it: %(fields)s.") % {
                "fields": ", ".join(labels)
            }
        return message + " " + gettext("Copy your changes, reload the page and apply them again.")


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


def parts_of(version, moved=None):
    """
    The versions of the record's own parts (rows, items, values) saved in the
    version's revision. A part that belongs to another record now (moved on
    its own form) is not one of them: a revert of this record leaves it where
    it is, and ``moved`` gets (its version, the key of the record it is in).
    """
    model = version._model
    parts = []
    for part_model, _accessor, attname in changes.part_relations(model):
        versions = [
            part
            for part in version.revision.version_set.filter(content_type__model=part_model._meta.model_name)
            if part._model is part_model and str(part.field_dict.get(attname)) == str(version.object_id)
        ]
        keys = [part.object_id for part in versions]
        owners = dict(part_model._default_manager.filter(pk__in=keys).values_list("pk", attname))
        for part in versions:
            owner = owners.get(part_model._meta.pk.to_python(part.object_id))
            if owner is not None and str(owner) != str(version.object_id):
                if moved is not None:
                    moved.append((part, owner))
                continue
            parts.append(part)
    return parts


def live_fields(obj):
    """
    A record's fields as a version's field_dict names them, for comparing the
    two; a draft's unsaved record (drafts.drafted_objects) brings its relations along.
    """
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    drafted = getattr(obj, "_drafted_relations", None)
    for relation in obj._meta.many_to_many:
        if drafted is not None:
            fields[relation.attname] = drafted.get(relation.name, [])
        elif obj.pk is not None:
            fields[relation.attname] = list(getattr(obj, relation.name).values_list("pk", flat=True))
    return fields


def fields_added_since(version):
    """
    The record's columns that did not exist when ``version`` was saved (a
    field added by a later migration): the version would bring back their
    default, so a revert keeps what they hold now.
    """
    stored = set(json.loads(version.serialized_data)[0]["fields"])
    return [
        field.attname
        for field in version._model._meta.concrete_fields
        if not field.primary_key and field.name not in stored and field.attname not in stored
    ]


def as_it_stands(version, live):
    """The version's record, with the fields it predates as they are in ``live``."""
    restored = version._object_version.object
    if live is not None:
        for attname in fields_added_since(version):
            setattr(restored, attname, getattr(live, attname))
    return restored


def revert_record(version):
    """
    Put one record back as ``version`` has it: the record and its own parts
    (those in the version's revision restored, those added since deleted).
    Unlike reversion's Revision.revert(), other records saved in the same
    revision are left alone. Every write goes through changes.py, so the
    acting user's rights are checked on each.
    """
    model = version._model
    parts = parts_of(version)
    kept = {(part._model, str(part.object_id)) for part in parts}
    live_parts = {
        (type(part), str(part.pk)): part for part in changes.current_parts(model, version.object_id)
    }
    for key, part in live_parts.items():
        if key not in kept:
            part.delete()
    as_it_stands(version, model._default_manager.filter(pk=version.object_id).first())
    version.revert()
    for part in parts:
        as_it_stands(part, live_parts.get((part._model, str(part.object_id))))
        part.revert()


def restored_fields(version, live):
    """The version's field_dict as a revert restores it (the fields it predates kept as they are)."""
    kept = fields_added_since(version)
    return {
        name: getattr(live, name) if name in kept else value for name, value in version.field_dict.items()
    }


def describe_revert(version):
    """What a revert will do, for its confirmation screen: fields, parts restored, changed and deleted."""
    model = version._model
    live = model._default_manager.filter(pk=version.object_id).first()
    plan = {"fields": [], "restored": [], "changed": [], "deleted": [], "elsewhere": []}
    if live is not None:
        plan["fields"] = changed_fields(model, live_fields(live), restored_fields(version, live))
    moved = []
    parts = {(part._model, str(part.object_id)): part for part in parts_of(version, moved)}
    for part, owner in moved:
        plan["elsewhere"].append((part.object_repr, model._default_manager.filter(pk=owner).first()))
    for part in changes.current_parts(model, version.object_id):
        old = parts.pop((type(part), str(part.pk)), None)
        if old is None:
            plan["deleted"].append(str(part))
        else:
            labels = [
                label
                for label, _a, _b in changed_fields(type(part), live_fields(part), restored_fields(old, part))
            ]
            if labels:
                plan["changed"].append((old.object_repr, labels))
    plan["restored"] = [part.object_repr for part in parts.values()]
    return plan


class _RollBack(Exception):
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

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        """
        reversion's revert and recover screen, with three differences: only a
        user who may change every field of the record may use it; the revert
        touches only the record and its own parts; and the screen lists every
        field and part it will change, restore or delete.
        """
        if not changes.may_change_everything(request.user, self.model):
            raise PermissionDenied
        live = self.model._default_manager.filter(pk=version.object_id).first()
        context = {
            **(extra_context or {}),
            "revert_plan": describe_revert(version),
            "live_token": live.edit_token if live is not None else "",
        }
        if (
            request.method == "POST"
            and live is not None
            and request.POST.get("live_token") != live.edit_token
        ):
            messages.error(
                request,
                gettext("This record changed after you opened the version; review what reverting does now."),
            )
            return redirect(request.path)
        muted = mute_signals(pre_save, post_save, pre_delete, post_delete, m2m_changed)
        try:
            with changes.change_set(user=request.user):
                with muted if request.method == "GET" else nullcontext():
                    revert_record(version)
                if request.method == "POST":
                    restored = self.model._default_manager.get(pk=version.object_id)
                    request.POST = request.POST.copy()
                    request.POST["opened_token"] = restored.edit_token
                response = self.changeform_view(request, quote(version.object_id), request.path, context)
                if request.method == "POST" and response.status_code == 302:
                    changes.explain(
                        restored,
                        gettext("Reverted to the version saved on %(datetime)s")
                        % {
                            "datetime": formats.date_format(
                                timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
                            )
                        },
                    )
                    return response
                if response.status_code != 200:
                    raise RevertError(gettext("Could not load this version."))
                # Shown, or refused by the form: either way nothing of the revert is kept.
                response.template_name = template_name
                response.render()
                raise _RollBack(response)
        except _RollBack as rollback:
            return rollback.response
        except (RevertError, models.ProtectedError, IntegrityError) as error:
            if isinstance(error, IntegrityError):
                # A version saved before a rule existed that it breaks (and no live record to fill it from).
                error = gettext("This version cannot be restored as it was saved: %(error)s") % {
                    "error": error
                }
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
            previous = versions[index + 1].field_dict if index + 1 < len(versions) else {}
            history.append(
                {
                    "date": version.revision.date_created,
                    "user": version.revision.user,
                    "action": version.revision.get_comment(),
                    "url": reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(version.object_id), version.pk],
                    ),
                    "changes": changed_fields(self.model, previous, version.field_dict),
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
