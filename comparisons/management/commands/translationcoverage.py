"""Report how much of the content is translated, up to date and reviewed, per language and model."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comparisons.changes import translated_models
from comparisons.translation_status import MISSING, OUTDATED, REVIEWED, UP_TO_DATE


class Command(BaseCommand):
    help = (
        "Report translation coverage (fields up to date / all translated fields) per language and model; "
        "with --reviewed, of the fields up to date and reviewed by someone other than their author "
        "(the original language's too). "
        "With --fail-under, exit non-zero when a language is below the given percentage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-under", type=float, metavar="PERCENT", help="Fail when coverage is below this."
        )
        parser.add_argument("--language", action="append", choices=[code for code, _ in settings.LANGUAGES])
        parser.add_argument(
            "--reviewed",
            action="store_true",
            help="Count as covered only the texts a second person has reviewed (originals too).",
        )

    def handle(self, *args, fail_under=None, language=None, reviewed=False, **options):
        languages = language or [code for code, _name in settings.LANGUAGES]
        covered = REVIEWED if reviewed else UP_TO_DATE
        totals = {code: {UP_TO_DATE: 0, MISSING: 0, OUTDATED: 0, REVIEWED: 0} for code in languages}
        self.stdout.write(
            f"{'model':<18}{'language':<10}{'up to date':>12}{'missing':>9}{'outdated':>10}"
            f"{'reviewed':>10}{'coverage':>10}"
        )
        for model in translated_models():
            counts = model._default_manager.translation_counts(languages)
            for code in languages:
                self.stdout.write(self.line(model._meta.model_name, code, counts[code], covered))
                for state, number in counts[code].items():
                    totals[code][state] += number
        failing = []
        for code in languages:
            self.stdout.write(self.line("all", code, totals[code], covered))
            if fail_under is not None and coverage(totals[code], covered) < fail_under:
                failing.append(f"{code} {coverage(totals[code], covered):.1f} %")
        if failing:
            what = "Reviewed translation coverage" if reviewed else "Translation coverage"
            raise CommandError(f"{what} below {fail_under:g} %: {', '.join(failing)}")

    def line(self, name, code, counts, covered):
        return (
            f"{name:<18}{code:<10}{counts[UP_TO_DATE]:>12}{counts[MISSING]:>9}{counts[OUTDATED]:>10}"
            f"{counts[REVIEWED]:>10}{coverage(counts, covered):>9.1f}%"
        )


def coverage(counts, covered=UP_TO_DATE):
    """The share of the fields that are ``covered`` (up to date, or reviewed), in per cent."""
    total = counts[UP_TO_DATE] + counts[MISSING] + counts[OUTDATED]
    return 100.0 if total == 0 else 100.0 * counts[covered] / total
