#!/usr/bin/env python3
"""
Profile of the uncached comparison page, rendered in-process.

Prepares a fresh seeded site on SQLite in a temporary folder (the same helpers
as the tests and benchmarks/run.py), loads Django with the same production
settings as gunicorn gets but for the page cache's middleware, and renders
the page N times with Django's test Client under cProfile. Prints the top
functions by cumulative and by own time, and the share of the time spent in a
few parts of the stack. The raw profile is kept
in benchmarks/results/profile.prof (for pstats or snakeviz).

    .venv/bin/python benchmarks/profile_page.py [--requests 200] [--path /en/bpo-vs-kpo/]
"""

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

sys.path.insert(0, str(ROOT))
from tests.servers import prepare_site, site_environment, use_project_python  # noqa: E402

use_project_python()
import django  # noqa: E402

SITE_PACKAGES = sysconfig.get_paths()["purelib"]
STDLIB = sysconfig.get_paths()["stdlib"]


def short(function):
    """file:line(name), the file relative to the project, site-packages or the standard library."""
    filename, line, name = function
    for prefix, mark in ((str(ROOT) + "/", ""), (SITE_PACKAGES + "/", ""), (STDLIB + "/", "stdlib/")):
        if filename.startswith(prefix):
            filename = mark + filename[len(prefix) :]
            break
    if filename == "~":  # a built-in
        return name
    return f"{filename}:{line}({name})"


def in_files(*fragments):
    return lambda function: any(fragment in function[0] for fragment in fragments)


def entered_time(stats, member):
    """
    Inclusive time of a part of the code: the cumulative time of its
    functions when called from outside it, so that nested calls inside the
    part are not counted twice. (Calls out of the part and back into it,
    through other code, are.)
    """
    total = 0.0
    for function, (_cc, _nc, _tt, _ct, callers) in stats.stats.items():
        if not member(function):
            continue
        for caller, (_ccc, _cnc, _ctt, caller_ct) in callers.items():
            if not member(caller):
                total += caller_ct
    return total


def cumulative(stats, member):
    """The cumulative time of the functions that match (for ones that do not nest in each other)."""
    return sum(ct for function, (_cc, _nc, _tt, ct, _callers) in stats.stats.items() if member(function))


def top(stats, key, count):
    index = {"cumulative": 3, "tottime": 2}[key]
    rows = sorted(stats.stats.items(), key=lambda item: item[1][index], reverse=True)[:count]
    lines = [f"  {'calls':>9} {'own s':>8} {'cum s':>8}  function"]
    for function, (cc, nc, tt, ct, _callers) in rows:
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        lines.append(f"  {calls:>9} {tt:8.3f} {ct:8.3f}  {short(function)}")
    return lines


