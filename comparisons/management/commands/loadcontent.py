"""
Load the knowledge base from fixture files (a seed or a backup), all or nothing.

``loaddata`` saves records raw, without ``full_clean()``, so a record that
breaks a rule the database cannot express (a slug with spaces, an unknown
language code, a category that is its own ancestor) would load silently.
This command saves every record, then validates every record as the admin
would, inside one transaction: either everything is written, or nothing is,
and the message names the bad record.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection

from comparisons import changes
from comparisons.backup import FORMAT_VERSION

DEFAULT_FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = (
        "Validate and load knowledge-base fixtures (default: every JSON file in fixtures/), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Fixture files or an export folder; default: fixtures/"
        )

    def handle(self, *args, **options):
        paths = self.fixture_files(options["paths"] or [DEFAULT_FIXTURES])
        try:
            # One import: written as the files say, one revision per record, announced once committed.
            reason = "Loaded from " + ", ".join(path.name for path in paths)
            with changes.change_set(reason=reason, importing=True):
                loaded = [(path, record) for path in paths for record in self.read(path)]
                for _path, record in loaded:
                    record.save()
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
        for path in paths:
            if path.is_dir():
                manifest = path / "manifest.json"
                if manifest.exists():
                    self.check_manifest(manifest)
                files += sorted(p for p in path.glob("*.json") if p.name != "manifest.json")
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

    def read(self, path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Nothing was loaded: cannot read {path}: {error}") from error
        try:
            return list(serializers.deserialize("json", text, handle_forward_references=True))
        except serializers.base.DeserializationError as error:
            raise CommandError(f"Nothing was loaded: {path} is not a valid fixture: {error}") from error

    def validate(self, path, obj):
        obj._state.adding = False  # saved above: checks compare with the other records, not itself
        try:
            obj.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(
                f"Nothing was loaded: {path}: {obj._meta.label_lower} pk={obj.pk}: {problems}"
            ) from error
