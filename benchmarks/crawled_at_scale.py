#!/usr/bin/env python3
"""
What a crawler reads, and the lists, on a page-cache miss at 100,000 comparisons.

Prepares a SQLite site in a temporary folder (the tests' helpers), adds
synthetic content (``generatecontent``: 1,000 categories and 100,000
comparisons by default, about two and a half minutes), loads Django with the
production settings but for the page cache's middleware, so that every
request runs the view, and times each address in-process with Django's test
Client: the median and the worst of N requests, in milliseconds, against the
goal of 50 ms.

    .venv/bin/python benchmarks/crawled_at_scale.py [--comparisons 100000] [--requests 20]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.servers import prepare_site, run_manage, site_environment, use_project_python  # noqa: E402

use_project_python()
import django  # noqa: E402

GOAL_MS = 50
ADDRESSES = [
    "/sitemap.xml",
    "/sitemap-comparisons-en.xml",
    "/sitemap-comparisons-uk.xml?p=200",
    "/sitemap-categories-de.xml",
    "/robots.txt",
    "/en/comparisons/",
    "/en/comparisons/?category=bpo",
    "/en/categories/",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comparisons", type=int, default=100_000)
    parser.add_argument("--categories", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kb-crawled-"))
    try:
        env = site_environment(folder)
        print(f"Preparing a seeded SQLite site in {folder} ...", flush=True)
        prepare_site(env)
        print(f"Adding {args.categories} categories and {args.comparisons} comparisons ...", flush=True)
        made = run_manage(
            "generatecontent",
            "--categories",
            str(args.categories),
            "--comparisons",
            str(args.comparisons),
            **env,
        )
        if made.returncode:
            sys.exit(made.stderr)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "outsourcing_kb.settings"
        django.setup()
        from django.conf import settings
        from django.test import Client

        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m != "comparisons.page_cache.PublicPageCacheMiddleware"
        ]
        client = Client(SERVER_NAME="127.0.0.1")
        print(f"\nOn a page-cache miss, {args.requests} requests each (ms):")
        print(f"  {'address':<40}{'median':>8}{'worst':>8}  goal {GOAL_MS} ms")
        for address in ADDRESSES:
            path, _sep, query = address.partition("?")
            first = client.get(path, query and dict([query.split("=")]))
            assert first.status_code == 200, (address, first.status_code)
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                client.get(path, query and dict([query.split("=")]))
                times.append((time.perf_counter() - started) * 1000)
            median, worst = statistics.median(times), max(times)
            verdict = "ok" if median <= GOAL_MS else "OVER"
            print(f"  {address:<40}{median:8.1f}{worst:8.1f}  {verdict}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
