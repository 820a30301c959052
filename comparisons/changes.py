"""
What happens when content changes.

Every write of a content record passes through here, whichever way it comes:
an admin change form and its inlines, a bulk action, ``list_editable``,
History's revert and recover, ``loadcontent``, ``generatecontent``, the shell.
In this order:

1. **Who may change what.** The acting user (the signed-in user during a
   request, see ``ActingUserMiddleware``; nobody, i.e. the operator, for
   commands) needs the model's change permission to change any field, or a
   translator's right to change only the text columns of their own languages.
   Adding and deleting need the model's add and delete permissions. A person
   adds reviews of translations (translation_status.py): their own, in a
   language they translate, of a text someone else wrote; they change no
   other credit. Anything else raises ``PermissionDenied`` and the
   transaction rolls back.
2. **Bookkeeping.** A new edit token (optimistic locking: see
   admin/history.py), ``updated_at``, the fingerprints that tell each
   translation's status and the credits of each new text: its writer's, of
   the change set's ``origin``, unreviewed (translation_status.py). An import
   keeps what its file says, so that a backup restores exactly; which
   translations are outdated, and which unreviewed, follows from the rest and
   is written down again on every save, an import's too.
3. **History.** One revision per changed record, with who and why. A page's
   record owns its parts, a comparison its rows and a category its items and
   values: a change of a part is a new revision of its owner, and reverting
   an owner touches only it and its own parts.
4. **Announcement.** Once the transaction commits, ``content_changed`` is sent
   with every record that changed, which of its fields, and the keys of the
   pages that show them (page_keys.py), worked out while the record's state
   before and after the write is still at hand.

Django's model signals are the hook because they are the one place that every
ORM write passes: ``save()``, the raw saves of fixtures and of a revert,
cascaded deletes and many-to-many changes. The writes that send none go
through ``save()`` on content querysets (``ContentQuerySet``): ``update()``
and ``bulk_update()`` save each record, and ``bulk_create()`` is for imports
only. ``save(update_fields=...)``, which ``only()``, ``defer()`` and
``update_or_create()`` imply, writes the bookkeeping columns too
(``EditTracked.save()``).

A save that changes nothing a record holds (a form sent back untouched, a
draft or version like the record) is no change: the record keeps its token,
time and statuses, and no history line or announcement follows. A change of
its parts or links alone renews its token (and time) at the end of the change
set. Every text is stored with LF line breaks, whichever way it comes, with
the translations' statuses kept (``TranslatedFields.rewrite_texts()``).

Writes inside ``change_set()`` (every admin view, the commands) are one unit:
versioned before their transaction commits, one revision per owner, and
announced once it has. A write outside one (the shell, a script, Django's
``loaddata``) is a change set of its own: versioned at once, in its
transaction, and announced once that commits.
"""

import contextvars
import copyreg
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import reversion
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone
from modeltranslation.manager import MultilingualManager, MultilingualQuerySet, MultilingualQuerysetManager

from . import page_keys
from .translation_status import (
    UNKNOWN_CREDIT,
    TranslationStatusQuerySet,
    readable_credits,
    same_text,
    with_one_line_ending,
)

# Sent once a change is committed, with ``changes``: a tuple of Change.
content_changed = Signal()

# Columns the write path keeps itself; nobody edits them, so no right is needed.
BOOKKEEPING = frozenset(
    {"edit_token", "translated_from", "outdated_translations", "unreviewed_translations", "updated_at"}
)
# ... of which those every change renews, and those that follow from the texts.
RENEWED = frozenset({"edit_token", "updated_at"})
DERIVED = BOOKKEEPING - RENEWED

ADDED, CHANGED, DELETED = "added", "changed", "deleted"

_acting_user = contextvars.ContextVar("acting_user", default=None)
_change_set = contextvars.ContextVar("change_set", default=None)


@dataclass(frozen=True)
class Change:
    """One record that changed: its model, key, what happened, which fields, and the pages it is on."""

    model: type
    pk: object
    action: str
    fields: frozenset = frozenset()
    shown_on: frozenset = frozenset()  # the keys of the pages that show the record (page_keys.py)


