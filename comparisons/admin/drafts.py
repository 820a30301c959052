"""
Drafts in the admin: the change form of a record with a draft shows and
saves the draft, editors publish or discard it, anyone on the staff who may
see the record previews its public pages with the draft applied, in every
language (preview.py). What a draft is, and how it is applied, is comparisons/drafts.py's.
"""

import json
import re

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import bulk, changes, drafts
from ..models import BulkAction, Draft
from .history import changed_fields, changes_since, live_fields
from .preview import PreviewAdminMixin, broken_message


def when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def draft_summary(draft):
    """“Unpublished changes by alice, olena since …” for a list or a form."""
    return gettext("Unpublished changes by %(authors)s since %(date)s") % {
        "authors": ", ".join(draft.authors) or gettext("an unknown user"),
        "date": when(draft.started_at),
    }


def stale_message(draft, live):
    """Why a draft may not be published: what changed in the published version since it was started."""
    if live is None:
        return gettext("The published record no longer exists.")
    latest, labels = changes_since(live, draft.base_token)
    message = gettext(
        "The published version changed after this draft was started, so it cannot be published: "
        "publishing it would undo that change."
    )
    if latest is not None:
        message += " " + gettext("Last saved by %(user)s at %(time)s.") % {
            "user": latest.revision.user or gettext("an unknown user"),
            "time": when(latest.revision.date_created),
        }
    if labels:
        message += " " + gettext("Changed since the draft was started: %(fields)s.") % {
            "fields": ", ".join(labels)
        }
    return message + " " + gettext("Discard the draft and make its changes again on the published version.")


def drafted_changes(model, pk, records):
    """Labels of what the draft changes in the published record: fields; parts added, changed, deleted."""
    live = model._default_manager.filter(pk=pk).first()
    if live is None:
        return []
    objects = drafts.drafted_objects(records)
    record, parts = objects[0], objects[1:]
    labels = [label for label, _old, _new in changed_fields(model, live_fields(live), live_fields(record))]
    published = {(type(part), part.pk): part for part in changes.current_parts(model, pk)}
    for part in parts:
        old = published.pop((type(part), part.pk), None)
        if old is None:
            labels.append(
                gettext("%(part)s “%(name)s” added") % {"part": part._meta.verbose_name, "name": part}
            )
        elif changed_fields(type(part), live_fields(old), live_fields(part)):
            labels.append(
                gettext("%(part)s “%(name)s” changed") % {"part": part._meta.verbose_name, "name": part}
            )
    for old in published.values():
        labels.append(gettext("%(part)s “%(name)s” deleted") % {"part": old._meta.verbose_name, "name": old})
    return labels


def renumbered(post, before, after):
    """
    The form as sent, with the keys of the draft's new parts as they are now.
    A new part gets a new key each time the draft is applied; the form was
    made with the keys of an earlier time (``before``: "prefix:key" each).
    """
    if len(before) != len(after):
        return post
    renamed = {}
    for old, (model, key) in zip(before, after, strict=True):
        prefix, _sep, pk = old.partition(":")
        if prefix == changes.part_name(model):
            renamed[(prefix, pk)] = str(key)
    post = post.copy()
    for name in list(post):
        match = re.fullmatch(r"(\w+)-\d+-id", name)
        if match and (match[1], post[name]) in renamed:
            post[name] = renamed[(match[1], post[name])]
    return post


def staying(post):
    """A save of a draft, or its publication, comes back to the change form."""
    post = post.copy()
    post["_continue"] = "1"
    return post


class DraftFilter(admin.SimpleListFilter):
    title = _("unpublished changes")
    parameter_name = "draft"

    def lookups(self, request, model_admin):
        return [("yes", _("with a draft")), ("no", _("without a draft"))]

    def queryset(self, request, queryset):
        drafted = Exists(
            Draft.objects.of(queryset.model).filter(object_id=OuterRef("pk")),
        )
        if self.value() == "yes":
            return queryset.filter(drafted)
        if self.value() == "no":
            return queryset.exclude(drafted)
        return queryset


