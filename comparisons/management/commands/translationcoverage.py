"""Report how much of the content is translated and up to date, per language and model."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comparisons.changes import translated_models
from comparisons.translation_status import MISSING, OUTDATED, UP_TO_DATE


class Command(BaseCommand):
    help = (
        "Report translation coverage (fields up to date / all translated fields) per language and model. "
        "With --fail-under, exit non-zero when a language is below the given percentage."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-under", type=float, metavar="PERCENT", help="Fail when coverage is below this."
        )
        parser.add_argument("--language", action="append", choices=[code for code, _ in settings.LANGUAGES])

    def handle(self, *args, fail_under=None, language=None, **options):
        languages = language or [code for code, _name in settings.LANGUAGES]
        totals = {code: {UP_TO_DATE: 0, MISSING: 0, OUTDATED: 0} for code in languages}
        self.stdout.write(
            f"{'model':<18}{'language':<10}{'up to date':>12}{'missing':>9}{'outdated':>10}{'coverage':>10}"
        )
        for model in translated_models():
            counts = model._default_manager.translation_counts(languages)
            for code in languages:
                self.stdout.write(self.line(model._meta.model_name, code, counts[code]))
                for state, number in counts[code].items():
                    totals[code][state] += number
        failing = []
        for code in languages:
            self.stdout.write(self.line("all", code, totals[code]))
            if fail_under is not None and coverage(totals[code]) < fail_under:
                failing.append(f"{code} {coverage(totals[code]):.1f} %")
        if failing:
            raise CommandError(f"Translation coverage below {fail_under:g} %: {', '.join(failing)}")

    def line(self, name, code, counts):
        return (
            f"{name:<18}{code:<10}{counts[UP_TO_DATE]:>12}{counts[MISSING]:>9}{counts[OUTDATED]:>10}"
            f"{coverage(counts):>9.1f}%"
        )


def coverage(counts):
    total = sum(counts.values())
    return 100.0 if total == 0 else 100.0 * counts[UP_TO_DATE] / total
