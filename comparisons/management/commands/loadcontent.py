"""
Load the knowledge base from fixture files, validating every record first.

``loaddata`` saves records raw, without ``full_clean()``, so a record that
breaks a rule the database cannot express (a slug with spaces, an unknown
language code, a category that is its own ancestor) would load silently.
This command checks every record as the admin would and loads all files in
one transaction: either everything is written, or nothing is.
"""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

DEFAULT_FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "Validate and load knowledge-base fixtures (default: every JSON file in fixtures/), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Fixture files; default: fixtures/*.json")

    def handle(self, *args, **options):
        paths = options["paths"] or sorted(DEFAULT_FIXTURES.glob("*.json"))
        if not paths:
            raise CommandError(f"No fixture files found in {DEFAULT_FIXTURES}.")
        try:
            with transaction.atomic():
                counts = [self.load(path) for path in paths]
        except DatabaseError as error:
            raise CommandError(f"Nothing was loaded: the database refused a record: {error}") from error
        if options["verbosity"]:
            self.stdout.write(f"Loaded {sum(counts)} records from {len(paths)} files.")

    def load(self, path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Nothing was loaded: cannot read {path}: {error}") from error
        try:
            records = list(serializers.deserialize("json", text, handle_forward_references=True))
        except serializers.base.DeserializationError as error:
            raise CommandError(f"Nothing was loaded: {path} is not a valid fixture: {error}") from error
        for record in records:
            self.validate(path, record.object)
            record.save()
        for record in records:
            if record.deferred_fields:
                record.save_deferred_fields()
        return len(records)

    def validate(self, path, obj):
        model = type(obj)
        # A record already in the database is an update, not a duplicate.
        obj._state.adding = not model._default_manager.filter(pk=obj.pk).exists()
        try:
            obj.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(
                f"Nothing was loaded: {path}: {model._meta.label_lower} pk={obj.pk}: {problems}"
            ) from error
