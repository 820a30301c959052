"""Bulk actions running in the background (comparisons/bulk.py): how far each has got."""

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import bulk, drafts
from ..models import BulkAction


def publishable_models(user):
    return [model for model in drafts.DRAFTED_MODELS if drafts.may_publish(user, model)]


@admin.register(BulkAction)
class BulkActionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "content_type", "user", "created_at", "progress", "status"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type", "user"]
    fields = ["action", "content_type", "user", "created_at", "started_at", "finished_at", "progress"]
    fields += ["status", "refused_records", "failure"]
    readonly_fields = fields
    actions = ["resume"]

    def get_queryset(self, request):
        """The jobs on the kinds of record this user may publish; their keys are not read for a list."""
        kinds = Q()
        for model in publishable_models(request.user):
            kinds |= Q(
                content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
            )
        queryset = super().get_queryset(request).defer("keys")
        return queryset.filter(kinds) if kinds else queryset.none()

    def has_view_permission(self, request, obj=None):
        """Who may start bulk actions (editors) may follow them."""
        if not request.user.is_active or not publishable_models(request.user):
            return False
        return obj is None or obj.model in publishable_models(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resume_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Resume the selected bulk actions"), permissions=["resume"])
    def resume(self, request, queryset):
        """A job whose worker was killed in a chunk, or that stopped, goes on from its last chunk done."""
        resumed = 0
        for job in queryset.filter(user=request.user):
            if job.done < job.total:
                BulkAction.objects.filter(pk=job.pk).update(failure="", finished_at=None)
                bulk.resume(job)
                resumed += 1
        self.message_user(
            request,
            ngettext("%(count)d bulk action resumed.", "%(count)d bulk actions resumed.", resumed)
            % {"count": resumed},
            messages.SUCCESS if resumed else messages.WARNING,
        )

    @admin.display(description=_("progress"))
    def progress(self, job):
        return gettext("Done: %(done)d of %(total)d; changed: %(changed)d") % {
            "done": job.done,
            "total": job.total,
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