@dataclass
class ChangeSet:
    user: object = None
    reason: str = ""
    importing: bool = False
    # Where the new translations written in it come from (translation_status.py's
    # origins): None for a person's own, or their edit of a machine translation.
    origin: str | None = None
    changes: dict = field(default_factory=dict)
    # (model, pk) of the record to version for each changed one: itself, or its owner.
    owners: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    # (model, pk) of records whose parts or links changed: their edit token and
    # time are renewed at the end (their own save may have changed nothing).
    touched: set = field(default_factory=set)
    # ... and of records that only need a new token (renew_token()).
    stale_tokens: set = field(default_factory=set)
    # Records bulk-inserted by an import: announced, not versioned.
    unversioned: set = field(default_factory=set)
    # The termbase as its texts are checked against (terms.py), read once; a
    # change of the termbase in the change set reads it again.
    termbase: object = None

    def record(self, model, pk, action, fields=(), owner=None, shown_on=()):
        key = (model, pk)
        if model._meta.model_name == "concept":
            self.termbase = None
        earlier = self.changes.get(key)
        if earlier is not None:
            if earlier.action == ADDED and action != DELETED:
                action = ADDED
            fields = earlier.fields | frozenset(fields)
            shown_on = earlier.shown_on | frozenset(shown_on)
        self.changes[key] = Change(model, pk, action, frozenset(fields), frozenset(shown_on))
        self.owners.setdefault(key, owner or key)

    def added(self, obj):
        change = self.changes.get((type(obj), obj.pk))
        return change is not None and change.action == ADDED

    def versioned_owners(self):
        """(model, pk) of every record to version, once each, in the order they changed."""
        return list(dict.fromkeys(o for key, o in self.owners.items() if key not in self.unversioned))


def is_content(model):
    return model._meta.app_label == "comparisons" and hasattr(model, "owner_field")


def content_models():
    """The models whose records are content: not the drafts of them (drafts.py) or their log."""
    return [model for model in apps.get_app_config("comparisons").get_models() if is_content(model)]


def current_change_set():
    return _change_set.get()


def translated_models():
    """The content models with texts to translate (a concept's terms are each language's own)."""
    return [model for model in content_models() if model.text_fields()]


def owner_of(instance):
    """The record whose page and history this one belongs to, as (model, pk); None for a page's own record."""
    owner_field = getattr(type(instance), "owner_field", None)
    if owner_field is None:
        return None
    related = instance._meta.get_field(owner_field)
    return (related.related_model, getattr(instance, related.attname))


# Who may change what -------------------------------------------------------


def acting_user():
    return _acting_user.get()


@contextmanager
def acting_as(user):
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def checking_user():
    current = _change_set.get()
    return current.user if current is not None else acting_user()


def translation_languages(user):
    """The language codes this user may write text in."""
    return [code for code, _name in settings.LANGUAGES if user.has_perm(f"comparisons.translate_{code}")]


def may_change_everything(user, model):
    return user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


def writable_fields(user, model):
    """The columns of ``model`` this user may change: None for all of them."""
    if user is None or may_change_everything(user, model):
        return None
    texts = getattr(model, "text_fields", tuple)()
    columns = {f"{name}_{code}" for name in texts for code in translation_languages(user)}
    # Their reviews are the credits' one part they write (check_reviews() says which).
    return {*columns, "translation_credits"} if columns else columns


def refuse(user, what):
    name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    raise PermissionDenied(f"{name} may not {what}.")


def check_may(user, action, model):
    if user is not None and not user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
        refuse(user, f"{action} {model._meta.verbose_name_plural}")


def username(user):
    """Who a credit names: "" for the operator (a command, the shell)."""
    return user.get_username() if user is not None else ""


