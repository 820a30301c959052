"""
Snapshots: a page's record and its own parts (a comparison's rows, a
category's items, an attribute's values) as stored records, in the
serializer's "python" layout, the record first.

A draft keeps one of changes not yet published (Draft.records); History keeps
one per version (the record's version and its parts' versions of the same
revision). Both are read, checked, compared and written back here, the same way:

- ``objects`` are unsaved instances, for a change form to show without
  touching the tables;
- ``check()`` says, reading only, whether it still fits the published records;
- ``differences()`` is what writing it would change;
- ``restore()`` writes it over the published record through the write path
  (changes.py), so the acting user's rights are checked on every record.
"""

import json
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext

from . import changes
from .backup import exported_fields, slugs_in_every_language
from .models import read_stored_texts
from .translation_status import same_text, with_one_line_ending


class NoLongerFits(Exception):
    """
    The snapshot cannot be written over the published records any more: what
    it refers to was deleted, or what it holds now breaks a rule (a slug taken
    meanwhile).
    """


class Snapshot:
    def __init__(self, model, pk, records, elsewhere=()):
        # A category stored before its slug had a column per language has it in each (backup.py).
        records = [each for record in records for each in slugs_in_every_language(record)]
        self.model, self.pk, self.records = model, pk, records
        # Parts saved with the record then that belong to another record now: (name, that record).
        self.elsewhere = list(elsewhere)

    @classmethod
    def of_record(cls, model, pk, published_parts=None):
        """
        The record and its parts as they stand now. A part that is not among
        ``published_parts`` ((model, key) each) is new: it is kept without a
        key and gets one when the snapshot is restored.
        """
        records = [serialized(model._default_manager.get(pk=pk))]
        for part in changes.current_parts(model, pk, as_shown=True):
            record = serialized(part)
            if published_parts is not None and (type(part), part.pk) not in published_parts:
                record["pk"] = None
            records.append(record)
        return cls(model, pk, jsonable(records))

    @classmethod
    def of_version(cls, version):
        """
        The record as a History version has it, with the versions of its own
        parts saved in the same revision. A part that belongs to another
        record now (moved on its own form) stays where it is: a revert of this
        record leaves it be, and ``elsewhere`` names it.
        """
        model = version.content_type.model_class()
        records = stored_records(version)
        elsewhere = []
        for part_model, _accessor, attname in changes.part_relations(model):
            name = part_model._meta.get_field(attname).name
            saved = version.revision.version_set.filter(
                content_type=ContentType.objects.get_for_model(part_model)
            )
            versions = sorted(
                (part for part in saved if owner_key(part, name) == version.object_id),
                key=lambda part: part_model._meta.pk.to_python(part.object_id),
            )
            keys = [part_model._meta.pk.to_python(part.object_id) for part in versions]
            owners = dict(part_model._default_manager.filter(pk__in=keys).values_list("pk", attname))
            for part, key in zip(versions, keys, strict=True):
                owner = owners.get(key)
                if owner is not None and str(owner) != version.object_id:
                    elsewhere.append((part.object_repr, model._default_manager.filter(pk=owner).first()))
                else:
                    records += stored_records(part)
        return cls(model, model._meta.pk.to_python(version.object_id), records, elsewhere)

    # Reading ------------------------------------------------------------------

    @cached_property
    def objects(self):
        """
        The records as unsaved instances, each with its many-to-many keys in
        ``stored_relations``. A column the snapshot was stored without (added
        by a later migration) holds what the published record holds, not the
        column's default.
        """
        found = list(serializers.deserialize("python", self.records, ignorenonexistent=True))
        objects = []
        for stored, each in zip(self.records, found, strict=True):
            obj = each.object
            keep_fields_added_since(stored, obj)
            obj.find_outdated_translations()
            obj.find_unreviewed_translations()
            # A record with a key is the published one as it was or will be: Django's
            # documented flag tells its uniqueness checks and forms so (loadcontent does the same).
            obj._state.adding = obj.pk is None
            obj.stored_relations = dict(each.m2m_data or {})
            objects.append(obj)
        self.missing = link_related(objects)
        return objects

    @property
    def record(self):
        return self.objects[0]

    @property
    def parts(self):
        return self.objects[1:]

    def parts_of(self, model):
        return [part for part in self.parts if type(part) is model]

    def check(self, terms=True):
        """
        Raise NoLongerFits unless the snapshot can be written over the
        published records, reading only: every record's fields and rules
        (with ``terms=False``, but the termbase's, which a form asks of its
        texts as they are published: drafts.publish())
        (Model.full_clean()), the page record's uniqueness (a slug taken
        meanwhile), and the records its keys and many-to-many relations name
        (found by link_related(), one query per model).
        """
        objects = self.objects  # links the records its keys name, and notes those missing
        if self.missing:
            raise NoLongerFits(
                gettext("One of the records in “%(relation)s” no longer exists.")
                % {"relation": self.missing[0]}
            )
        read_stored_texts(objects)
        if not terms:
            for obj in objects:  # as if stored as they are: no text is asked about
                obj.stored_texts = {column: getattr(obj, column) for column in obj.text_columns()}
        try:
            for obj in objects:
                keys = [field.name for field in obj._meta.concrete_fields if field.is_relation]
                if obj is self.record:
                    obj.full_clean(exclude=keys)
                else:
                    # A part is unique among the record's own parts, which the snapshot replaces whole.
                    obj.full_clean(exclude=keys, validate_unique=False, validate_constraints=False)
                for relation in obj._meta.many_to_many:
                    keys = set(obj.stored_relations.get(relation.name, ()))
                    if relation.related_model._default_manager.filter(pk__in=keys).count() != len(keys):
                        raise NoLongerFits(
                            gettext("One of the records in “%(relation)s” no longer exists.")
                            % {"relation": relation.verbose_name}
                        )
            self.check_parts_unique()
        except ValidationError as error:
            # Said inside a sentence of its own: no message's full stop.
            raise NoLongerFits("; ".join(message.rstrip(".") for message in error.messages)) from error
        except (ObjectDoesNotExist, DeserializationError) as error:
            raise NoLongerFits(str(error)) from error

    def check_parts_unique(self):
        """The parts are unique among themselves (a row per attribute), as the database will check."""
        for model in {type(part) for part in self.parts}:
            parts = self.parts_of(model)
            for fields in [
                *model._meta.unique_together,
                *(c.fields for c in model._meta.total_unique_constraints),
            ]:
                columns = [model._meta.get_field(name).attname for name in fields]
                seen = set()
                for part in parts:
                    values = tuple(getattr(part, column) for column in columns)
                    if values in seen:
                        raise part.unique_error_message(model, tuple(fields))
                    seen.add(values)

    def differences(self):
        """
        What writing the snapshot would change, for a confirmation screen:
        ``fields`` (label, now, then) of the record; its parts ``added`` (new
        in a draft), ``restored`` (deleted since a version), ``changed``
        (part, labels) and ``deleted``, each part as name_of() has it; and
        the parts ``elsewhere`` (name, the record they are in now).
        """
        plan = {"fields": [], "added": [], "restored": [], "changed": [], "deleted": [], "elsewhere": []}
        plan["elsewhere"] = self.elsewhere
        live = self.model._default_manager.filter(pk=self.pk).first()
        if live is not None:
            plan["fields"] = changed_fields(self.model, live_fields(live), live_fields(self.record))
        published = {(type(part), part.pk): part for part in changes.current_parts(self.model, self.pk)}
        for part in self.parts:
            old = published.pop((type(part), part.pk), None)
            if old is None:
                plan["added" if part.pk is None else "restored"].append(name_of(part))
            elif changed := changed_fields(type(part), live_fields(old), live_fields(part)):
                plan["changed"].append((name_of(part), [label for label, _old, _new in changed]))
        plan["deleted"] = [name_of(part) for part in published.values()]
        return plan

    # Writing ---------------------------------------------------------------------

    def restore(self):
        """
        Write the snapshot over the published record, in the caller's change
        set: parts it does not have are deleted, the record and the rest saved
        as stored (a part without a key gets a new one), with the database's
        rules checked at once (foreign keys are otherwise checked only at
        commit). The statuses of the translations are the snapshot's. Returns
        (model, key) of the new parts, in the snapshot's order; raises
        NoLongerFits, with nothing of it written.
        """
        tables = [
            self.model._meta.db_table,
            *(part._meta.db_table for part, _name, _key in changes.part_relations(self.model)),
        ]
        try:
            with changes.savepoint():
                new = self.write()
                connection.check_constraints(table_names=tables)
        except (IntegrityError, ObjectDoesNotExist, ValidationError, DeserializationError) as error:
            raise NoLongerFits(str(error)) from error
        return new

    def write(self):
        found = list(serializers.deserialize("python", self.records, ignorenonexistent=True))
        for stored, each in zip(self.records, found, strict=True):
            keep_fields_added_since(stored, each.object)
        record, parts = found[0], found[1:]
        kept = {(type(part.object), part.object.pk) for part in parts if part.object.pk is not None}
        for part in changes.current_parts(self.model, self.pk):
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


