"""
Nothing lost: revision history with per-language diffs (django-reversion),
and optimistic locking, so that a second editor's save never silently
overwrites the first one's.
"""

from django import forms
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Version


def field_label(model, name):
    """'key difference (de)' for a translated column, the verbose name otherwise."""
    field = model._meta.get_field(name)
    language = getattr(field, "language", None)
    label = str(getattr(field, "translated_field", field).verbose_name)
    return f"{label} ({language})" if language else label


def changed_fields(model, old, new):
    """[(label, old value, new value)] for the fields that differ between two field dicts."""
    skipped = {"edit_token", "translated_from", model._meta.pk.attname, *model.translated_fields()}
    changes = []
    for name in new:
        if name in skipped or old.get(name) == new.get(name):
            continue
        try:
            changes.append((field_label(model, name), old.get(name), new.get(name)))
        except Exception:  # a field that no longer exists on the model
            continue
    return changes


class EditConflictForm(forms.ModelForm):
    """Refuses a save when the record changed after the form was opened, and says what changed."""

    opened_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_token"].initial = self.instance.edit_token

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = model._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        opened = cleaned.get("opened_token") or ""
        if current is not None and current.edit_token != opened:
            raise forms.ValidationError(self.conflict_message(current, opened), code="edit_conflict")
        return cleaned

    def conflict_message(self, current, opened):
        model = type(current)
        versions = Version.objects.get_for_object(current).select_related("revision__user")
        latest = versions.first()
        then = next((v for v in versions if v.field_dict.get("edit_token") == opened), None)
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
        if then is not None:
            current_values = Version.objects.get_for_object(current).first().field_dict if latest else {}
            labels = [label for label, _old, _new in changed_fields(model, then.field_dict, current_values)]
            if labels:
                message += " " + gettext("Changed since you opened it: %(fields)s.") % {
                    "fields": ", ".join(labels)
                }
        return message + " " + gettext("Copy your changes, reload the page and apply them again.")


class HistoryAdminMixin(VersionAdmin):
    """Every content admin: history with diffs, revert, recover, and the locking form."""

    form = EditConflictForm
    object_history_template = "admin/comparisons/object_history.html"

    def get_fieldsets(self, request, obj=None):
        """The token travels in every change form, whatever its fieldsets."""
        fieldsets = super().get_fieldsets(request, obj)
        if any("opened_token" in options.get("fields", ()) for _name, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "opened_token"]}), *rest]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        parent = self.locking_parent(obj)
        if parent is not None:
            # An inline record saved on its own changes its parent's page: an editor
            # with the parent's form open must be told.
            parent.save(update_fields=["edit_token"])

    def locking_parent(self, obj):
        return None

    def history_view(self, request, object_id, extra_context=None):
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
                    "revision": version.revision,
                    "url": reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                        args=[quote(version.object_id), version.pk],
                    ),
                    "changes": changed_fields(self.model, previous, version.field_dict),
                }
            )
        context = {"history": history, **(extra_context or {})}
        return super().history_view(request, object_id, context)