def check_reviews(instance, stored, user, written):
    """
    A person's save changes no credit but to add a review of a translation:
    their own review, in a language they translate, of a text they did not
    write and do not change in this save. (That a reviewer is not the author
    is a rule of the credits themselves, the operator's too:
    TranslatedFields.credit_errors().)
    """
    if user is None or not instance.has_readable_credits():
        return
    before = readable_credits(stored.get("translation_credits"))
    review = ("reviewer", "reviewed_at")
    for column, credit in instance.translation_credits.items():
        if column in written:
            continue  # a new text, credited by the write path
        old = {**UNKNOWN_CREDIT, **(before.get(column) or {})}
        new = {**UNKNOWN_CREDIT, **credit}
        if new == old:
            continue
        kept = {key: value for key, value in new.items() if key not in review}
        if kept != {key: value for key, value in old.items() if key not in review} or old.get("reviewer"):
            refuse(user, f"change the credits of {column}")
        language = column.rpartition("_")[2]
        if new.get("reviewer") != username(user) or not user.has_perm(f"comparisons.translate_{language}"):
            refuse(user, f"review {column}")
        # The time of a review is the write path's: when it was saved.
        credit["reviewed_at"] = timezone.now().isoformat(timespec="seconds")


def check_may_change(user, model, fields):
    allowed = writable_fields(user, model)
    if allowed is None:
        return
    forbidden = sorted(set(fields) - BOOKKEEPING - allowed)
    if forbidden:
        refuse(user, f"change {', '.join(forbidden)} of {model._meta.verbose_name_plural}")


# The change set: a unit of work ----------------------------------------------


@contextmanager
def change_set(user=None, reason="", importing=False, origin=None):
    """
    One unit of work, in one transaction: the writes inside it are checked as
    ``user``'s (the acting user by default), versioned one revision per owner
    before the transaction commits, and announced after. ``origin`` is that
    of the translations it writes (None: written by a person). A nested use
    joins the outer one.
    """
    outer = _change_set.get()
    if outer is not None:
        if reason and not outer.reason:
            outer.reason = reason
        outer.origin = origin or outer.origin
        yield outer
        return
    user = user if user is not None else acting_user()
    with transaction.atomic(), acting_as(user):
        current = ChangeSet(user=user, reason=reason, importing=importing, origin=origin)
        token = _change_set.set(current)
        try:
            yield current
            finish(current)
        finally:
            _change_set.reset(token)


@contextmanager
def savepoint():
    """
    A part of the current change set that may fail alone (one draft of a bulk
    publication): if it raises, its writes are rolled back and the change set
    forgets them, so that no revision or announcement is made of them.
    """
    current = _change_set.get()
    kept = None
    if current is not None:
        kept = (dict(current.changes), dict(current.owners), dict(current.reasons))
        kept += (set(current.touched), set(current.stale_tokens), set(current.unversioned))
    try:
        with transaction.atomic():
            yield
    except BaseException:
        if current is not None:
            (
                current.changes,
                current.owners,
                current.reasons,
                current.touched,
                current.stale_tokens,
                current.unversioned,
            ) = kept
        raise


def explain(obj, reason):
    """Why ``obj`` changed, for its revision (the admin's change message)."""
    current = _change_set.get()
    if current is not None and reason:
        current.reasons[owner_of(obj) or (type(obj), obj.pk)] = reason


def finish(current):
    """Renew the touched records' tokens, write one revision per owner, announce on commit."""
    if not current.importing:
        for model, pk in current.touched | current.stale_tokens:
            # Their own save is not needed, only a new token (and time): a plain UPDATE.
            renewed = {"edit_token": uuid.uuid4().hex}
            if (model, pk) in current.touched and hasattr(model, "updated_at"):
                renewed["updated_at"] = timezone.now()
            model._base_manager.filter(pk=pk).update(**renewed)
    if not current.changes:
        return
    write_revisions(current)
    changes = tuple(current.changes.values())
    transaction.on_commit(lambda: content_changed.send(sender=ChangeSet, changes=changes), robust=True)


def write_revisions(current):
    user = current.user if getattr(current.user, "pk", None) else None
    for model, pk in current.versioned_owners():
        if not reversion.is_registered(model):
            continue
        obj = model._default_manager.filter(pk=pk).first()
        if obj is None:
            continue  # deleted: its last version stays, for Recover
        with reversion.create_revision(atomic=False):
            reversion.set_user(user)
            reversion.set_comment(current.reasons.get((model, pk)) or current.reason)
            reversion.add_to_revision(obj)


