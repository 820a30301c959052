"""
Drafts: unpublished changes of a published record.

A draft holds a page's record and its own parts (a comparison's rows, a
category's items and attribute values) as they will be, serialized, in a
table of its own (models.Draft). Nothing readers are served from reads it:
the public pages, the caches, search, the sitemap and the structured data
see the published tables only.

A draft is a snapshot (snapshots.py), as a version in History is: the
change form shows it without touching the tables. Saving the form writes
the draft and the form's changes over the published records inside a
transaction that is then rolled back, and keeps the result as the draft;
the preview of the public pages does the same. So both pass the same write
path, validation and templates as the real thing. Publishing writes it the
same way and commits, in the editor's change set: one revision, the
statuses of every translation, the pages' keys.
"""

import hashlib
import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete
from django.utils import formats, timezone
from django.utils.translation import gettext

from . import changes
from .models import Attribute, Category, Comparison, Draft, DraftEvent, read_stored_texts
from .snapshots import NoLongerFits, Snapshot, give_token, jsonable, serialized
from .terms import check_terms
from .translation_status import UNKNOWN_CREDIT

# The records that have pages of their own, and so drafts.
DRAFTED_MODELS = (Comparison, Category, Attribute)


class StaleDraft(Exception):
    """The published record changed after the draft was started."""

    def __init__(self, live):
        super().__init__("The published version changed after the draft was started.")
        self.live = live


class DraftChanged(Exception):
    """Someone saved the draft after it was read."""


# Who may do what --------------------------------------------------------------


def may_publish(user, model):
    """
    Editors: who may change every field of the record and of its parts (and
    the operator, ``None``, as everywhere in changes.py). Publishing and discarding.
    """
    return user is None or all(
        changes.may_change_everything(user, each)
        for each in (model, *(part for part, _name, _key in changes.part_relations(model)))
    )


def may_start_draft(user, model):
    return user is None or changes.may_change_everything(user, model)


def may_save_draft(user, model):
    """Into a draft that exists: editors, and translators (their own languages' text only)."""
    return may_start_draft(user, model) or bool(changes.translation_languages(user))


# The draft as a snapshot (snapshots.py) -----------------------------------------------


def snapshot_of(draft):
    return Snapshot(draft.model, draft.object_id, draft.records)


# Columns every write renews: they say nothing of what the record holds.
RENEWED_ON_EVERY_WRITE = ("edit_token", "updated_at")


def fingerprint(model, pk):
    """
    A hash of what the published record and its parts hold. A draft keeps the
    one it started from; once it differs, the published version changed
    (through a form, a revert, an import, the shell) and publishing is refused.
    """
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return ""
    records = jsonable([serialized(each) for each in (obj, *changes.current_parts(model, pk))])
    for record in records:
        for name in RENEWED_ON_EVERY_WRITE:
            record["fields"].pop(name, None)
        # Derived from the credits, which a draft started before them (migration 0024) did not
        # have: so that it stays publishable, they count only once they say something more
        # than "origin unknown, unreviewed".
        record["fields"].pop("unreviewed_translations", None)
        credits = record["fields"].pop("translation_credits", None) or {}
        if isinstance(credits, dict) and (said := {c: v for c, v in credits.items() if v != UNKNOWN_CREDIT}):
            record["fields"]["translation_credits"] = said
    return hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()


def is_stale(draft):
    return fingerprint(draft.model, draft.object_id) != draft.base_fingerprint


def save(model, pk, records, user, base_token=None, fields=()):
    """
    Keep ``records`` as the record's draft: a new draft (``base_token``, the
    published version it starts from) or the existing one, updated.
    """
    with transaction.atomic():
        return save_locked(model, pk, records, user, base_token, fields)


def save_locked(model, pk, records, user, base_token, fields):
    content_type = ContentType.objects.get_for_model(model)
    now = timezone.now()
    name = user.get_username() if user is not None else ""
    draft = Draft.objects.select_for_update().filter(content_type=content_type, object_id=pk).first()
    if draft is None:
        if not may_start_draft(user, model):
            raise PermissionDenied("Only editors start drafts.")
        draft = Draft(
            content_type=content_type,
            object_id=pk,
            base_fingerprint=fingerprint(model, pk),
            base_token=base_token,
            started_by=user,
            started_at=now,
        )
    elif not may_save_draft(user, model):
        raise PermissionDenied("This user may not change drafts.")
    draft.records = records
    draft.edit_token = uuid.uuid4().hex
    draft.saved_by, draft.saved_at = user, now
    draft.authors = [*[a for a in draft.authors if a != name], name] if name else draft.authors
    draft.save()
    DraftEvent.objects.create(
        content_type=content_type,
        object_id=pk,
        action=DraftEvent.Action.SAVED,
        user=user,
        at=now,
        fields=list(fields),
    )
    return draft


