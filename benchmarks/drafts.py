#!/usr/bin/env python3
"""
What drafts cost, measured side by side in one run, in-process on a fresh
seeded SQLite site (production settings, as benchmarks/profile_page.py):

- the public page rendered without any cache, and its preview with a draft
  applied (the draft written into the tables and rolled back, every part
  rendered afresh);
- the admin change form of the comparison without a draft, and with one
  (applied and rolled back on every GET);
- saving the form as a draft, and saving it live.

    .venv/bin/python benchmarks/drafts.py [--requests 100]
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.servers import prepare_site, site_environment, use_project_python  # noqa: E402

use_project_python()
import django  # noqa: E402

PAGE = "/en/bpo-vs-kpo/"


def timed(function, requests):
    """Median and 90th percentile in ms of ``requests`` calls."""
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def form_fields(html):
    """The POST a browser sends back for an unchanged admin form (inputs, textareas, selected options)."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = value
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        if selected:
            data[name] = selected if "multiple" in name or len(selected) > 1 else selected[0]
    return data


def main():
    parser = argparse.ArgumentParser(description="What drafts cost, side by side.")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kb-drafts-"))
    try:
        env = site_environment(folder)
        print(f"Preparing a seeded SQLite site in {folder} ...", flush=True)
        prepare_site(env)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "outsourcing_kb.settings"
        django.setup()
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.core.cache import caches
        from django.test import Client

        from comparisons.models import Comparison, Draft

        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m != "comparisons.page_cache.PublicPageCacheMiddleware"
        ]
        comparison = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
        change = f"/admin/comparisons/comparison/{comparison.pk}/change/"
        preview = f"/admin/comparisons/comparison/{comparison.pk}/preview/en/"
        editor = User.objects.create_superuser("bench", "bench@example.com", "a-long-bench-password")
        reader, staff = Client(SERVER_NAME="127.0.0.1"), Client(SERVER_NAME="127.0.0.1")
        staff.force_login(editor)

        def uncached_page():
            for cache in caches.all():
                cache.clear()
            assert reader.get(PAGE).status_code == 200

        def form():
            assert staff.get(change).status_code == 200

        def save(button):
            data = form_fields(staff.get(change).content.decode())
            data[button] = "1"
            response = staff.post(change, data)
            assert response.status_code == 302, response.status_code

        rows = {}
        for _ in range(5):
            uncached_page()
            form()
        rows["public page, nothing cached"] = timed(uncached_page, args.requests)
        rows["change form, no draft"] = timed(form, args.requests)
        rows["save live (GET form + POST)"] = timed(lambda: save("_save"), max(args.requests // 4, 5))
        rows["save as draft (GET form + POST)"] = timed(lambda: save("_draft"), 1)
        assert Draft.objects.count() == 1
        rows["save the draft again (GET + POST)"] = timed(
            lambda: save("_continue"), max(args.requests // 4, 5)
        )
        rows["change form, with the draft"] = timed(form, args.requests)
        rows["preview, the draft applied"] = timed(lambda: staff.get(preview), args.requests)

        width = max(map(len, rows))
        base_page = rows["public page, nothing cached"][0]
        base_form = rows["change form, no draft"][0]
        print(f"\n{'':{width}}  median ms   p90 ms   ratio")
        for name, (median, p90) in rows.items():
            base = base_page if name.startswith(("public", "preview")) else base_form
            print(f"{name:{width}}  {median:9.1f}  {p90:7.1f}   {median / base:5.2f}x")
        print(
            "\nRatios: the preview against the public page, the rest against the change form without a draft."
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