class _RolledBack(Exception):
    pass


@contextmanager
def restored_for_now(snapshot, token=None):
    """
    Inside: the published record with ``snapshot`` restored (None: as it is),
    as the operator (who made which change was checked when it was stored);
    afterwards everything rolled back. ``token``: the edit token the record
    carries meanwhile, for a form opened on it. Yields the new parts' keys.
    """
    try:
        with transaction.atomic():
            new = []
            if snapshot is not None:
                with changes.acting_as(None), changes.change_set():
                    new = snapshot.restore()
                if token is not None:
                    give_token(snapshot.model, snapshot.pk, token)
            yield new
            raise _RolledBack
    except _RolledBack:
        pass


def link_related(objects):
    """
    Give the records the records their keys name, one query per model, as
    select_related() would: a form shows a part's attribute and source
    without a query each. A part's key to its owner names the snapshot's own
    record (which a recovery brings back). Returns the verbose names of the
    keys that name nothing any more.
    """
    record = objects[0]
    wanted = defaultdict(set)
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if (
                field.is_relation
                and field.name != obj.owner_field
                and getattr(obj, field.attname) is not None
            ):
                wanted[field.related_model].add(getattr(obj, field.attname))
    found = {model: model._base_manager.in_bulk(keys) for model, keys in wanted.items()}
    missing = []
    for obj in objects:
        for field in obj._meta.concrete_fields:
            if not field.is_relation or getattr(obj, field.attname) is None:
                continue
            if obj is not record and field.name == obj.owner_field:
                setattr(obj, field.name, record)
            elif (target := found[field.related_model].get(getattr(obj, field.attname))) is not None:
                setattr(obj, field.name, target)
            else:
                missing.append(field.verbose_name)
    return missing


