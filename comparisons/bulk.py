"""
Bulk actions on the records with pages: publish, unpublish, and publish or
discard their drafts. A list page's worth runs in the request, as one change
set. More runs in the background, in the task worker (django.tasks), a chunk
per task: each chunk is one change set of the editor's, with their rights as
they are when it runs, and commits together with the job's progress and the
task of the next chunk. A worker stopped between chunks (a deploy) leaves the
next one waiting for the next worker; one killed in the middle of a chunk
leaves nothing of it, and the editor can resume the job. The editor follows
it as a BulkAction under "Bulk actions". Either way every record goes through
the write path (changes.py): rights, history, tokens and cache invalidation
as for one record saved by hand.
"""

import logging

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import changes, drafts
from .models import BulkAction, Draft
from .snapshots import NoLongerFits

logger = logging.getLogger(__name__)

# At the 20–44 ms a record measured for publishing, at most about four seconds.
IN_REQUEST = 100
# Records per task and change set in the background: its progress shows after each.
CHUNK = 50


def set_published(model, keys, published, user):
    """Each record saved on its own: history, token, cache. Returns (changed, refused names)."""
    changed = []
    # Locked by key: a change list's query is grouped, which FOR UPDATE refuses on PostgreSQL.
    locked = model._default_manager.select_for_update().filter(pk__in=keys, is_published=not published)
    for record in locked.order_by("pk"):
        record.is_published = published
        record.save()
        changed.append(record)
    log_changes(user, changed, [{"changed": {"fields": ["is_published"]}}])
    return len(changed), []


def log_changes(user, records, message):
    """The admin's log entries and the revisions' comments, as a change form's save writes them."""
    if not records or getattr(user, "pk", None) is None:
        return
    entries = LogEntry.objects.log_actions(user.pk, records, CHANGE, message)
    for record, entry in zip(records, entries, strict=True):
        changes.explain(record, entry.get_change_message())


def publish_drafts(model, keys, user):
    """Each draft in a savepoint of its own: one that cannot be published leaves the others be."""
    published, refused = 0, []
    for draft in Draft.objects.of(model).filter(object_id__in=keys).order_by("object_id"):
        record = str(model._default_manager.filter(pk=draft.object_id).first())
        try:
            drafts.publish(draft, user, reason=drafts.publication_reason(draft))
            published += 1
        except (drafts.StaleDraft, drafts.DraftChanged, NoLongerFits):
            refused.append(record)
    return published, refused


def discard_drafts(model, keys, user):
    count = 0
    for draft in Draft.objects.of(model).filter(object_id__in=keys).order_by("object_id"):
        try:
            drafts.discard(draft, user)
            count += 1
        except drafts.DraftChanged:
            continue  # discarded or saved again by someone else meanwhile
    return count, []


ACTIONS = {
    BulkAction.Action.PUBLISH: lambda model, keys, user: set_published(model, keys, True, user),
    BulkAction.Action.UNPUBLISH: lambda model, keys, user: set_published(model, keys, False, user),
    BulkAction.Action.PUBLISH_DRAFTS: publish_drafts,
    BulkAction.Action.DISCARD_DRAFTS: discard_drafts,
}


def run_now(action, model, keys, user):
    """The action on a few records, in the caller's change set: (changed, refused names)."""
    return ACTIONS[action](model, keys, user)


def start(action, model, keys, user):
    """
    The action on many records, in the background: the job and the task of
    its first chunk are stored in one transaction (the database backend's),
    so that neither exists without the other.
    """
    with transaction.atomic():
        job = BulkAction.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            action=action,
            keys=sorted(keys),
            total=len(keys),
            user=user,
            language=translation.get_language() or "",
        )
        run_chunk.enqueue(job.pk)
    return job


def resume(job):
    """Enqueue the job's next chunk again (its worker was killed in the middle of one)."""
    run_chunk.enqueue(job.pk)


@task
def run_chunk(job_pk):
    """
    The job's next chunk, in a change set of the user who asked for it, as
    that user is now: their rights, or nobody's if the account is gone or
    inactive or no longer staff. The chunk, the job's progress and the next chunk's task commit
    together, or nothing of them does.
    """
    job = BulkAction.objects.get(pk=job_pk)
    user = get_user_model()._default_manager.filter(pk=job.user_id, is_active=True, is_staff=True).first()
    with translation.override(job.language or None):
        try:
            if user is None:
                raise PermissionError(gettext("The user who asked for it no longer exists."))
            with changes.change_set(user=user):
                job = BulkAction.objects.select_for_update().get(pk=job_pk)
                if job.finished_at is not None:
                    return  # finished, or stopped, meanwhile
                chunk = job.keys[job.done : job.done + CHUNK]
                changed, refused = ACTIONS[job.action](job.model, chunk, user)
                job.started_at = job.started_at or timezone.now()
                job.done += len(chunk)
                job.changed += changed
                job.refused += refused
                if job.done >= job.total:
                    job.finished_at = timezone.now()
                else:
                    run_chunk.enqueue(job.pk)
                job.save(update_fields=["started_at", "done", "changed", "refused", "finished_at"])
        except BaseException as error:  # a second SIGTERM to the worker too: the job says it stopped
            if isinstance(error, SystemExit | KeyboardInterrupt):
                reason = gettext("The task worker was stopped.")
            else:
                reason = str(error) or type(error).__name__
            try:
                stopped = {"failure": reason, "finished_at": timezone.now()}
                BulkAction.objects.filter(pk=job_pk, finished_at=None).update(**stopped)
            except DatabaseError:
                logger.exception("Could not record that bulk action %s stopped", job_pk)
            raise
