"""
Add a synthetic knowledge base of a given size, for benchmarks only.

Bulk inserts (no save(), no signals) so that 100 000 comparisons with their
rows in three languages take a minute, not an hour: an import in the sense of
comparisons/changes.py, announced like any change but without a revision per
record. The records are marked as synthetic by their slugs and their source.
"""

import functools
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from comparisons import changes
from comparisons.models import Attribute, Category, Comparison, ComparisonRow, Source
from comparisons.phrases import CASES
from comparisons.translation_status import in_every_language, language_codes

ORIGINAL = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
SYNTHETIC = gettext_noop("Synthetic")


@functools.cache
def translations_of(message):
    """{language code: the message in that language}, from the interface catalogues."""
    texts = {}
    for code in language_codes():
        with translation.override(code):
            texts[code] = gettext(message)
    return texts


def record(model, fields, **extra):
    """A record written in English and translated, every translation made from the original as it is."""
    words = translations_of(SYNTHETIC)
    values = {
        f"{field}_{code}": f"{word} {text} ({code})"
        for field, text in fields.items()
        for code, word in words.items()
    }
    obj = model(**values, original_language=ORIGINAL, **extra)
    obj.record_translation_bases({})
    return obj


class Command(BaseCommand):
    help = "Bulk-insert a synthetic knowledge base (for benchmarks): categories, comparisons and their rows."

    def add_arguments(self, parser):
        parser.add_argument("--categories", type=int, default=1000)
        parser.add_argument("--comparisons", type=int, default=100_000)
        parser.add_argument(
            "--rows", type=int, default=5, help="Rows per comparison (at most the attributes)."
        )
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, categories, comparisons, rows, batch, **options):
        attributes = list(Attribute.objects.order_by("order", "pk")[:rows])
        if len(attributes) < rows:
            raise CommandError(
                f"Only {len(attributes)} attributes exist: load the content first or ask fewer rows."
            )
        if comparisons > categories * (categories - 1) // 2:
            raise CommandError("Too many comparisons for that many categories.")
        started = time.monotonic()
        with changes.change_set(reason="Synthetic content for benchmarks", importing=True):
            source = Source.objects.create(
                seed_file=f"synthetic-{int(time.time())}",
                language=ORIGINAL,
                **{
                    f"title_{code}": text
                    for code, text in translations_of(gettext_noop("Synthetic data")).items()
                },
                **{f"site_{code}": text for code, text in translations_of(gettext_noop("benchmark")).items()},
            )
            root = Category.objects.roots().order_by("order").first()
            made = Category.objects.bulk_create(
                [
                    record(
                        Category,
                        {
                            "abbreviation": f"S{n}",
                            **dict.fromkeys(CASES, f"S{n}"),
                            "name": f"category {n}",
                            "summary": f"summary {n}",
                            "description": f"description of category {n}",
                        },
                        **dict.fromkeys(in_every_language("slug"), f"synthetic-{n:05d}"),
                        parent=root,
                        order=10_000 + n,
                        is_published=True,
                    )
                    for n in range(categories)
                ],
                batch_size=batch,
            )
            self.insert_comparisons(
                [category.pk for category in made], comparisons, attributes, source, batch
            )
        if connection.vendor == "postgresql":
            # What autovacuum does in time after so many inserts, done now so that a benchmark
            # does not measure it running beside: the planner's statistics (without them a rare
            # search term is read along the key's index) and the visibility map. (SQLite gathers
            # no statistics by itself, and its plans for the pages are made without.)
            # VACUUM cannot run inside a transaction (a caller's, a test's): the statistics then.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        if options["verbosity"]:
            self.stdout.write(
                f"Added {categories} categories and {comparisons} comparisons with {rows} rows each "
                f"in {time.monotonic() - started:.1f} s."
            )

    def insert_comparisons(self, ids, total, attributes, source, batch):
        """Pairs spread over all categories: category i with i+1, i+2, … in turn."""
        count = len(ids)
        pairs = ((ids[k % count], ids[(k % count + 1 + k // count) % count]) for k in range(total))
        pending = []
        for number, (first, second) in enumerate(pairs):
            pending.append(
                record(
                    Comparison,
                    {
                        "key_difference": f"key difference {number}",
                        "introduction": f"introduction {number}",
                        "conclusion": f"conclusion {number}",
                    },
                    first_id=first,
                    second_id=second,
                    is_published=True,
                )
            )
            if len(pending) == batch:
                self.insert_batch(pending, attributes, source, batch)
                pending = []
        if pending:
            self.insert_batch(pending, attributes, source, batch)

    def insert_batch(self, comparisons, attributes, source, batch):
        made = Comparison.objects.bulk_create(comparisons, batch_size=batch)
        sources = Comparison.sources.through
        sources.objects.bulk_create([sources(comparison_id=c.pk, source_id=source.pk) for c in made])
        ComparisonRow.objects.bulk_create(
            [
                record(
                    ComparisonRow,
                    {
                        "first_value": f"value {index} of the first",
                        "second_value": f"value {index} of the second",
                    },
                    comparison_id=comparison.pk,
                    attribute=attribute,
                    order=index,
                    source=source,
                )
                for comparison in made
                for index, attribute in enumerate(attributes)
            ],
            batch_size=batch,
        )
