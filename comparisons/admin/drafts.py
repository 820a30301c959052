"""
Drafts in the admin: the change form of a record with a draft shows and
saves the draft, editors publish or discard it, anyone on the staff who may
see the record previews its public pages with the draft applied, in every
language (preview.py). What a draft is, and how it is applied, is comparisons/drafts.py's.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import bulk, changes, drafts
from ..models import BulkAction, Draft
from ..snapshots import NoLongerFits, Snapshot, restored_for_now
from .history import FormRefused, last_saved, saved_meanwhile, when
from .preview import PreviewAdminMixin, broken_message
from .reviews import REVIEW_ACTIONS


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
    return saved_meanwhile(
        live,
        draft.base_token,
        gettext(
            "The published version changed after this draft was started, so it cannot be published: "
            "publishing it would undo that change."
        ),
        gettext("Changed since the draft was started: %(fields)s."),
        gettext("Discard the draft and make its changes again on the published version."),
    )


def drafted_changes(snapshot):
    """Labels of what a draft changes in the published record: fields; parts added, changed, deleted."""
    plan = snapshot.differences()
    labels = [label for label, _old, _new in plan["fields"]]
    labels += [gettext("%(part)s “%(name)s” added") % part for part in plan["added"]]
    labels += [gettext("%(part)s “%(name)s” changed") % part for part, _labels in plan["changed"]]
    labels += [gettext("%(part)s “%(name)s” deleted") % part for part in plan["deleted"]]
    return labels


def with_keys_of_new_parts(data, prefix, model, owner, keys):
    """
    The change form's data for one inline, with the keys the draft's new
    parts have now. A new part has no key until the draft is published, and
    gets a new one each time the draft is written over the tables (``keys``,
    in the draft's order): the form shows it without one. So an initial form
    whose key is none of the record's other parts' is a new part's, in turn.
    """
    try:
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", ""))
    except ValueError:
        return data  # the formset answers a broken management form itself
    others = model._default_manager.filter(**{model.owner_field: owner}).exclude(pk__in=keys)
    others = {str(key) for key in others.values_list("pk", flat=True)}
    remaining = iter(keys)
    name = model._meta.pk.name
    for index in range(min(initial, len(others) + len(keys))):
        if data.get(f"{prefix}-{index}-{name}", "") not in others:
            data[f"{prefix}-{index}-{name}"] = str(next(remaining, ""))
    return data


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
    actions = ["publish", "unpublish", "publish_drafts", "discard_drafts", *REVIEW_ACTIONS]
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
        """
        The change form on the record's draft, shown from the draft itself. A
        save writes the draft and the form's changes over the published
        record, keeps the result as the draft, and rolls the tables back.
        """
        live = self.model._default_manager.filter(pk=pk).first()
        if live is None:
            return super().change_view(request, object_id, form_url, extra_context)
        allowed = drafts.may_save_draft if draft is not None else drafts.may_start_draft
        if request.method == "POST" and not allowed(request.user, self.model):
            raise PermissionDenied
        snapshot = drafts.snapshot_of(draft) if draft is not None else None
        request.draft = draft or Draft(edit_token=live.edit_token)
        context = {**(extra_context or {}), **self.draft_context(request, live, draft)}
        if request.method != "POST":
            try:
                snapshot.check(terms=False)  # a text the termbase refuses now is fixed in the form
            except NoLongerFits as broken:
                return self.broken_draft(request, object_id, live, draft, broken, form_url, extra_context)
            snapshot.record.edit_token = draft.edit_token  # a form opened on the draft is checked against it
            request.shown_snapshot = snapshot
            return self.changeform_view(request, object_id, form_url, context)
        published = {(type(part), part.pk) for part in changes.current_parts(self.model, pk)}
        records = None
        token = draft.edit_token if draft is not None else None
        try:
            with restored_for_now(snapshot, token=token) as new_parts:
                request.new_parts = new_parts
                request.POST = staying(request.POST)
                # A change set of its own, finished (versions, tokens) before all is rolled back.
                with changes.change_set(user=request.user):
                    response = self.changeform_view(request, object_id, form_url, context)
                if response.status_code == 302:
                    records = Snapshot.of_record(self.model, pk, published).records
                elif isinstance(response, TemplateResponse):
                    response.render()
        except NoLongerFits as broken:
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
                    fields=drafted_changes(Snapshot(self.model, pk, records)),
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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        new_parts = getattr(request, "new_parts", None)
        if new_parts and "data" in kwargs:
            keys = [key for model, key in new_parts if model is inline.model]
            kwargs["data"] = with_keys_of_new_parts(kwargs["data"], prefix, inline.model, obj, keys)
        return kwargs

    def broken_draft(self, request, object_id, live, draft, broken, form_url, extra_context):
        """A draft that no longer fits: the published record is shown, and the draft can only be discarded."""
        messages.error(request, broken_message(broken))
        if request.method == "POST":
            return redirect(request.path)
        context = {**(extra_context or {}), **self.draft_context(request, live, draft), "draft_broken": True}
        request.draft = None
        return super().change_view(request, object_id, form_url, context)

    def publish_from_form(self, request, object_id, pk, draft, form_url, extra_context):
        """Publish the draft with the form's last changes, all or nothing."""
        if not drafts.may_publish(request.user, self.model):
            raise PermissionDenied
        request.draft = draft
        live = self.model._default_manager.filter(pk=pk).first()
        context = {**(extra_context or {}), **self.draft_context(request, live, draft, stale=False)}

        def edit(new_parts):
            request.new_parts = new_parts
            request.POST = staying(request.POST)
            response = self.changeform_view(request, object_id, form_url, context)
            if response.status_code != 302:
                if isinstance(response, TemplateResponse):
                    response.render()
                raise FormRefused(response)
            return response

        try:
            response = drafts.publish(draft, request.user, edit=edit, reason=drafts.publication_reason(draft))
        except FormRefused as refused:
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
        except NoLongerFits as broken:
            messages.error(request, broken_message(broken))
            return redirect(request.path)
        messages.success(request, gettext("The draft was published: readers see it now."))
        return response

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's “was changed successfully” is not true of a draft: its own message follows.
        if getattr(request, "draft", None) is not None and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.draft = getattr(request, "draft", None)
        return form

    def draft_context(self, request, live, draft, stale=None):
        """
        What the change form shows of the draft; ``live``: the published record,
        without the draft; ``stale``: whether it changed since the draft was started.
        """
        if live is None:
            return {}
        pk = live.pk
        if stale is None:
            stale = draft is not None and drafts.is_stale(draft)
        return {
            "draft": draft,
            "draft_summary": draft_summary(draft) if draft is not None else "",
            "draft_last_saved": last_saved(draft.saved_by, draft.saved_at) if draft is not None else "",
            "draft_stale": stale_message(draft, live) if stale else "",
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
            "changes": drafted_changes(drafts.snapshot_of(draft)),
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
