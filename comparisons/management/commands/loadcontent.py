"""
Load the knowledge base from fixture files (a seed or a backup), all or nothing.

``loaddata`` saves records raw, without ``full_clean()``, so a record that
breaks a rule the database cannot express (a slug with spaces, an unknown
language code, a category that is its own ancestor) would load silently.
This command saves every record, then validates every record as the admin
would, inside one transaction: either everything is written, or nothing is,
and the message names the bad record: its file, model and pk, and the field
or rule it breaks, whichever step refuses it (see the helpers at the end).
"""

import json
import re
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from comparisons import changes
from comparisons.backup import CONTENT_MODELS, FORMAT_VERSION, MAX_FILE_MEGABYTES, upgraded
from comparisons.models import MAX_TEXT_CHARACTERS, read_stored_texts

DEFAULT_FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Validate and load knowledge-base fixtures (default: every JSON file in fixtures/), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Fixture files or an export folder; default: fixtures/"
        )
        parser.add_argument(
            "--max-file-megabytes",
            type=int,
            default=MAX_FILE_MEGABYTES,
            help=f"Refuse a file larger than this (default {MAX_FILE_MEGABYTES}).",
        )

    def handle(self, *args, **options):
        self.max_file_bytes = options["max_file_megabytes"] * 1024 * 1024
        paths = self.fixture_files(options["paths"] or [DEFAULT_FIXTURES])
        try:
            # One import: written as the files say, one revision per record, announced once committed.
            reason = "Loaded from " + ", ".join(path.name for path in paths)
            with changes.change_set(reason=reason, importing=True):
                loaded = [(path, record) for path in paths for record in self.read(path)]
                self.check_references(loaded)
                # What the records hold now, before they are written over: their validation
                # asks the termbase only about the texts the import changes.
                read_stored_texts([record.object for _path, record in loaded])
                for path, record in loaded:
                    self.save(path, record)
                for _path, record in loaded:
                    if record.deferred_fields:
                        record.save_deferred_fields()
                for path, record in loaded:
                    self.validate(path, record.object)
                self.reset_sequences({type(record.object) for _path, record in loaded})
        except DatabaseError as error:
            raise CommandError(f"Nothing was loaded: the database refused a record: {error}") from error
        if options["verbosity"]:
            self.stdout.write(f"Loaded {len(loaded)} records from {len(paths)} files.")

    def reset_sequences(self, models):
        """Records came with their keys: the next new record's key must follow them (PostgreSQL)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(models))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def fixture_files(self, paths):
        files = []
        # The format each file was written in (an export's manifest says; a lone file is taken as current).
        self.formats = {}
        for path in paths:
            if path.is_dir():
                manifest = path / "manifest.json"
                version = self.check_manifest(manifest) if manifest.exists() else FORMAT_VERSION
                found = sorted(p for p in path.glob("*.json") if p.name != "manifest.json")
                self.formats.update(dict.fromkeys(found, version))
                files += found
            else:
                files.append(path)
        if not files:
            raise CommandError(f"Nothing was loaded: no fixture files in {', '.join(map(str, paths))}.")
        return files

    def check_manifest(self, manifest):
        try:
            version = json.loads(manifest.read_text(encoding="utf-8"))["format"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Nothing was loaded: unreadable manifest {manifest}: {error}") from error
        if version > FORMAT_VERSION:
            raise CommandError(
                f"Nothing was loaded: {manifest} is format {version};"
                f" this version reads up to {FORMAT_VERSION}."
            )
        return version

    def read(self, path):
        try:
            size = path.stat().st_size
            if size > self.max_file_bytes:
                raise CommandError(
                    f"Nothing was loaded: {path} is {size / 1024 / 1024:.1f} MB, more than the"
                    f" {self.max_file_bytes // 1024 // 1024} MB a file may hold"
                    " (--max-file-megabytes raises the limit)."
                )
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Nothing was loaded: cannot read {path}: {error}") from error
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"Nothing was loaded: {path} is not valid JSON: {error}; {where_json_breaks(text, error.pos)}"
            ) from error
        if not isinstance(records, list):
            raise CommandError(
                f"Nothing was loaded: {path} is not a fixture: it holds a JSON {json_type(records)},"
                " not a list of records."
            )
        for index, record in enumerate(records):
            if problem := not_content(record) or too_long(record):
                raise CommandError(f"Nothing was loaded: {path}: {record_name(record, index)}: {problem}")
        version = self.formats.get(path, FORMAT_VERSION)
        return [
            self.deserialize(path, index, each)
            for index, record in enumerate(records)
            for each in upgraded(record, version)
        ]

    def deserialize(self, path, index, record):
        """One record at a time, so that a refusal names the record it is about."""
        try:
            return next(serializers.deserialize("python", [record], handle_forward_references=True))
        except Exception as error:  # the deserializer lets through whatever a field raises
            raise CommandError(
                f"Nothing was loaded: {path}: {record_name(record, index)}:"
                f" {deserialization_problem(record, error)}"
            ) from error

    def check_references(self, loaded):
        """
        Every key a record points at is in the files or already in the
        database. The database would only say so at commit (its foreign keys
        are deferred), naming neither the record nor the field.
        """
        present = defaultdict(set)
        for _path, record in loaded:
            present[type(record.object)].add(record.object.pk)
        wanted = defaultdict(set)
        for _path, _record, field, key in references(loaded):
            if key not in present[field.related_model]:
                wanted[field.related_model].add(key)
        for model, keys in wanted.items():
            present[model] |= set(model._base_manager.filter(pk__in=keys).values_list("pk", flat=True))
        for path, record, field, key in references(loaded):
            if key not in present[field.related_model]:
                raise CommandError(
                    f"Nothing was loaded: {path}: {object_name(record.object)}: {field.name}:"
                    f" there is no {field.related_model._meta.label_lower} pk={key}"
                    " in these files or in the database."
                )

    def save(self, path, record):
        try:
            # A savepoint: after a refusal the transaction can still be asked which rule it broke.
            with transaction.atomic():
                record.save()
        except DatabaseError as error:
            raise CommandError(
                f"Nothing was loaded: {path}: {object_name(record.object)}:"
                f" the database refused it: {database_refusal(record.object, error)}"
            ) from error
        except ValidationError as error:  # unsound credits, refused by the write path even raw
            raise CommandError(
                f"Nothing was loaded: {path}: {object_name(record.object)}: {error.messages[0]}"
            ) from error

    def validate(self, path, obj):
        obj._state.adding = False  # saved above: checks compare with the other records, not itself
        try:
            obj.full_clean()
        except ValidationError as error:
            raise CommandError(
                f"Nothing was loaded: {path}: {object_name(obj)}: {describe(error.message_dict)}"
            ) from error


# What a refusal is about, in words an operator can act on: the record (file,
# model, pk) and the field or rule. Messages come from the models themselves
# where they have one (a field's validators, a constraint's
# violation_error_message), so the admin and an import say the same.


def object_name(obj):
    return f"{obj._meta.label_lower} pk={obj.pk}"


def record_name(record, index):
    """A record as the file names it, even when the file names it badly."""
    if not isinstance(record, dict):
        return f"record {index + 1} (a JSON {json_type(record)}, not an object)"
    model = record.get("model", f"record {index + 1} (no model)")
    return f"{model} pk={record['pk']}" if "pk" in record else f"{model} (record {index + 1}, no pk)"


def not_content(record):
    """Why a record is not one an import may write, or None: accounts and rights never come from a file."""
    if not isinstance(record, dict) or not isinstance(record.get("model"), str):
        return None  # the deserializer's message says what is wrong with it
    label = record["model"].lower()
    if label in CONTENT_MODELS:
        return None
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return f"unknown model {record['model']!r}."
    return (
        f"{label} is not content. A backup holds only {', '.join(CONTENT_MODELS)};"
        " users, groups, permissions, history and drafts are never loaded from a file."
    )


def too_long(record):
    """The first text of a record longer than any text may be, or None."""
    fields = record.get("fields") if isinstance(record, dict) else None
    if not isinstance(fields, dict):
        return None
    for name, value in fields.items():
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARACTERS:
            return f"{name}: {len(value):,} characters; a text may have at most {MAX_TEXT_CHARACTERS:,}."
    return None


def json_type(value):
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(type(value), "number or null")


def where_json_breaks(text, position):
    """The last whole record before a JSON error: line numbers alone are hard to find in a long file."""
    decoder = json.JSONDecoder()
    separators = re.compile(r"[\s,]*")
    index, last = text.find("[") + 1, None
    while 0 < index < position:
        try:
            record, end = decoder.raw_decode(text, separators.match(text, index).end())
        except ValueError:
            break
        if end > position:
            break
        index, last = end, record
    if isinstance(last, dict) and "model" in last:
        return f"the last whole record before it is {record_name(last, 0)}"
    return "there is no whole record before it"


def deserialization_problem(record, error):
    """Which part of a record the deserializer could not read: the model, the pk or which field."""
    if not isinstance(record, dict):
        return "a record must be a JSON object with model, pk and fields."
    if not isinstance(record.get("model"), str):
        return "the record names no model."
    try:
        model = apps.get_model(record["model"])
    except (LookupError, ValueError):
        return f"unknown model {record['model']!r}."
    fields = record.get("fields")
    if not isinstance(fields, dict):
        return "fields: must be a JSON object of field names and values."
    try:
        model._meta.pk.to_python(record.get("pk"))
    except ValidationError as error:
        return f"pk: {' '.join(error.messages)}"
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return f"unknown field {name!r}: {model._meta.label_lower} has no such field."
        if field.many_to_many and not isinstance(value, list):
            return f"{name}: must be a list of keys, not a JSON {json_type(value)}."
        target = field.target_field if field.is_relation else field
        try:
            for item in value if field.many_to_many else [value]:
                target.to_python(item)
        except ValidationError as error:
            return f"{name}: {' '.join(error.messages)}"
        except (TypeError, ValueError) as error:
            return f"{name}: {error}"
    return str(error) or repr(error)


def references(loaded):
    """Every (path, record, field, key) a record points at through a foreign key or many-to-many field."""
    for path, record in loaded:
        obj = record.object
        for field in obj._meta.concrete_fields:
            if field.is_relation and getattr(obj, field.attname) is not None:
                yield path, record, field, getattr(obj, field.attname)
        for field in obj._meta.many_to_many:
            for key in record.m2m_data.get(field.name, []):
                yield path, record, field, key


def database_refusal(obj, error):
    """
    The rule a row broke, asked of the model: the database names only a
    constraint or some columns, and SQLite and PostgreSQL in different words.
    Falls back to the database's own message when no rule of the model says no.
    """
    obj._state.adding = False  # the record's own row (on a reload) is not a clash with itself
    problems = {}
    # Keys are checked before saving; a base column of a translated field only mirrors its _en/_uk/_de.
    translated = getattr(obj, "translated_fields", tuple)()
    exclude = [field.name for field in obj._meta.fields if field.is_relation] + list(translated)
    for check in (lambda: obj.clean_fields(exclude=exclude), obj.validate_unique):
        try:
            check()
        except ValidationError as invalid:
            for field, messages in invalid.message_dict.items():
                problems.setdefault(field, []).extend(messages)
    for model, constraints in obj.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model, obj)
            except ValidationError as invalid:
                # Django's default message names the constraint; a message of the model's own does not.
                for message in invalid.messages:
                    key = NON_FIELD_ERRORS if constraint.name in message else f"constraint {constraint.name}"
                    problems.setdefault(key, []).append(message)
    return describe(problems) if problems else str(error).splitlines()[0]


def describe(problems):
    """A ValidationError's message_dict as one line: "field: message; constraint name: message"."""
    parts = [
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in problems.items()
    ]
    return "; ".join(part.rstrip(".") for part in parts) + "."
