"""Write the whole knowledge base to fixture files that loadcontent reads back."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from comparisons.backup import FILES, FORMAT_VERSION, serialize


class Command(BaseCommand):
    help = "Export the knowledge base to versioned fixture files in a folder (a backup)."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Where to write the files (created if missing).")

    def handle(self, folder, **options):
        folder.mkdir(parents=True, exist_ok=True)
        # One snapshot: files written from a single transaction agree with each other.
        with transaction.atomic():
            for name, models in FILES.items():
                (folder / name).write_text(serialize(models), encoding="utf-8")
        manifest = {"format": FORMAT_VERSION, "files": list(FILES)}
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if options["verbosity"]:
            self.stdout.write(f"Exported {len(FILES)} files to {folder}.")