class DraftAdminMixin(PreviewAdminMixin):
    """For the admins of the records with pages: comparisons, categories, attributes."""

    change_form_template = "admin/comparisons/change_form.html"
    actions = ["publish", "unpublish", "publish_drafts", "discard_drafts"]
    discard_template = "admin/comparisons/discard_draft.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/draft/discard/",
                view(self.discard_view),
                name="{}_{}_discard_draft".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "unpublished_changes"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), DraftFilter]

    def get_queryset(self, request):
        drafts_of = Draft.objects.of(self.model).filter(object_id=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                draft_started_at=Subquery(drafts_of.values("started_at")[:1]),
                draft_authors=Subquery(drafts_of.values("authors")[:1]),
            )
        )

    @admin.display(description=_("unpublished changes"), ordering="draft_started_at")
    def unpublished_changes(self, obj):
        if obj.draft_started_at is None:
            return "—" if obj.is_published else gettext("not published yet")
        authors = obj.draft_authors
        if isinstance(authors, str):  # a JSON column read through a subquery comes back as text
            authors = json.loads(authors)
        return gettext("by %(authors)s since %(date)s") % {
            "authors": ", ".join(authors) or gettext("an unknown user"),
            "date": when(obj.draft_started_at),
        }

    def has_publish_drafts_permission(self, request):
        return drafts.may_publish(request.user, self.model)

    # The change form ---------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """
        The change form of a record with a draft edits the draft (draft_form).
        Not changeform_view: History's revert view uses that one on the published record.
        """
        pk = unquote(object_id)
        if not str(pk).isdecimal():
            return super().change_view(request, object_id, form_url, extra_context)
        draft = Draft.objects.for_record(self.model, pk)
        if request.method == "POST" and "_publish" in request.POST and draft is not None:
            return self.publish_from_form(request, object_id, pk, draft, form_url, extra_context)
        if draft is None and not (request.method == "POST" and "_draft" in request.POST):
            live = self.model._default_manager.filter(pk=pk).first()
            context = {**(extra_context or {}), **self.draft_context(request, live, None)}
            return super().change_view(request, object_id, form_url, context)
        return self.draft_form(request, object_id, pk, draft, form_url, extra_context)

    def draft_form(self, request, object_id, pk, draft, form_url, extra_context):
        """The change form on the record with its draft applied; a save keeps the result as the draft."""
        live = self.model._default_manager.filter(pk=pk).first()
        if live is None:
            return super().change_view(request, object_id, form_url, extra_context)
        allowed = drafts.may_save_draft if draft is not None else drafts.may_start_draft
        if request.method == "POST" and not allowed(request.user, self.model):
            raise PermissionDenied
        published = {(type(part), part.pk) for part in changes.current_parts(self.model, pk)}
        stale = draft is not None and drafts.is_stale(draft)
        records = None
        request._draft = draft or Draft(edit_token=live.edit_token)
        try:
            with drafts.applied(draft) as new_parts:
                if request.method == "POST":
                    before = [name for name in request.POST.get("_draft_new_parts", "").split(",") if name]
                    request.POST = staying(renumbered(request.POST, before, new_parts))
                context = {
                    **(extra_context or {}),
                    **self.draft_context(request, live, draft, new_parts, stale=stale),
                }
                # A change set of its own, finished (versions, tokens) before all is rolled back.
                with changes.change_set(user=request.user):
                    response = self.changeform_view(request, object_id, form_url, context)
                if request.method == "POST" and response.status_code == 302:
                    records = drafts.snapshot(self.model, pk, published)
                elif isinstance(response, TemplateResponse):
                    response.render()
        except drafts.DraftNoLongerApplies as broken:
            return self.broken_draft(request, object_id, live, draft, broken, form_url, extra_context)
        if records is None:
            return response
        try:
            with transaction.atomic():
                if draft is not None:
                    drafts.locked(draft)
                elif Draft.objects.for_record(self.model, pk) is not None:
                    raise drafts.DraftChanged
                drafts.save(
                    self.model,
                    pk,
                    records,
                    request.user,
                    base_token=live.edit_token,
                    fields=drafted_changes(self.model, pk, records),
                )
        except (drafts.DraftChanged, IntegrityError):  # the latter: two drafts started at once
            messages.error(
                request, gettext("Someone else saved this draft meanwhile; your changes were not saved.")
            )
            return redirect(request.path)
        messages.success(
            request,
            gettext("The draft was saved. Readers still see the published version until it is published."),
        )
        return response

    def broken_draft(self, request, object_id, live, draft, broken, form_url, extra_context):
        """A draft that no longer fits: the published record is shown, and the draft can only be discarded."""
        messages.error(request, broken_message(broken))
        if request.method == "POST":
            return redirect(request.path)
        context = {**(extra_context or {}), **self.draft_context(request, live, draft), "draft_broken": True}
        request._draft = None
        return super().change_view(request, object_id, form_url, context)

    def publish_from_form(self, request, object_id, pk, draft, form_url, extra_context):
        """Publish the draft with the form's last changes, all or nothing."""
        if not drafts.may_publish(request.user, self.model):
            raise PermissionDenied
        request._draft = draft
        live = self.model._default_manager.filter(pk=pk).first()

        before = [name for name in request.POST.get("_draft_new_parts", "").split(",") if name]

        def edit(new_parts):
            request.POST = staying(renumbered(request.POST, before, new_parts))
            context = {
                **(extra_context or {}),
                **self.draft_context(request, live, draft, new_parts, stale=False),
            }
            response = self.changeform_view(request, object_id, form_url, context)
            if response.status_code != 302:
                if isinstance(response, TemplateResponse):
                    response.render()
                raise _Refused(response)
            return response

        try:
            response = drafts.publish(draft, request.user, edit=edit, reason=drafts.publication_reason(draft))
        except _Refused as refused:
            return refused.response
        except drafts.StaleDraft as stale:
            messages.error(request, stale_message(draft, stale.live))
            return redirect(request.path)
        except drafts.DraftChanged:
            messages.error(
                request,
                gettext("Someone else saved or discarded this draft meanwhile; nothing was published."),
            )
            return redirect(request.path)
        except drafts.DraftNoLongerApplies as broken:
            messages.error(request, broken_message(broken))
            return redirect(request.path)
        messages.success(request, gettext("The draft was published: readers see it now."))
        return response

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's “was changed successfully” is not true of a draft: its own message follows.
        if getattr(request, "_draft", None) is not None and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.draft = getattr(request, "_draft", None)
        return form

    def draft_context(self, request, live, draft, new_parts=(), stale=None):
        """
        What the change form shows of the draft; ``live``: the published record,
        without the draft; ``stale``: whether it changed since (found before the draft was applied).
        """
        if live is None:
            return {}
        pk = live.pk
        if stale is None:
            stale = draft is not None and drafts.is_stale(draft)
        return {
            "draft": draft,
            "draft_summary": draft_summary(draft) if draft is not None else "",
            "draft_last_saved": (
                gettext("Last saved by %(user)s at %(time)s.")
                % {"user": draft.saved_by or gettext("an unknown user"), "time": when(draft.saved_at)}
                if draft is not None
                else ""
            ),
            "draft_stale": stale_message(draft, live) if stale else "",
            "draft_new_parts": ",".join(f"{changes.part_name(model)}:{key}" for model, key in new_parts),
            "may_start_draft": drafts.may_start_draft(request.user, self.model),
            "may_publish_draft": drafts.may_publish(request.user, self.model) and not stale,
            "may_discard_draft": drafts.may_publish(request.user, self.model),
            "preview_urls": self.preview_urls(pk),
            "discard_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_discard_draft",
                args=[quote(pk)],
            ),
        }

    # Discard, and the bulk actions -----------------------------------------

    def discard_view(self, request, object_id):
        pk = unquote(object_id)
        draft = Draft.objects.for_record(self.model, pk) if str(pk).isdecimal() else None
        change_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(pk)]
        )
        if draft is None:
            messages.info(request, gettext("There is no draft to discard."))
            return redirect(change_url)
        if not drafts.may_publish(request.user, self.model):
            raise PermissionDenied
        if request.method == "POST":
            try:
                drafts.discard(draft, request.user)
            except drafts.DraftChanged:
                messages.error(request, gettext("Someone else saved or discarded this draft meanwhile."))
                return redirect(request.path)
            messages.success(
                request, gettext("The draft was discarded; the published version stays as it is.")
            )
            return redirect(change_url)
        record = self.model._default_manager.get(pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Discard the draft?"),
            "opts": self.opts,
            "object": record,
            "draft": draft,
            "draft_summary": draft_summary(draft),
            "changes": drafted_changes(self.model, pk, draft.records),
            "change_url": change_url,
        }
        return TemplateResponse(request, self.discard_template, context)

    @admin.action(description=_("Publish the selected %(verbose_name_plural)s"), permissions=["publish"])
    def publish(self, request, queryset):
        self.bulk_action(request, queryset, BulkAction.Action.PUBLISH)

    @admin.action(description=_("Unpublish the selected %(verbose_name_plural)s"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self.bulk_action(request, queryset, BulkAction.Action.UNPUBLISH)

    @admin.action(description=_("Publish the drafts of the selected records"), permissions=["publish_drafts"])
    def publish_drafts(self, request, queryset):
        self.bulk_action(request, queryset, BulkAction.Action.PUBLISH_DRAFTS)

    @admin.action(description=_("Discard the drafts of the selected records"), permissions=["publish_drafts"])
    def discard_drafts(self, request, queryset):
        self.bulk_action(request, queryset, BulkAction.Action.DISCARD_DRAFTS)

    def bulk_action(self, request, queryset, action):
        """A list page's worth at once; more in the background, with a link to its progress."""
        keys = list(queryset.values_list("pk", flat=True))
        if len(keys) > bulk.IN_REQUEST:
            job = bulk.start(action, self.model, keys, request.user)
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    ngettext(
                        "“%(action)s” runs in the background on %(count)d record.",
                        "“%(action)s” runs in the background on %(count)d records.",
                        len(keys),
                    )
                    % {"action": job.get_action_display(), "count": len(keys)},
                    reverse("admin:comparisons_bulkaction_change", args=[job.pk]),
                    gettext("See how far it has got"),
                ),
            )
            return
        changed, refused = bulk.run_now(action, self.model, keys, request.user)
        if changed or not refused:
            self.message_user(request, DONE[action] % {"count": changed})
        if refused:
            self.message_user(request, refused_message(refused), messages.ERROR)


# What a bulk action did, per action: a number and its noun agree per language.
DONE = {
    BulkAction.Action.PUBLISH: ngettext_lazy(
        "%(count)d record published.", "%(count)d records published.", "count"
    ),
    BulkAction.Action.UNPUBLISH: ngettext_lazy(
        "%(count)d record unpublished.", "%(count)d records unpublished.", "count"
    ),
    BulkAction.Action.PUBLISH_DRAFTS: ngettext_lazy(
        "%(count)d draft published.", "%(count)d drafts published.", "count"
    ),
    BulkAction.Action.DISCARD_DRAFTS: ngettext_lazy(
        "%(count)d draft discarded.", "%(count)d drafts discarded.", "count"
    ),
}


def refused_message(records):
    return gettext(
        "Not published, because the published version changed after the draft was started "
        "or the draft no longer fits it (open each to see why): %(records)s"
    ) % {"records": ", ".join(records)}


class _Refused(Exception):
    """The change form did not save (its errors are shown): nothing of the publication is kept."""

    def __init__(self, response):
        self.response = response
