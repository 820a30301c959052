"""
Drafts: unpublished changes of a published record.

A draft holds a page's record and its own parts (a comparison's rows, a
category's items and attribute values) as they will be, serialized, in a
table of its own (models.Draft). Nothing readers are served from reads it:
the public pages, the caches, search, the sitemap and the structured data
see the published tables only.

What the admin shows of a draft, and the preview of the public pages with it,
are the published records with the draft applied inside a transaction that
is then rolled back: the same write path, the same validation and the same
templates as the real thing, and no second copy of the models' rules.
Publishing applies it the same way and commits, in the editor's change set:
one revision, the statuses of every translation, the pages' keys.
"""

import hashlib
import json
import uuid
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete
from django.utils import formats, timezone
from django.utils.translation import gettext

from . import changes
from .backup import exported_fields
from .models import Attribute, Category, Comparison, Draft, DraftEvent

# The records that have pages of their own, and so drafts.
DRAFTED_MODELS = (Comparison, Category, Attribute)


class StaleDraft(Exception):
    """The published record changed after the draft was started."""

    def __init__(self, live):
        super().__init__("The published version changed after the draft was started.")
        self.live = live


class DraftChanged(Exception):
    """Someone saved the draft after it was read."""


class DraftNoLongerApplies(Exception):
    """
    The draft cannot be written over the published records any more: what it
    refers to was deleted, or what it holds now breaks a rule (a slug taken
    meanwhile). It can only be discarded.
    """


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


# Reading and writing a record as drafted --------------------------------------------


def serialized(obj):
    model = type(obj)
    return serializers.serialize("python", [obj], fields=exported_fields(model))[0]


def snapshot(model, pk, published_parts):
    """
    The record and its parts as they stand now (in the transaction that made
    the draft's changes), for Draft.records. A part that is not among
    ``published_parts`` (their (model, pk)) is new: it is kept without a key
    and gets one when the draft is published.
    """
    records = [serialized(model._default_manager.get(pk=pk))]
    for part in changes.current_parts(model, pk):
        record = serialized(part)
        if (type(part), part.pk) not in published_parts:
            record["pk"] = None
        records.append(record)
    return jsonable(records)


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
    records = [serialized(each) for each in (obj, *changes.current_parts(model, pk))]
    for record in records:
        for name in RENEWED_ON_EVERY_WRITE:
            record["fields"].pop(name, None)
    return hashlib.sha256(json.dumps(jsonable(records), sort_keys=True).encode()).hexdigest()


def is_stale(draft):
    return fingerprint(draft.model, draft.object_id) != draft.base_fingerprint


def jsonable(value):
    """Serialized records as the JSON column keeps them (dates as text, keys of relations as numbers)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def drafted_objects(records):
    """
    A draft's records as unsaved model instances, the record first, then its
    parts; each with its many-to-many keys in ``_drafted_relations``.
    """
    objects = []
    for found in serializers.deserialize("python", records, ignorenonexistent=True):
        found.object.find_outdated_translations()
        found.object._drafted_relations = dict(found.m2m_data or {})
        objects.append(found.object)
    return objects


def apply(draft):
    """
    Write the draft over the published record, in the caller's change set:
    parts the draft no longer has are deleted, the record and the rest saved
    as drafted (a new part gets a new key). The statuses of the translations
    are the draft's, as a revert keeps a version's. Returns (model, key) of
    the new parts, in the draft's order.
    """
    model, pk = draft.model, draft.object_id
    found = list(serializers.deserialize("python", draft.records, ignorenonexistent=True))
    for saved, drafted in zip(draft.records, found, strict=True):
        keep_fields_added_since(saved, drafted.object)
    record, parts = found[0], found[1:]
    kept = {(type(part.object), part.object.pk) for part in parts if part.object.pk is not None}
    for part in changes.current_parts(model, pk):
        if (type(part), part.pk) not in kept:
            part.delete()
    record.save()
    new = []
    for part in parts:
        is_new = part.object.pk is None
        part.save()
        if is_new:
            new.append((type(part.object), part.object.pk))
    return new


def keep_fields_added_since(saved, obj):
    """
    A column the draft was saved without (added by a later migration) keeps
    what the published record holds, not the column's default.
    """
    if obj.pk is None:
        return
    names = set(saved["fields"])
    # Not modeltranslation's base columns: setting one writes the active language's.
    exported = set(exported_fields(type(obj)))
    missing = [
        field.attname
        for field in obj._meta.concrete_fields
        if field.name in exported and field.name not in names and field.attname not in names
    ]
    live = type(obj)._base_manager.filter(pk=obj.pk).values(*missing).first() if missing else None
    for name, value in (live or {}).items():
        setattr(obj, name, value)


def apply_checked(draft):
    """
    apply(), with the database's rules checked at once (foreign keys are
    checked only at commit, and a preview never commits): a draft that no
    longer fits raises DraftNoLongerApplies, with nothing of it written.
    """
    model = draft.model
    tables = [
        model._meta.db_table,
        *(part._meta.db_table for part, _name, _key in changes.part_relations(model)),
    ]
    try:
        with changes.savepoint():
            new = apply(draft)
            connection.check_constraints(table_names=tables)
    except (IntegrityError, ObjectDoesNotExist, ValidationError, DeserializationError) as error:
        raise DraftNoLongerApplies(str(error)) from error
    return new


def give_token(model, pk, token):
    """While the draft is shown the record carries its token: a form opened on it is checked against that."""
    model._base_manager.filter(pk=pk).update(edit_token=token)


class _RolledBack(Exception):
    pass


@contextmanager
def applied(draft, token=True):
    """
    Inside: the published record with the draft applied, as the operator
    (who made which change was checked when the draft was saved); afterwards
    everything rolled back. ``token``: the record carries the draft's edit token.
    Yields the keys of the draft's new parts.
    """
    try:
        with transaction.atomic():
            new = []
            if draft is not None:
                with changes.acting_as(None), changes.change_set():
                    new = apply_checked(draft)
                if token:
                    give_token(draft.model, draft.object_id, draft.edit_token)
            yield new
            raise _RolledBack
    except _RolledBack:
        pass


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
    changed after the draft was started. ``edit`` is given the new parts'
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
        new_parts = apply_checked(draft)
        result = None
        if edit is not None:
            give_token(model, draft.object_id, draft.edit_token)
            result = edit(new_parts)
        # The revision says what happened: the form's own message would say only what it changed last.
        changes.explain(live, reason)
        draft.delete()
        log(draft, DraftEvent.Action.PUBLISHED, user)
        return result


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
