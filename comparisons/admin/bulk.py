"""Bulk actions running in the background (comparisons/bulk.py): how far each has got, read only."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import drafts
from ..models import BulkAction


@admin.register(BulkAction)
class BulkActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "content_type", "user", "created_at", "progress", "status"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user"]
    fields = ["action", "content_type", "user", "created_at", "started_at", "finished_at", "progress"]
    fields += ["status", "refused_records", "failure"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        """Who may start bulk actions (editors) may follow them."""
        return request.user.is_active and any(
            drafts.may_publish(request.user, model) for model in drafts.DRAFTED_MODELS
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("progress"))
    def progress(self, job):
        return gettext("Done: %(done)d of %(total)d; changed: %(changed)d") % {
            "done": job.done,
            "total": len(job.keys),
            "changed": job.changed,
        }

    @admin.display(description=_("status"))
    def status(self, job):
        if job.failure:
            return gettext("Stopped: %(reason)s") % {"reason": job.failure}
        if job.finished_at is not None:
            return gettext("Finished")
        if job.started_at is not None:
            return gettext("Running")
        return gettext("Waiting for the task worker")

    @admin.display(description=_("refused"))
    def refused_records(self, job):
        return ", ".join(job.refused) or "—"
