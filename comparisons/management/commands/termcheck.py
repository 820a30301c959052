"""
List every text that uses a variant the termbase forbids, with the address of
the field in the admin, and exit 1 if there is one (the test suite runs it on
the seeds). The same check refuses such a text on every write
(models.EditTracked.clean_fields): what it lists was written around it (by SQL
of its own, say) or before the termbase forbade it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from comparisons.changes import translated_models
from comparisons.terms import Termbase


class Command(BaseCommand):
    help = "List the texts that use a variant the termbase forbids; exit 1 if any does."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            action="append",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Check this language only (may be repeated); default: every language.",
        )

    def handle(self, *args, language=None, **options):
        languages = language or [code for code, _name in settings.LANGUAGES]
        termbase = Termbase.current()
        count = 0
        for model in translated_models():
            columns = [f"{field}_{code}" for field in model.text_fields() for code in languages]
            for obj in model._default_manager.order_by("pk").iterator(chunk_size=500):
                for column in columns:
                    for violation in termbase.violations(column, getattr(obj, column)):
                        count += 1
                        self.stdout.write(self.line(obj, violation))
        if count:
            raise CommandError(f"Forbidden variants in the texts: {count}.", returncode=1)
        if options["verbosity"]:
            self.stdout.write(f"No forbidden variant in {', '.join(languages)}.")

    def line(self, obj, violation):
        address = reverse(f"admin:comparisons_{obj._meta.model_name}_change", args=[obj.pk])
        return (
            f"{obj._meta.model_name} {obj.pk} {violation.column}: “{violation.found}”"
            f" (write “{violation.preferred}”) {address}?translate={violation.column}"
        )