def note(model, pk, action, fields=(), owner=None, values=None, stored=None, raw=False, relinked=False):
    """
    Record a write in its change set, and its owner's, and finish it if it
    stands alone. ``values`` are the record's columns as written (as they were,
    for a deletion), ``stored`` as they were before. ``relinked``: its links
    changed, not its columns, so no save of its own renewed its token and time.
    """
    current = _change_set.get()
    alone = current is None
    if alone:
        # A raw save (Django's loaddata) restores a record as it was: an import.
        current = ChangeSet(user=acting_user(), importing=raw)
    shown_on = page_keys.touched(model, pk, fields, action != CHANGED, values, stored)
    current.record(model, pk, action, fields, owner, shown_on)
    for each in owners(model, owner, stored):
        current.touched.add(each)
        current.record(*each, CHANGED, {part_name(model)})
    if relinked and not current.importing:
        current.touched.add((model, pk))
    if alone:
        with transaction.atomic():
            finish(current)


def part_relations(model):
    """[(part model, accessor on the owner, key column on the part)] of a page's record."""
    return [
        (part, part_name(part), part._meta.get_field(part.owner_field).attname)
        for part in content_models()
        if part.owner_field is not None and part._meta.get_field(part.owner_field).related_model is model
    ]


def current_parts(model, pk, as_shown=False):
    """
    A page record's own parts as they stand, in a fixed order: by key, or
    ``as_shown`` in the order of each part's model (as its form shows them).
    """
    parts = []
    for part_model, _accessor, attname in part_relations(model):
        found = part_model._default_manager.filter(**{attname: pk})
        parts += found if as_shown else found.order_by("pk")
    return parts


def part_name(model):
    """The name a part's owner knows its parts by: rows, items, attribute_values."""
    return model._meta.get_field(model.owner_field).remote_field.get_accessor_name()


def added_in_this_change(obj):
    current = _change_set.get()
    return current is not None and current.added(obj)


def owners(model, owner, stored):
    """The owner a part is written with, and the one it had if it moved (a row to another comparison)."""
    if owner is None:
        return []
    previous = (stored or {}).get(model._meta.get_field(model.owner_field).attname)
    return [owner] if previous is None or str(previous) == str(owner[1]) else [owner, (owner[0], previous)]


def renew_token(model, pk):
    """
    Inside a change set: give the record a new edit token when it ends, whether
    or not it changes, so that a form opened with the one it had is stale (the
    token a draft's publication lent it).
    """
    current = _change_set.get()
    if current is None:
        raise RuntimeError("renew_token() is for a change set's records.")
    current.stale_tokens.add((model, pk))


# The hooks -------------------------------------------------------------------


def compared_columns(model):
    """The concrete columns a change is judged on: not the key, not modeltranslation's base columns."""
    translated = set(getattr(model, "translated_fields", tuple)())
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in translated]


def written_columns(model, update_fields):
    names = set(update_fields)
    return [f.attname for f in model._meta.concrete_fields if f.name in names or f.attname in names]


def same(old, new):
    """Whether a column holds the same: empty is empty, and line breaks are line breaks, however written."""
    if isinstance(old, str | None) and isinstance(new, str | None):
        return same_text(old, new)
    return old == new


def normalise_line_endings(instance):
    """
    So that a text sent back unchanged, from a form, a file or a script, is
    unchanged; a restored version or an old backup that holds CRLF keeps its
    translations' statuses (TranslatedFields.rewrite_texts).
    """
    texts = {}
    for name in compared_columns(type(instance)):
        value = getattr(instance, name)
        if isinstance(value, str) and "\r" in value:
            texts[name] = with_one_line_ending(value)
    if texts:
        instance.rewrite_texts(texts)