def locked(draft):
    """The draft, locked for the transaction, unless someone saved or dropped it since it was read."""
    current = Draft.objects.select_for_update().filter(pk=draft.pk).first()
    if current is None or current.edit_token != draft.edit_token:
        raise DraftChanged
    return current


def publish(draft, user, edit=None, reason=""):
    """
    Apply the draft to the published record and drop it, all or nothing, in
    one change set of ``user``'s: one revision, and the pages that show the
    record refreshed once it commits. ``edit`` (the change form's own last
    changes) runs after the draft is applied, in the same transaction; what it
    returns is returned. Refused with StaleDraft when the published version
    changed after the draft was started, and with snapshots.NoLongerFits when
    the draft breaks a rule now (Snapshot.check()). ``edit`` is given the new parts'
    (model, key), as apply() returns them.
    """
    model = draft.model
    if not may_publish(user, model):
        raise PermissionDenied("Only editors publish drafts.")
    # A savepoint of its own: in a bulk action, one draft that fails leaves the others be.
    with changes.change_set(user=user, reason=reason), changes.savepoint():
        draft = locked(draft)
        live = model._default_manager.select_for_update().filter(pk=draft.object_id).first()
        if live is None or is_stale(draft):
            raise StaleDraft(live)
        snapshot = snapshot_of(draft)
        # Written raw: its rules are asked here, against the published records (a slug
        # taken meanwhile, a term the termbase forbade after the draft was saved). From
        # the form, the texts are asked as the form leaves them: it may have fixed one.
        snapshot.check(terms=edit is None)
        read_stored_texts(snapshot.objects)  # the published texts, before they are written over
        published_texts = {(type(obj), obj.pk): obj.stored_texts for obj in snapshot.objects}
        new_parts = snapshot.restore()
        result = None
        if edit is not None:
            give_token(model, draft.object_id, draft.edit_token)
            result = edit(new_parts)
            # Lent for the form's edit only, whether or not that changed anything.
            changes.renew_token(model, draft.object_id)
            check_published_texts(model, draft.object_id, published_texts)
        # The revision says what happened: the form's own message would say only what it changed last.
        changes.explain(live, reason)
        draft.delete()
        log(draft, DraftEvent.Action.PUBLISHED, user)
        return result


def check_published_texts(model, pk, published_texts):
    """
    Raise NoLongerFits where a text the publication changes uses a variant the
    termbase forbids: the record and its parts as written, against the texts
    they had before (``published_texts``, by model and key).
    """
    for obj in Snapshot.of_record(model, pk).objects:
        obj.stored_texts = published_texts.get((type(obj), obj.pk), {})
        try:
            check_terms(obj, obj.texts_written())
        except ValidationError as error:
            raise NoLongerFits("; ".join(message.rstrip(".") for message in error.messages)) from error


def publication_reason(draft):
    """The revision comment of a draft's publication."""
    return gettext("Published the draft started by %(user)s on %(date)s") % {
        "user": draft.started_by or gettext("an unknown user"),
        "date": formats.date_format(timezone.localtime(draft.started_at), "DATETIME_FORMAT"),
    }


def discard(draft, user):
    """Drop the draft; the published version stays as it is."""
    if not may_publish(user, draft.model):
        raise PermissionDenied("Only editors discard drafts.")
    with transaction.atomic():
        draft = locked(draft)
        draft.delete()
        log(draft, DraftEvent.Action.DISCARDED, user)


def log(draft, action, user):
    DraftEvent.objects.create(
        content_type=draft.content_type,
        object_id=draft.object_id,
        action=action,
        user=user,
        at=timezone.now(),
    )


def dropped_with_record(sender, instance, **kwargs):
    """A deleted record's draft goes with it (its History says so)."""
    content_type = ContentType.objects.get_for_model(sender)
    for draft in Draft.objects.filter(content_type=content_type, object_id=instance.pk):
        draft.delete()
        user = changes.acting_user()
        log(draft, DraftEvent.Action.DISCARDED, user if getattr(user, "pk", None) else None)


def connect():
    for model in DRAFTED_MODELS:
        post_delete.connect(dropped_with_record, sender=model, dispatch_uid=f"drafts-{model.__name__}")
