"""Write the whole knowledge base to fixture files that loadcontent reads back."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from comparisons.backup import FILES, FORMAT_VERSION, serialize


class Command(BaseCommand):
    help = "Export the knowledge base to versioned fixture files in a folder (a backup)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Where to write the files (created if missing).")

    def handle(self, folder, **options):
        files = self.read_snapshot()
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        manifest = {"format": FORMAT_VERSION, "files": list(FILES)}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if options["verbosity"]:
            self.stdout.write(f"Exported {len(FILES)} files to {folder}.")

    def read_snapshot(self):
        """
        Every file from one snapshot of the database, all read before any is
        written: a record saved during the export is in every file or in
        none, so a comparison never points at a category the backup lacks.

        On SQLite one transaction is one snapshot. PostgreSQL's default
        (READ COMMITTED) gives each statement a snapshot of its own, even in
        a transaction; REPEATABLE READ gives the whole transaction the one
        taken at its first query. It must be the transaction's first
        statement, so inside a caller's transaction (the tests') the caller's
        isolation applies.
        """
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return {name: serialize(models) for name, models in FILES.items()}
