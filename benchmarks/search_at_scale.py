#!/usr/bin/env python3
"""
Uncached search at the seeded size and at 100,000 comparisons, on SQLite and PostgreSQL.

For each database it prepares a site in a temporary folder (the tests' helpers:
SQLite file, or a throwaway PostgreSQL cluster), times every query below on
the seeded content, adds synthetic content (``generatecontent``: 1,000
categories and 100,000 comparisons by default) and times them again. Each
timing runs in a child process with the production settings but for the page
cache's middleware and the per-client search limit, so that every request runs
the search view, and uses Django's test Client in-process: the median and the
worst of N requests in milliseconds, the database queries of one request, and
how many results it shows. The last table sets the sizes and databases side by
side (p50, and 100k ÷ seeded), against the goal of 50 ms p50 at 100k.

    .venv/bin/python benchmarks/search_at_scale.py [--comparisons 100000] [--requests 15]
        [--databases sqlite,postgresql]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.servers import prepare_site, prepared_postgres, run_manage, site_environment, use_project_python  # noqa: E402

use_project_python()

GOAL_MS = 50
# (language, query, what it exercises): found in the seeds, spelt otherwise, mistyped,
# named by the termbase, found in every synthetic comparison, in one of them, and nowhere.
QUERIES = [
    ("en", "bpo", "an abbreviation"),
    ("en", "call center", "the American spelling"),
    ("en", "outsorcing", "a typo, searched as corrected"),
    ("uk", "кпо", "an abbreviation typed in Cyrillic"),
    ("de", "Callcenter", "a German compound"),
    ("uk", "колл-центр", "a variant the termbase forbids"),
    ("en", "vendor", "a synonym from the termbase"),
    ("en", "synthetic", "in every synthetic record"),
    ("en", "key difference 99999", "in one synthetic comparison"),
    ("en", "quarterly dividend", "nowhere, with no correction"),
]


def measure(requests):
    """In the child: {query: [median ms, worst ms, queries, results]} for this site."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "outsourcing_kb.settings"
    os.environ["DJANGO_SEARCHES_PER_MINUTE"] = "1000000"
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils.translation import override

    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "comparisons.page_cache.PublicPageCacheMiddleware"
    ]
    client = Client(SERVER_NAME="127.0.0.1")
    figures = {}
    for language, query, _what in QUERIES:
        with override(language):
            path = reverse("comparisons:search")
        queries = []

        def counted(execute, sql, *args, queries=queries):
            queries.append(sql)
            return execute(sql, *args)

        # Counted as they run: a request starts by emptying connection.queries.
        with connection.execute_wrapper(counted):
            first = client.get(path, {"q": query})
        assert first.status_code == 200, (query, first.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(path, {"q": query})
            times.append((time.perf_counter() - started) * 1000)
        lists = re.findall(rb'<ul class="results">(.*?)</ul>', first.content, re.DOTALL)
        results = sum(part.count(b"<li") for part in lists)
        figures[query] = [statistics.median(times), max(times), len(queries), results]
    return figures


def child_figures(env, requests):
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(requests)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(title, figures):
    print(f"\n{title}")
    print(f"  {'query':<36}{'median':>8}{'worst':>8}{'queries':>9}{'results':>9}")
    for language, query, what in QUERIES:
        median, worst, queries, results = figures[query]
        label = f"{language}: {query} ({what})"
        print(f"  {label[:36]:<36}{median:8.1f}{worst:8.1f}{queries:9}{results:9}")


def benchmark(database, args, folder):
    """{size: figures} for one database."""
    server = None
    extra = {}
    if database == "postgresql":
        server = prepared_postgres()
        extra = {"DATABASE_URL": server.url, "DATABASE_CONN_MAX_AGE": "60"}
    try:
        env = site_environment(folder, **extra)
        prepare_site(env)
        by_size = {"seeded": child_figures(env, args.requests)}
        print_table(f"{database}, seeded content (ms):", by_size["seeded"])
        print(f"\n{database}: adding 1,000 categories and {args.comparisons:,} comparisons ...", flush=True)
        started = time.perf_counter()
        made = run_manage(
            "generatecontent", "--categories", "1000", "--comparisons", str(args.comparisons), **env
        )
        if made.returncode:
            sys.exit(made.stderr)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
        by_size["large"] = child_figures(env, args.requests)
        print_table(f"{database}, {args.comparisons:,} comparisons (ms):", by_size["large"])
        return by_size
    finally:
        if server is not None:
            server.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comparisons", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    results = {}
    for database in args.databases.split(","):
        folder = Path(tempfile.mkdtemp(prefix=f"kb-search-{database}-"))
        try:
            results[database] = benchmark(database, args, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nSide by side, p50 in ms (goal: ≤ {GOAL_MS} ms at {args.comparisons:,} comparisons):")
    header = "".join(f"{db + ' seeded':>18}{db + ' large':>18}{'×':>7}" for db in results)
    print(f"  {'query':<24}{header}")
    worst = 0
    for _language, query, _what in QUERIES:
        cells = ""
        for by_size in results.values():
            seeded, large = by_size["seeded"][query][0], by_size["large"][query][0]
            worst = max(worst, large)
            cells += f"{seeded:18.1f}{large:18.1f}{large / seeded:7.1f}"
        print(f"  {query[:24]:<24}{cells}")
    verdict = "met" if worst <= GOAL_MS else "NOT met"
    print(f"\nSlowest p50 at {args.comparisons:,} comparisons: {worst:.1f} ms; the goal is {verdict}.")


if __name__ == "__main__":
    main()