def before_save(sender, instance, raw, update_fields=None, **kwargs):
    user = checking_user()
    normalise_line_endings(instance)
    columns = compared_columns(sender)
    stored = None
    if instance.pk is not None:
        stored = sender._base_manager.filter(pk=instance.pk).values(*columns).first()
    if stored is None:
        check_may(user, "add", sender)
        changed = set(columns)
    else:
        # save(update_fields=...) writes only those (and the bookkeeping: EditTracked.save()).
        written = columns if update_fields is None else written_columns(sender, update_fields)
        changed = {name for name in written if not same(stored[name], getattr(instance, name))}
        check_may_change(user, sender, changed)
    if not raw:  # an import or a restored version is checked as a whole (loadcontent, snapshots)
        instance.check_written(changed)
    elif errors := instance.credit_errors():  # Django's loaddata: its credits at least are sound
        raise ValidationError(errors)
    current = _change_set.get()
    # An import (loadcontent, or Django's loaddata) restores records as they were.
    importing = current.importing if current is not None else raw
    if raw and current is None:
        instance._restored_as_it_was = True  # and its links next (on_relation_change)
    if (
        stored is not None
        and not changed - BOOKKEEPING
        and not importing
        and holds_the_same(instance, stored)
    ):
        # Nothing the record holds changes (a form saved untouched, a draft or version
        # like the record): it keeps its token and time, and no history line or
        # announcement says otherwise.
        for name in RENEWED & stored.keys():
            setattr(instance, name, stored[name])
        instance._write = None
        return
    owner = owner_of(instance)
    if owner is not None and stored is not None and update_fields is not None:
        attname = sender._meta.get_field(sender.owner_field).attname
        if attname not in written:  # moved in memory only: it stays where it is
            owner = (owner[0], stored[attname])
    instance._write = (ADDED if stored is None else CHANGED, changed - BOOKKEEPING, stored, owner)
    if not importing:
        instance.edit_token = uuid.uuid4().hex
        if hasattr(instance, "updated_at"):
            instance.updated_at = timezone.now()
        if not raw:
            # A restored version (raw) keeps the statuses and credits it had; a new text is judged now.
            instance.record_translation_bases(stored or {})
            origin = current.origin if current is not None else None
            instance.record_translation_credits(stored or {}, username(user), origin, changed)
            check_reviews(instance, stored or {}, user, changed)
    # Derived from the rest, so written on every save, an import's too.
    instance.find_outdated_translations()
    instance.find_unreviewed_translations()


def holds_the_same(instance, stored):
    """
    Whether a save that changes no text or setting changes nothing at all: the
    translations' statuses, derived again, are those stored (not so where the
    stored texts held CRLF, say).
    """
    instance.find_outdated_translations()
    instance.find_unreviewed_translations()
    return all(getattr(instance, name) == stored[name] for name in DERIVED & stored.keys())


def after_save(sender, instance, raw=False, **kwargs):
    write = instance.__dict__.pop("_write", (CHANGED, set(), None, owner_of(instance)))
    if write is None:  # nothing changed (before_save)
        return
    action, fields, stored, owner = write
    current = _change_set.get()
    if not (current.importing if current is not None else raw):  # an import restores all as it was
        instance.after_write(stored, fields)
    note(sender, instance.pk, action, fields, owner, vars(instance), stored, raw)


def before_delete(sender, instance, **kwargs):
    check_may(checking_user(), "delete", sender)


def after_delete(sender, instance, **kwargs):
    note(sender, instance.pk, DELETED, (), owner_of(instance), vars(instance))