def give_token(model, pk, token):
    """The record carries ``token`` as its edit token: a form opened with it is checked against that."""
    model._base_manager.filter(pk=pk).update(edit_token=token)


def owner_key(version, name):
    """The key, as text, of the record a part's version names in its field ``name``."""
    return str(stored_records(version)[0]["fields"].get(name))


def serialized(obj):
    return serializers.serialize("python", [obj], fields=exported_fields(type(obj)))[0]


def version_fields(version):
    """
    A History version's fields, as reversion reads them, with the columns a
    version stored before they existed filled in as they were then (a
    category's slug in every language, see backup.slugs_in_every_language):
    not as reading the record in the active language makes them.
    """
    fields = dict(version.field_dict)
    stored = stored_records(version)[0]
    [upgraded] = slugs_in_every_language(stored)
    fields.update({name: value for name, value in upgraded["fields"].items() if name not in stored["fields"]})
    return fields


def stored_records(version):
    """A History version's record in the "python" layout (reversion keeps it as JSON)."""
    return json.loads(version.serialized_data)


def jsonable(value):
    """Serialized records as a JSON column keeps them (dates as text, keys of relations as numbers)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def keep_fields_added_since(stored, obj):
    """A column ``stored`` lacks keeps what the published record holds."""
    if obj.pk is None:
        return
    names = set(stored["fields"])
    # Not modeltranslation's base columns (setting one writes the active language's),
    # nor what every save derives from the rest.
    exported = set(exported_fields(type(obj)))
    missing = [
        field.attname
        for field in obj._meta.concrete_fields
        if field.name in exported and field.name not in names and field.attname not in names
    ]
    if not missing:
        return
    texts = obj.text_columns() if hasattr(obj, "translation_credits") else []
    credited = ["translation_credits"] if texts and "translation_credits" not in missing else []
    live = type(obj)._base_manager.filter(pk=obj.pk).values(*missing, *credited, *texts).first()
    for name, value in (live or {}).items():
        if name in missing:
            setattr(obj, name, value)
    if not live or not texts:
        return
    # Each text's credits are those of the text as the record will hold it: the
    # version's own for the texts it has, the live ones for those it keeps from now
    # (a version from before a field, or before credits, where the text is the same).
    kept_from_now = {column for column in texts if column in missing}
    if "translation_credits" in missing:
        kept_from_now |= {column for column in texts if same_text(live[column], getattr(obj, column))}
    credits = {} if "translation_credits" in missing else dict(obj.translation_credits or {})
    for column in kept_from_now:
        credits.pop(column, None)
        if column in live["translation_credits"]:
            credits[column] = live["translation_credits"][column]
    obj.translation_credits = credits


def name_of(obj):
    """
    {"part": its kind, "name": its name} of a record, for a list of changes,
    even where what its name is made of was deleted.
    """
    try:
        name = str(obj)
    except ObjectDoesNotExist:
        name = str(obj.pk or "")
    return {"part": obj._meta.verbose_name, "name": name}


# Comparing records ------------------------------------------------------------------


def field_label(model, name):
    """'key difference (de)' for a translated column, the verbose name otherwise."""
    field = model._meta.get_field(name)
    language = getattr(field, "language", None)
    label = str(getattr(field, "translated_field", field).verbose_name)
    return f"{label} ({language})" if language else label


def changed_fields(model, old, new):
    """
    [(label, old value, new value)] for the fields that differ between two
    field dicts, and for each translation whose review changed.
    """
    skipped = {
        *changes.BOOKKEEPING,
        "translation_credits",
        model._meta.pk.attname,
        *model.translated_fields(),
    }
    found = []
    for name in new:
        if name in skipped or comparable(old.get(name)) == comparable(new.get(name)):
            continue
        try:
            found.append((field_label(model, name), old.get(name), new.get(name)))
        except FieldDoesNotExist:  # a field a version has that the model no longer has
            continue
    return found + changed_reviews(model, old, new)


def changed_reviews(model, old, new):
    """(label, old review, new review) of each text whose review alone changed: read, or no longer read."""
    found = []
    before, after = old.get("translation_credits") or {}, new.get("translation_credits") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return found
    for column in sorted({*before, *after}):
        was, now = (review_of(credits.get(column)) for credits in (before, after))
        if was == now or comparable(old.get(column)) != comparable(new.get(column)):
            continue  # the same, or a text of its own that changed (its review goes with it)
        try:
            label = gettext("review of %(field)s") % {"field": field_label(model, column)}
        except FieldDoesNotExist:
            continue
        found.append((label, was, now))
    return found


def review_of(credit):
    """'reviewed by taras' for a reviewed translation's credit, None for one nobody else has read."""
    if not isinstance(credit, dict) or not credit.get("reviewer"):
        return None
    return gettext("reviewed by %(reviewer)s") % {"reviewer": credit["reviewer"]}


def comparable(value):
    """
    Many-to-many values are lists of keys in no particular order; empty text is
    empty, and a line break is one however written (versions from before texts
    were stored with LF).
    """
    if isinstance(value, list):
        return sorted(map(str, value))
    if isinstance(value, str):
        return with_one_line_ending(value) or None
    return value


def live_fields(obj):
    """
    A record's fields by column name, as a History version's field_dict names
    them; a snapshot's unsaved record brings its relations along.
    """
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    stored = getattr(obj, "stored_relations", None)
    for relation in obj._meta.many_to_many:
        if stored is not None:
            fields[relation.attname] = stored.get(relation.name, [])
        elif obj.pk is not None:
            fields[relation.attname] = list(getattr(obj, relation.name).values_list("pk", flat=True))
    return fields