def main():
    parser = argparse.ArgumentParser(description="Profile the uncached comparison page in-process.")
    parser.add_argument("--requests", type=int, default=200, help="renders under the profiler (default 200)")
    parser.add_argument("--path", default="/en/bpo-vs-kpo/", help="the page (default /en/bpo-vs-kpo/)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--case",
        choices=("nothing", "own", "other"),
        default="nothing",
        help="what the profiled renders find cached: nothing (default), all but the article"
        " (its own comparison changed), or the article and related list (another record changed)",
    )
    args = parser.parse_args()
    url = args.path

    folder = Path(tempfile.mkdtemp(prefix="kb-profile-"))
    try:
        env = site_environment(folder)
        print(f"Preparing a seeded SQLite site in {folder} ...", flush=True)
        prepare_site(env)
        # The same settings as the server's: production, on that site's database and cache.
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "outsourcing_kb.settings"
        django.setup()
        from django.conf import settings
        from django.test import Client

        assert not settings.DEBUG
        # Every request rendered: no page cache in front of the view.
        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m != "comparisons.page_cache.PublicPageCacheMiddleware"
        ]
        # A host the production settings allow (the test Client's default, testserver, is not).
        client = Client(SERVER_NAME="127.0.0.1")
        response = client.get(url)
        if response.status_code != 200 or response.has_header("xkey"):
            sys.exit(
                f"{url} answered {response.status_code} (ETag: {response.get('ETag')});"
                " expected an uncached 200."
            )
        for _ in range(5):
            client.get(url)

        import comparisons.views

        cached_fragment = comparisons.views.fragment

        def timed(rendered_afresh):
            """ms a render, with the parts whose names start with ``rendered_afresh`` never cached."""

            def fragment(name, render):
                return render() if name.startswith(rendered_afresh) else cached_fragment(name, render)

            comparisons.views.fragment = fragment
            for _ in range(5):
                client.get(url)
            started = time.perf_counter()
            for _ in range(args.requests):
                client.get(url)
            return (time.perf_counter() - started) / args.requests

        # After a change of another record the page shows (a neighbour's title, say),
        # after a change of its own comparison, and with nothing cached at all.
        with_parts = timed(rendered_afresh=("nothing",))
        own_change = timed(rendered_afresh=("article:",))
        plain = timed(rendered_afresh=("",))

        timed(rendered_afresh={"nothing": ("",), "own": ("article:",), "other": ("nothing",)}[args.case])
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            client.get(url)
        profiler.disable()
        profiled = (time.perf_counter() - started) / args.requests
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    RESULTS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(RESULTS / "profile.prof")
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    n = args.requests

    print(f"\n{url}, rendered {n} times without the profiler:")
    print(f"  nothing cached (every part rendered)                     {plain * 1000:6.1f} ms")
    print(f"  its own comparison changed (its article rendered)        {own_change * 1000:6.1f} ms")
    print(f"  another record changed (article and related from cache)  {with_parts * 1000:6.1f} ms")
    print(f"Profiled, {args.case} cached: {profiled * 1000:.1f} ms a render")
    print(f"\nTop {args.top} by cumulative time (seconds over all {n} renders)")
    print("\n".join(top(stats, "cumulative", args.top)))
    print(f"\nTop {args.top} by own time")
    print("\n".join(top(stats, "tottime", args.top)))

    sqlite_driver = {"execute", "executemany", "fetchone", "fetchmany", "fetchall"}

    handler_total = cumulative(
        stats, lambda f: f[0].endswith("django/core/handlers/base.py") and f[2] == "get_response"
    )
    handler_inner = cumulative(
        stats, lambda f: f[0].endswith("django/core/handlers/base.py") and f[2] == "_get_response"
    )
    parts = [
        (
            "template rendering (django.template, incl. what templates call)",
            entered_time(stats, in_files("/django/template/")),
        ),
        (
            "database: ORM (django.db, incl. queries, model instances)",
            entered_time(stats, in_files("/django/db/")),
        ),
        (
            "database: SQL in the sqlite3 driver (execute, fetch)",
            cumulative(
                stats,
                lambda f: f[0] == "~" and "sqlite3.Cursor" in f[2] and f[2].split("'")[1] in sqlite_driver,
            ),
        ),
        (
            "modeltranslation: translated attribute access (descriptors)",
            entered_time(stats, lambda f: "/modeltranslation/" in f[0] and f[2] in ("__get__", "__set__")),
        ),
        (
            "modeltranslation: all of it (descriptors, managers, query rewriting)",
            entered_time(stats, in_files("/modeltranslation/")),
        ),
        (
            "our templatetags (comparisons/templatetags/kb.py)",
            entered_time(stats, in_files("comparisons/templatetags/kb.py")),
        ),
        ("middleware (handler chain less the view and URL resolving)", handler_total - handler_inner),
        (
            "gettext / translation lookups (django.utils.translation)",
            entered_time(stats, in_files("/django/utils/translation/", "stdlib/gettext.py", "/gettext.py")),
        ),
        ("URL reversing and translate_url (django.urls)", entered_time(stats, in_files("/django/urls/"))),
    ]
    print(
        f"\nShare of the profiled time ({total:.2f} s, {total / n * 1000:.1f} ms a render),"
        " inclusive; parts overlap"
    )
    for name, seconds in parts:
        print(f"  {name:<70} {seconds / total:6.1%}  {seconds / n * 1000:7.2f} ms/render")
    print(f"\nRaw profile: {(RESULTS / 'profile.prof').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