def on_relation_change(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Many-to-many (a record's sources) is structure: the full change right is needed."""
    if reverse:
        records = [(model, pk) for pk in pk_set or ()]
        owner_model = model
    else:
        records = [(type(instance), instance.pk)]
        owner_model = type(instance)
    relation = next(f for f in owner_model._meta.many_to_many if f.remote_field.through is sender)
    if action == "pre_clear" and reverse:
        # Clearing from the other side (source.comparisons.clear()) names no records: list them first.
        cleared = getattr(instance, relation.remote_field.get_accessor_name()).values_list("pk", flat=True)
        vars(instance).setdefault("_cleared_links", {})[sender] = list(cleared)
    if action == "post_clear" and reverse:
        records = [(model, pk) for pk in vars(instance).get("_cleared_links", {}).pop(sender, ())]
    if action.startswith("pre_"):
        if reverse or not added_in_this_change(instance):
            check_may_change(checking_user(), owner_model, {relation.name})
        return
    # Django's loaddata sets a record's links after restoring it raw: as they were.
    restored = not reverse and vars(instance).get("_restored_as_it_was", False)
    for record_model, pk in records:
        note(record_model, pk, CHANGED, {relation.name}, relinked=not restored)


def bulk_created(model, objects):
    """Records inserted in bulk by an import: announced, never versioned one by one."""
    current = _change_set.get()
    if current is None or not current.importing or current.user is not None:
        raise PermissionDenied("Bulk inserts of content are for imports by the operator only.")
    for obj in objects:
        current.record(model, obj.pk, ADDED, shown_on=page_keys.touched(model, obj.pk, (), True, vars(obj)))
        current.unversioned.add((model, obj.pk))


class ContentManager(MultilingualManager):
    """
    The manager of content querysets. modeltranslation's own makes a new
    class on every call, mixing its MultilingualQuerySet into the model's
    queryset class (some 40 µs a queryset, a dozen times a page);
    ContentQuerySet already is one, so it is made as Django makes any other.
    """

    def get_queryset(self):
        # Django's Manager.get_queryset(), past modeltranslation's two.
        return super(MultilingualQuerysetManager, self).get_queryset()


class ContentQuerySet(TranslationStatusQuerySet, MultilingualQuerySet):
    """
    Writes that send no signals, made to pass the write path: update() and
    bulk_update() save each record, so that it is checked, versioned and
    announced like any other change; bulk_create() is an import's only.
    """

    @classmethod
    def as_manager(cls):
        return ContentManager.from_queryset(cls)()

    def __reduce__(self):
        # Pickled as Django pickles a queryset: modeltranslation's would restore it as
        # another class, made from the first of this one's bases.
        return copyreg.__newobj__, (type(self),), self.__getstate__()

    def update(self, **kwargs):
        with change_set():
            # Locked by key: FOR UPDATE refuses the grouped and outer-joined queries a queryset may hold.
            keys = list(self.order_by().values_list("pk", flat=True))
            records = list(self.model._default_manager.select_for_update().filter(pk__in=keys).order_by("pk"))
            for obj in records:
                for name, value in kwargs.items():
                    if hasattr(value, "resolve_expression"):  # F("order") + 1: this record's value of it
                        value = self.model._base_manager.filter(pk=obj.pk).values_list(value).get()[0]
                    field = self.model._meta.get_field(name)
                    # A key, as update() takes it, or a record.
                    is_key = field.is_relation and not isinstance(value, models.Model)
                    setattr(obj, field.attname if is_key else name, value)
                obj.save(update_fields=list(kwargs))
        return len(records)

    def delete(self):
        """One change set with everything it cascades to (see EditTracked.delete())."""
        with change_set():
            return super().delete()

    delete.alters_data = True

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        with change_set():
            for obj in objs:
                obj.save(update_fields=fields)
        return len(objs)

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            # What before_save does, which bulk inserts skip.
            normalise_line_endings(obj)
            if errors := obj.credit_errors():
                raise ValidationError(errors)
            obj.find_outdated_translations()
            obj.find_unreviewed_translations()
        made = super().bulk_create(objs, *args, **kwargs)
        bulk_created(self.model, made)
        return made


def connect():
    for model in content_models():
        uid = f"changes-{model.__name__}"
        pre_save.connect(before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(after_save, sender=model, dispatch_uid=f"{uid}-post-save")
        pre_delete.connect(before_delete, sender=model, dispatch_uid=f"{uid}-pre-delete")
        post_delete.connect(after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")
        for relation in model._meta.many_to_many:
            m2m_changed.connect(
                on_relation_change,
                sender=relation.remote_field.through,
                dispatch_uid=f"{uid}-{relation.name}",
            )


class ActingUserMiddleware:
    """During a request, content writes are the signed-in user's (anonymous may write nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user):
            return self.get_response(request)
