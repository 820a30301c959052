#!/usr/bin/env python3
"""
Load benchmark of the public pages under gunicorn, driven by wrk on loopback.

Two parts (--parts). "pages": for each database (SQLite; PostgreSQL with
persistent connections) and each size (the seeded content; 100 000 synthetic
comparisons on top of it) a fresh site is prepared in a temporary folder,
served by gunicorn with production settings (and by a second gunicorn without
the page cache, and by Varnish in front of the first), warmed up, and every
page is loaded with wrk. "edits": on the 100 000-comparison site, Varnish in
front of gunicorn under a Zipf-distributed read mix of every public page, with
and without an edit a second through the real write path (edit_load.py). The
figures are printed side by side, with the goals marked PASS or FAIL, and
written to benchmarks/results/latest.json and latest.md.

Nothing here asserts a time: it reports. The exit code is 1 only when
something broke (a site or a server could not be set up, wrk is missing).

    .venv/bin/python benchmarks/run.py            # everything, about 20 minutes
    .venv/bin/python benchmarks/run.py --quick    # SQLite, seeded size, short runs: 1.5 minutes
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

sys.path.insert(0, str(ROOT))
from tests.postgres import ThrowawayPostgres, server_binaries  # noqa: E402
from tests.servers import (  # noqa: E402
    Gunicorn,
    TaskWorker,
    Varnish,
    free_port,
    manage,
    prepare_site,
    site_environment,
    use_project_python,
    varnishd,
)

use_project_python()

from benchmarks import edit_load  # noqa: E402

GUNICORN_CONF = ROOT / "outsourcing_kb" / "gunicorn.conf.py"
PAIR = "bpo-vs-kpo"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# Sizes: a name, and the generatecontent options that make it (none: the seeded content only).
SIZES = {
    "seeded": None,
    "100k": ["--categories", "1000", "--comparisons", "100000"],
}
PARTS = ("pages", "edits")
GOAL_CACHED = 0.8
GOAL_UNCACHED = 0.3
GOAL_VARNISH = 10
GOAL_HIT_RATIO = 0.99
GOAL_EDIT_THROUGHPUT = 0.8
# The pages rendered in full are served by a gunicorn without the page cache.
UNCACHED_SETTINGS = "benchmarks.uncached_settings"
GOAL_SCALE = 1.2


class Broken(Exception):
    """Something the benchmark needs did not work; the message says what."""


def log(message):
    print(message, flush=True)


def command_failure(error):
    """A readable message from a failed subprocess (captured output included, shortened)."""
    output = error.stderr or error.stdout or ""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    command = " ".join(str(part) for part in error.cmd)
    tail = "\n".join(output.strip().splitlines()[-15:])
    return f"`{command}` exited with {error.returncode}" + (f":\n{tail}" if tail else "")


# ----------------------------------------------------------------------------- wrk


def ensure_wrk():
    path = shutil.which("wrk")
    if path:
        return path
    if not shutil.which("apt-get"):
        raise Broken(
            "wrk is not on PATH and apt-get is not available: install wrk (https://github.com/wg/wrk)."
        )
    prefix = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise Broken(
                "wrk is not on PATH, and installing it needs root: run `sudo apt-get install -y wrk`."
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*prefix, "apt-get", "install", "-y", "-q", "wrk"]
    log(f"wrk is not on PATH: installing it with `{' '.join(install)}` ...")
    result = subprocess.run(install, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        update = [*prefix, "apt-get", "update", "-q"]
        log(f"  that failed; running `{' '.join(update)}` and trying again ...")
        subprocess.run(update, env=env, capture_output=True, text=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
    path = shutil.which("wrk")
    if result.returncode != 0 or not path:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-10:])
        raise Broken(f"wrk is not on PATH and could not be installed with apt-get:\n{tail}")
    log(f"  installed {path}")
    return path


def wrk_version(wrk):
    # wrk -v prints its version (and usage) and exits with 1.
    output = subprocess.run([wrk, "-v"], capture_output=True, text=True)
    match = re.search(r"wrk (\S+)", output.stdout + output.stderr)
    return match.group(1) if match else "unknown"


TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_time_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    return float(match.group(1)) * TIME_UNITS[match.group(2)] if match else None


def parse_wrk(output):
    """requests/s, p50 and p99 in ms, the count of requests and the errors from wrk's text output."""
    result = {"requests_per_second": None, "p50_ms": None, "p99_ms": None, "requests": None}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["requests_per_second"] = float(match.group(1))
    for percent, key in (("50", "p50_ms"), ("99", "p99_ms")):
        if match := re.search(rf"^\s*{percent}(?:\.0+)?%\s+(\S+)", output, re.MULTILINE):
            result[key] = parse_time_ms(match.group(1))
    if match := re.search(r"(\d+) requests in", output):
        result["requests"] = int(match.group(1))
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0, "non_2xx_3xx": 0}
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors.update(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors["non_2xx_3xx"] = int(match.group(1))
    result["errors"] = errors
    result["error_count"] = sum(errors.values())
    return result


def run_wrk(wrk, url, seconds, args):
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        f"--timeout={args.timeout}s",
        "--latency",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + args.timeout + 60)
    if result.returncode != 0:
        raise Broken(f"`{' '.join(command)}` exited with {result.returncode}: {result.stderr.strip()}")
    return parse_wrk(result.stdout), result.stdout


# ----------------------------------------------------------------------------- the server


def start_gunicorn(env, log_path, workers):
    """gunicorn as production runs it (its configuration file, when there is one), without an access log."""
    options = ["-c", str(GUNICORN_CONF.relative_to(ROOT))] if GUNICORN_CONF.exists() else []
    try:
        return Gunicorn(env, log_path, workers, [*options, "--access-logfile", "/dev/null"])
    except RuntimeError as error:
        raise Broken(str(error)) from None


def start_varnish(backend_url, folder, port=None):
    """Varnish from the repository's VCL in front of one gunicorn (tests/servers.py)."""
    if not varnishd():
        raise Broken("varnishd is not installed (apt-get install varnish varnish-modules)")
    try:
        return Varnish(backend_url, folder, port=port)
    except RuntimeError as error:
        raise Broken(str(error)) from None


def worker_class(server):
    match = re.search(r"Using worker: (\S+)", Path(server.log_path).read_text(errors="replace"))
    return match.group(1) if match else "unknown (not in gunicorn's log)"


def fetch(port, path, timeout=300):
    """One GET without following redirects: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# ----------------------------------------------------------------------------- one site


SITE_FACTS = """
import json
from django.conf import settings
from django.utils import translation
from comparisons.models import Category, Comparison, ComparisonRow
facts = {
    "languages": [code for code, _name in settings.LANGUAGES],
    "categories": Category.objects.count(),
    "comparisons": Comparison.objects.count(),
    "comparison_rows": ComparisonRow.objects.count(),
    "synthetic_url": None,
}
synthetic = Comparison.objects.published().filter(
    first__slug__startswith="synthetic-", second__slug__startswith="synthetic-"
).order_by("pk")
count = synthetic.count()
if count:
    with translation.override("en"):
        facts["synthetic_url"] = synthetic.select_related("first", "second")[count // 2].get_absolute_url()
print("SITE-FACTS " + json.dumps(facts))
"""


def site_facts(env):
    output = manage(env, "shell", "-c", SITE_FACTS).stdout
    for line in output.splitlines():
        if line.startswith("SITE-FACTS "):
            return json.loads(line.removeprefix("SITE-FACTS "))
    raise Broken(f"manage.py shell printed no facts about the site:\n{output[-2000:]}")


def pages_of(css_path, synthetic_url, languages):
    """
    (key, label, path, what is expected, server) in the order they are measured. The server
    is "app" (gunicorn with the page cache), "uncached" (gunicorn without it) or "varnish"
    (Varnish in front of "app"); what is expected is "cached" (from the page cache: an ETag),
    "rendered" (no ETag), "hit" (X-Cache: HIT) or None.
    """
    pages = [
        ("static", "static CSS (whitenoise)", css_path, None, "app"),
        ("health", "/health/", "/health/", None, "app"),
        ("home", "home /en/ (cached)", "/en/", "cached", "app"),
        # Search pages are cached too now (tagged "search": any change of a searched text drops them).
        ("search", "search /en/search/?q=bpo cached", "/en/search/?q=bpo", "cached", "app"),
        ("search-uncached", "search /en/search/?q=bpo uncached", "/en/search/?q=bpo", "rendered", "uncached"),
    ]
    for language in languages:
        path = f"/{language}/{PAIR}/"
        pages.append((f"comparison-{language}-cached", f"{path} cached", path, "cached", "app"))
        pages.append((f"comparison-{language}-uncached", f"{path} uncached", path, "rendered", "uncached"))
    path = f"/en/{PAIR}/"
    pages.append(("comparison-en-varnish", f"{path} through Varnish", path, "hit", "varnish"))
    if synthetic_url:
        pages.append(("synthetic-cached", f"{synthetic_url} cached", synthetic_url, "cached", "app"))
        pages.append(
            ("synthetic-uncached", f"{synthetic_url} uncached", synthetic_url, "rendered", "uncached")
        )
    return pages


def benchmark_site(database, size, parts, args, wrk, workdir):
    """Prepare one site and run the parts asked of it; always stops what it started."""
    label = f"{DATABASES[database]} · {size}"
    record = {
        "database": database,
        "size": size,
        "label": label,
        "parts": sorted(parts),
        "status": "failed",
        "error": None,
        "pages": [],
        "edits": None,
    }
    folder = Path(tempfile.mkdtemp(prefix=f"{database}-{size}-", dir=workdir))
    postgres = None
    started = time.monotonic()
    try:
        log(f"\n=== {label}: preparing a fresh site in {folder}")
        extra = {
            "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
            # wrk is one client: the search rows measure rendering, not the per-client limit.
            "DJANGO_SEARCHES_PER_MINUTE": str(10**9),
        }
        if database == "postgres":
            if server_binaries() is None:
                raise Broken(
                    "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin/initdb)."
                )
            postgres = ThrowawayPostgres()
            postgres.start()
            extra["DATABASE_URL"] = postgres.url
            log(f"    throwaway PostgreSQL on 127.0.0.1:{postgres.port}")
        env = site_environment(folder, **extra)
        try:
            prepare_site(env)
            log(f"    migrate, loadcontent, collectstatic: {time.monotonic() - started:.0f}s")
            generate = SIZES[size]
            if generate:
                step = time.monotonic()
                log(f"    manage.py generatecontent {' '.join(generate)} ...")
                manage(env, "generatecontent", *generate)
                record["generate_seconds"] = round(time.monotonic() - step, 1)
                log(f"    generatecontent: {record['generate_seconds']:.0f}s")
            facts = site_facts(env)
        except subprocess.CalledProcessError as error:
            raise Broken(command_failure(error)) from None
        record["site"] = facts
        record["setup_seconds"] = round(time.monotonic() - started, 1)
        log(
            f"    {facts['categories']} categories, {facts['comparisons']} comparisons, "
            f"{facts['comparison_rows']} comparison rows"
            + (f"; synthetic page {facts['synthetic_url']}" if facts["synthetic_url"] else "")
        )
        if generate and not facts["synthetic_url"]:
            log("    note: no published synthetic comparison found; its page is not measured")

        # gunicorn loads the code as it stands now: note which, in case it changes during the run.
        record["git"] = git_state()
        if "pages" in parts:
            step = time.monotonic()
            measure_pages(record, env, folder, facts, args, wrk)
            record["pages_seconds"] = round(time.monotonic() - step, 1)
        if "edits" in parts:
            step = time.monotonic()
            try:
                record["edits"] = edit_under_load(env, folder, args, wrk)
            except Broken as error:
                # The pages' figures stand; the report says what broke here.
                record["edits"] = {"status": "failed", "error": str(error)}
                log(f"    edit under load FAILED: {error}")
            record["edits"]["total_seconds"] = round(time.monotonic() - step, 1)
        record["status"] = "ok"
    except Broken as error:
        record["error"] = str(error)
        log(f"    FAILED: {error}")
    finally:
        if postgres is not None:
            postgres.remove()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        record["total_seconds"] = round(time.monotonic() - started, 1)
    return record


def measure_pages(record, env, folder, facts, args, wrk):
    """
    The pages one by one: gunicorn with the page cache, a second one without it
    (benchmarks/uncached_settings.py) for the pages rendered in full, and Varnish
    in front of the first for the cached page as production serves it.
    """
    servers = {}
    try:
        servers["app"] = server = start_gunicorn(env, folder / "gunicorn.log", args.workers)
        record["gunicorn"] = {"command": " ".join(server.command[1:]), "worker_class": worker_class(server)}
        log(f"    gunicorn on {server.url}, worker class {record['gunicorn']['worker_class']}")
        servers["uncached"] = start_gunicorn(
            {**env, "DJANGO_SETTINGS_MODULE": UNCACHED_SETTINGS},
            folder / "gunicorn-uncached.log",
            args.workers,
        )
        log(f"    gunicorn without the page cache ({UNCACHED_SETTINGS}) on {servers['uncached'].url}")
        servers["varnish"] = start_varnish(servers["app"].url, folder / "varnish")
        log(f"    Varnish on {servers['varnish'].url} in front of {server.url}")

        # Warm-up: the home page first (it names the hashed stylesheet), then each
        # page a few times so that both workers have loaded and the caches are filled.
        status, _headers, body = fetch(server.port, "/en/")
        if status != 200:
            raise Broken(f"/en/ answered {status}; gunicorn's log:\n{server.log_tail()}")
        match = re.search(rb'href="(/static/css/site\.[0-9a-f]+\.css)"', body)
        if not match:
            raise Broken("the home page names no hashed stylesheet /static/css/site.<hash>.css")
        pages = pages_of(match.group(1).decode(), facts["synthetic_url"], facts["languages"])
        warmup = {}
        for key, _label, path, _expected, on in pages:
            for _ in range(2 * args.workers):
                status, headers, body = fetch(servers[on].port, path)
            warmup[key] = {
                "status": status,
                "etag": "etag" in headers,
                "x_cache": headers.get("x-cache"),
                "bytes": len(body),
            }
        if args.warmup > 0:
            for _key, _label, path, _expected, on in pages:
                run_wrk(wrk, servers[on].url + path, args.warmup, args)

        # Rounds, each in the reverse order of the one before: a drift of the
        # machine's speed during the run touches every page alike, the static
        # file included, instead of whichever pages came last.
        runs = {key: [] for key, *_rest in pages}
        for round_index in range(args.rounds):
            order = pages if round_index % 2 == 0 else pages[::-1]
            log(f"    round {round_index + 1} of {args.rounds}")
            for key, page_label, path, _expected, on in order:
                measured, raw = run_wrk(wrk, servers[on].url + path, args.seconds, args)
                runs[key].append((measured, raw))
                log(
                    f"      {page_label:<46} {fmt_rps(measured['requests_per_second']):>9} req/s  "
                    f"p50 {fmt_ms(measured['p50_ms']):>9}  p99 {fmt_ms(measured['p99_ms']):>9}  "
                    f"errors {measured['error_count']}"
                )
        for key, page_label, path, expected, on in pages:
            notes = []
            if warmup[key]["status"] != 200:
                notes.append(f"answered {warmup[key]['status']} when warming up")
            if expected == "cached" and not warmup[key]["etag"]:
                notes.append("not served from the page cache (no ETag)")
            if expected == "rendered" and warmup[key]["etag"]:
                notes.append("served from the page cache (has an ETag)")
            if expected == "hit" and warmup[key]["x_cache"] != "HIT":
                notes.append(f"not a Varnish hit when warmed up (X-Cache: {warmup[key]['x_cache']})")
            row = {
                "key": key,
                "label": page_label,
                "path": path,
                "server": on,
                "bytes": warmup[key]["bytes"],
                "warmup_status": warmup[key]["status"],
                "cached": warmup[key]["etag"],
                "x_cache": warmup[key]["x_cache"],
                "notes": notes,
                **combine_rounds([measured for measured, _raw in runs[key]]),
                "wrk_output": [raw for _measured, raw in runs[key]],
            }
            record["pages"].append(row)
        add_ratios(record)
        record["server_log_tail"] = server.log_tail(10)
    finally:
        for running in reversed(servers.values()):
            running.stop()


def edit_under_load(env, folder, args, wrk):
    """
    Varnish in front of gunicorn, told of every change (DJANGO_CACHE_PURGE_URLS); a Zipf read
    mix over every public page (zipf_mix.lua): a warm-up, a run without edits, one with an edit
    a second through manage.py shell (the real write path), and one more without, so that a
    drift of the cold misses or of the machine's speed touches both kinds of run alike.
    """
    record = {"status": "failed", "error": None, "runs": []}
    mix = folder / "mix"
    step = time.monotonic()
    try:
        rows = edit_load.list_pages(env, folder / "pages.tsv")
        ranked = edit_load.rank_pages(rows, args.seed)
        comparisons = edit_load.write_mix(mix, ranked, args.mix_connections)
    except edit_load.Failed as error:
        raise Broken(str(error)) from None
    record["mix"] = edit_load.describe_mix(ranked, args.zipf, args.mix_connections)
    record["mix"]["comparisons"] = len(comparisons)
    record["mix"]["seed"] = args.seed
    shares = ", ".join(f"top {int(k):,} {share:.0%}" for k, share in record["mix"]["shares"].items())
    log(
        f"    edit under load: {len(ranked):,} pages "
        f"({', '.join(f'{n:,} {kind}' for kind, n in record['mix']['kinds'].items())}), "
        f"Zipf s={args.zipf} ({shares} of the reads); listed in {time.monotonic() - step:.0f}s"
    )
    varnish_port = free_port()
    site_env = {**env, "DJANGO_CACHE_PURGE_URLS": f"http://127.0.0.1:{varnish_port}/"}
    app = varnish = editor = worker = None
    try:
        app = start_gunicorn(site_env, folder / "gunicorn-edits.log", args.workers)
        varnish = start_varnish(app.url, folder / "varnish-edits", port=varnish_port)
        # The task worker sends the purges the edits leave (comparisons/purge.py), as in production.
        worker = TaskWorker(site_env, folder / "worker-edits.log")
        state = folder / "varnish-edits" / "state"  # the -n of tests.servers.Varnish
        editor = edit_load.Editor(
            site_env, mix / "comparisons.tsv", args.zipf, args.seed, folder / "editor.log"
        )
        log(f"    gunicorn on {app.url}, Varnish on {varnish.url} (purged by the site), editor ready")
        plan = [
            ("warm-up", args.mix_warmup, False),
            ("no edits", args.mix_seconds, False),
            ("edits", args.mix_seconds, True),
            ("no edits, after", args.mix_seconds, False),
        ]
        all_edits, all_failures = [], []
        for index, (name, seconds, with_edits) in enumerate(plan):
            before = edit_load.settled_counters(state)
            command = edit_load.mix_command(
                wrk,
                varnish.url,
                mix,
                args.zipf,
                args.seed * 100 + index,
                seconds,
                args.mix_connections,
                args.timeout,
            )
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if with_edits:
                editor.start(seconds)
            try:
                stdout, stderr = process.communicate(timeout=seconds + args.timeout + 120)
            except subprocess.TimeoutExpired:
                process.kill()
                raise Broken(f"`{' '.join(command)}` did not finish") from None
            if process.returncode != 0:
                raise Broken(f"`{' '.join(command)}` exited with {process.returncode}: {stderr.strip()}")
            edits, failures = editor.finish(seconds) if with_edits else ([], [])
            all_edits += edits
            all_failures += failures
            after = edit_load.settled_counters(state)
            counts = edit_load.read_counts(mix)
            edit_load.next_run(mix, args.mix_connections)
            run = edit_load.run_figures(
                name, seconds, len(edits), counts, edit_load.delta(before, after), parse_wrk(stdout)
            )
            run["wrk_output"] = stdout
            record["runs"].append(run)
            log(
                f"      {name:<16} {fmt_rps(run['requests_per_second']):>7} req/s  "
                f"hits {fmt_percent(run['hit_ratio_varnish'])} "
                f"(re-reads {fmt_percent(run['reread_hit_ratio'])})  "
                f"origin {run['origin_requests']}  edits {len(edits)}"
                + (f" ({len(failures)} failed)" if failures else "")
            )
        record["edits"] = all_edits
        record["failed_edits"] = all_failures
        record["summary"] = edit_load.summarise(
            record["runs"], all_edits, all_failures, len(comparisons), args.zipf
        )
        record["gunicorn_log_tail"] = app.log_tail(10)
        record["status"] = "ok"
    except edit_load.Failed as error:
        raise Broken(str(error)) from None
    finally:
        for running in (editor, worker, varnish, app):
            if running is not None:
                running.stop()
    return record


def combine_rounds(rounds):
    """One page's figures over the rounds: mean req/s, median p50, worst p99, all errors."""

    def known(key):
        return [r[key] for r in rounds if r[key] is not None]

    errors = {name: sum(r["errors"][name] for r in rounds) for name in rounds[0]["errors"]}
    rates, p50s, p99s = known("requests_per_second"), known("p50_ms"), known("p99_ms")
    return {
        "requests_per_second": sum(rates) / len(rates) if rates else None,
        "p50_ms": statistics.median(p50s) if p50s else None,
        "p99_ms": max(p99s) if p99s else None,
        "requests": sum(known("requests")),
        "errors": errors,
        "error_count": sum(errors.values()),
        "rounds": [
            {k: r[k] for k in ("requests_per_second", "p50_ms", "p99_ms", "error_count")} for r in rounds
        ],
    }


def add_ratios(record):
    static = (page(record, "static") or {}).get("requests_per_second")
    record["static_requests_per_second"] = static
    for row in record["pages"]:
        rate = row["requests_per_second"]
        row["ratio_to_static"] = rate / static if rate is not None and static else None


# ----------------------------------------------------------------------------- the report


def fmt_rps(value):
    return "—" if value is None else f"{value:,.0f}"


def fmt_ms(value):
    if value is None:
        return "—"
    return f"{value:.2f} ms" if value < 100 else f"{value:,.0f} ms"


def fmt_percent(value):
    # Two decimals: 99.99 % and 100 % are not the same cache.
    return "—" if value is None else f"{value:.2%}"


def fmt_ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def page(record, key):
    return next((p for p in record["pages"] if p["key"] == key), None)


def site_table(record):
    lines = [f"{record['label']}"]
    if record["status"] != "ok":
        lines.append(f"  FAILED: {record['error']}")
        return lines
    facts = record["site"]
    lines[0] += (
        f"  ({facts['categories']:,} categories, {facts['comparisons']:,} comparisons, "
        f"{facts['comparison_rows']:,} rows"
        + (f"; workers: {record['gunicorn']['worker_class']})" if "gunicorn" in record else ")")
    )
    if "pages" not in record["parts"]:
        return lines + ["  (pages not measured: this site is for the edit-under-load part)"]
    lines += [f"  note: {note}" for note in record.get("notes", [])]
    header = f"  {'page':<46} {'req/s':>9} {'p50':>10} {'p99':>10} {'errors':>7} {'× static':>9}"
    lines += [header, "  " + "-" * (len(header) - 2)]
    for row in record["pages"]:
        lines.append(
            f"  {row['label']:<46} {fmt_rps(row['requests_per_second']):>9} {fmt_ms(row['p50_ms']):>10} "
            f"{fmt_ms(row['p99_ms']):>10} {row['error_count']:>7} {fmt_ratio(row['ratio_to_static']):>9}"
            + (f"  ! {'; '.join(row['notes'])}" if row["notes"] else "")
        )
    return lines


def edits_table(record, settings):
    edits = record["edits"]
    lines = [
        f"Edit under load · {record['label']}: wrk → Varnish → gunicorn ({settings['workers']} workers); "
        "the site purges Varnish after each change"
    ]
    if edits["status"] != "ok":
        return lines + [f"  FAILED: {edits['error']}"]
    mix, summary = edits["mix"], edits["summary"]
    kinds = ", ".join(f"{count:,} {kind}" for kind, count in mix["kinds"].items())
    shares = ", ".join(f"the top {int(k):,} {share:.1%}" for k, share in mix["shares"].items())
    lines.append(
        f"  reads: {mix['pages']:,} pages ({kinds}), Zipf s={mix['exponent']} over a seeded random order "
        f"(seed {mix['seed']}), homes first; {shares} of the reads"
    )
    lines.append(
        f"  wrk -t{mix['threads']} -c{mix['threads']} -s benchmarks/zipf_mix.lua: one connection per thread, "
        "each thread its own pages (their shares of the Zipf weight: "
        + ", ".join(f"{share:.0%}" for share in mix["thread_shares"])
        + ")"
    )
    edited = summary.get("edited")
    if edited:
        most = ", ".join(f"rank {rank} ×{count}" for rank, count in edited["most_edited"])
        lines.append(
            f"  edits: one a second in the edit run through manage.py shell, change_set(); conclusion_<lang> "
            f"of a comparison drawn by Zipf s={edited['exponent']} over the {edited['comparisons_ranked']:,} "
            "comparisons ranked by their most read page"
        )
        lines.append(
            f"    {summary['edits']} edits of {edited['distinct']} comparisons "
            f"(median rank {edited['median_rank']:,}; "
            f"{most}); each took {edited['median_ms']:.0f} ms median, {edited['slowest_ms']:.0f} ms at most"
            + (f"; {summary['failed_edits']} FAILED" if summary["failed_edits"] else "")
        )
    header = (
        f"  {'run':<16} {'s':>4} {'req/s':>7} {'p50':>10} {'p99':>10} {'hits V':>7} {'hits wrk':>8} "
        f"{'re-read':>8} {'first':>6} {'rr miss':>7} {'origin':>7} {'edits':>5}"
    )
    lines += [header, "  " + "-" * (len(header) - 2)]
    for run in edits["runs"]:
        lua = run["lua"]
        lines.append(
            f"  {run['name']:<16} {run['seconds']:>4} {fmt_rps(run['requests_per_second']):>7} "
            f"{fmt_ms(run['p50_ms']):>10} {fmt_ms(run['p99_ms']):>10} "
            f"{fmt_percent(run['hit_ratio_varnish']):>7} "
            f"{fmt_percent(run['hit_ratio_script']):>8} {fmt_percent(run['reread_hit_ratio']):>8} "
            f"{fmt_percent(run['first_read_share']):>6} {lua['reread_misses']:>7} "
            f"{run['origin_requests'] if run['origin_requests'] is not None else '—':>7} {run['edits']:>5}"
        )
    lines += [
        "  hits V: Varnish's cache_hit / (cache_hit + cache_miss); hits wrk: X-Cache HIT / (HIT + MISS)",
        "  as wrk saw them; re-read: the same over the reads of pages read before (in this run or an earlier",
        "  one): first reads, cold misses, left out; first: the share of requests that were first reads;",
        "  rr miss: misses among re-reads; origin: Varnish's requests to gunicorn (MAIN.backend_req).",
    ]
    if "throughput_ratio" in summary:
        lines.append(
            f"  throughput, edit run / mean of the no-edit runs: {fmt_ratio(summary['throughput_ratio'])} "
            f"({fmt_rps(next(r for r in edits['runs'] if r['name'] == 'edits')['requests_per_second'])} "
            f"against {fmt_rps(summary['no_edit_requests_per_second'])} req/s)"
        )
    if "reread_misses_per_edit" in summary:
        lines.append(
            f"  renders the edits caused (re-read misses over the first no-edit run's): "
            f"{summary['reread_misses_edit_run']} in the edit run + {summary.get('reread_misses_after', 0)} "
            f"in the run after = {summary['reread_misses_per_edit']:.2f} per edit"
        )
        during = next(r for r in edits["runs"] if r["name"] == "edits")
        per_second = during["lua"]["rereads"] / during["seconds"]
        needed = (
            summary["reread_misses_per_edit"] * during["edits"] / during["seconds"] / (1 - GOAL_HIT_RATIO)
        )
        lines.append(
            f"  at that many renders per edit and {during['edits'] / during['seconds']:.1f} edits/s, "
            f"re-reads stay ≥ {GOAL_HIT_RATIO:.0%} hits from {needed:,.0f} re-reads a second on; "
            f"the edit run made {per_second:,.0f}"
        )
    if "origin_renders_per_edit" in summary:
        cold = max(run["first_read_share"] or 0 for run in edits["runs"] if run["name"] != "warm-up")
        lines.append(
            "  origin requests per edit (backend_req the same way): "
            f"{summary['origin_renders_per_edit']:+.2f}"
            + (
                f"; first reads are up to {cold:.0%} of requests: the origin is busy with cold misses in "
                "every run, and a render an edit causes takes the place of one (see README)"
                if cold > 1 - GOAL_HIT_RATIO
                else ""
            )
        )
    evicted = sum(run["varnish"].get("MAIN.n_lru_nuked", 0) for run in edits["runs"])
    objects = edits["runs"][-1]["varnish"].get("MAIN.n_object")
    lines.append(f"  Varnish evictions (n_lru_nuked) in all runs: {evicted}; objects at the end: {objects}")
    return lines


def edits_judged(edits):
    """
    Which hit ratio the goal judges: the overall one, unless the first reads alone (cold misses of
    the Zipf tail, which no cache avoids) are more than the goal allows; then the one over re-reads.
    """
    runs = {run["name"]: run for run in edits["runs"]}
    during = runs["edits"]
    cold = max(run["first_read_share"] or 0 for run in edits["runs"] if run["name"] != "warm-up")
    if cold > 1 - GOAL_HIT_RATIO:
        return "re-reads", during["reread_hit_ratio"], cold
    return "overall", during["hit_ratio_varnish"], cold


def scale_comparisons(records):
    """p50 of the comparison pages at 100k against the seeded size, per database."""
    found = []
    for database in DATABASES:
        small = next((r for r in records if r["database"] == database and r["size"] == "seeded"), None)
        large = next((r for r in records if r["database"] == database and r["size"] == "100k"), None)
        if not small or not large or small["status"] != "ok" or large["status"] != "ok":
            continue
        languages = small["site"]["languages"]
        keys = [(f"comparison-{lang}-{kind}",) * 2 for kind in ("uncached", "cached") for lang in languages]
        keys += [
            ("synthetic-uncached", "comparison-en-uncached"),
            ("synthetic-cached", "comparison-en-cached"),
        ]
        for large_key, small_key in keys:
            big, base = page(large, large_key), page(small, small_key)
            if not big or not base:
                continue
            ratio = big["p50_ms"] / base["p50_ms"] if big["p50_ms"] and base["p50_ms"] else None
            found.append(
                {
                    "database": database,
                    "page": big["label"],
                    "large_key": large_key,
                    "seeded_key": small_key,
                    "seeded_p50_ms": base["p50_ms"],
                    "large_p50_ms": big["p50_ms"],
                    "ratio": ratio,
                }
            )
    return found


def evaluate_goals(records, scaling):
    goals = []

    def add(goal, scope, ok, detail):
        status = "N/A" if ok is None else ("PASS" if ok else "FAIL")
        goals.append({"goal": goal, "scope": scope, "status": status, "detail": detail})

    for record in records:
        if record["status"] != "ok":
            continue
        measured_pages = (("cached", GOAL_CACHED), ("uncached", GOAL_UNCACHED))
        for kind, threshold in measured_pages if "pages" in record["parts"] else ():
            ratios = {
                lang: (page(record, f"comparison-{lang}-{kind}") or {}).get("ratio_to_static")
                for lang in record["site"]["languages"]
            }
            known = [r for r in ratios.values() if r is not None]
            ok = all(r >= threshold for r in known) if len(known) == len(ratios) else None
            detail = ", ".join(f"{lang} {fmt_ratio(r)}" for lang, r in ratios.items())
            add(f"{kind} comparison page ≥ {threshold}× static req/s", record["label"], ok, detail)
        if "pages" in record["parts"]:
            ratio = (page(record, "comparison-en-varnish") or {}).get("ratio_to_static")
            add(
                f"comparison page through Varnish ≥ {GOAL_VARNISH}× static req/s (gunicorn)",
                record["label"],
                None if ratio is None else ratio >= GOAL_VARNISH,
                f"en {fmt_ratio(ratio)}",
            )
        edits = record.get("edits")
        if edits and edits["status"] == "ok" and "edits" in {r["name"] for r in edits["runs"]}:
            which, value, cold = edits_judged(edits)
            during = next(r for r in edits["runs"] if r["name"] == "edits")
            add(
                f"hit ratio with an edit a second ≥ {GOAL_HIT_RATIO:.0%} (judged: {which})",
                f"{record['label']} edit under load",
                None if value is None else value >= GOAL_HIT_RATIO,
                f"{which} {fmt_percent(value)} in the edit run; over re-reads "
                f"{fmt_percent(during['reread_hit_ratio'])}, "
                f"overall {fmt_percent(during['hit_ratio_varnish'])} "
                f"(Varnish) / {fmt_percent(during['hit_ratio_script'])} (wrk); first reads up to "
                f"{fmt_percent(cold)} of requests",
            )
            throughput = edits["summary"].get("throughput_ratio")
            add(
                f"throughput with an edit a second ≥ {GOAL_EDIT_THROUGHPUT}× without",
                f"{record['label']} edit under load",
                None if throughput is None else throughput >= GOAL_EDIT_THROUGHPUT,
                f"{fmt_ratio(throughput)} (edit run / mean of the no-edit runs on either side)",
            )
    for database, name in DATABASES.items():
        rows = [
            s
            for s in scaling
            if s["database"] == database
            and s["large_key"] == s["seeded_key"]
            and s["large_key"].endswith("-uncached")
        ]
        if not rows:
            if any(r["database"] == database for r in records):
                add(
                    f"comparison page p50 at 100k ≤ {GOAL_SCALE}× seeded",
                    name,
                    None,
                    "not measured at both sizes",
                )
            continue
        known = [s["ratio"] for s in rows if s["ratio"] is not None]
        ok = all(r <= GOAL_SCALE for r in known) if len(known) == len(rows) else None
        detail = "uncached, " + ", ".join(f"{s['page'].split('/')[1]} {fmt_ratio(s['ratio'])}" for s in rows)
        add(f"comparison page p50 at 100k ≤ {GOAL_SCALE}× seeded", name, ok, detail)
    measured = [(r, p) for r in records if r["status"] == "ok" for p in r["pages"]]
    failing = [
        f"{r['label']}: {p['label']} {p['error_count']} ({describe_errors(p)})"
        for r, p in measured
        if p["error_count"] or p["warmup_status"] != 200
    ]
    mixes = [
        (r, run)
        for r in records
        if r["status"] == "ok" and r.get("edits") and r["edits"]["status"] == "ok"
        for run in r["edits"]["runs"]
    ]
    measured += mixes
    failing += [
        f"{r['label']}: edit under load, {run['name']}: {run['error_count']} errors, "
        f"{run['not_ok']} responses not 200"
        for r, run in mixes
        if run["error_count"] or run["not_ok"]
    ]
    add(
        "zero errors under load",
        "all runs",
        bool(measured) and not failing if measured else None,
        f"{len(measured)} wrk runs, none with errors" if not failing else "; ".join(failing),
    )
    return goals


def describe_errors(row):
    parts = [f"{name} {count}" for name, count in row["errors"].items() if count]
    if row["warmup_status"] != 200:
        parts.append(f"status {row['warmup_status']}")
    return ", ".join(parts) or "none"


def report_lines(result):
    settings = result["settings"]
    machine = result["machine"]
    lines = [
        f"Benchmark of {result['git']['commit'][:12]}"
        f"{' (uncommitted changes)' if result['git']['dirty'] else ''}"
        f" at {result['started']}",
        *code_changed_note(result),
        f"Machine: {machine['cpus']} CPUs, {machine['platform']},"
        f" load average {machine['load_start']} at the start,"
        f" {machine['load_end']} at the end",
        f"wrk {result['wrk_version']}: {settings['rounds']} rounds of -t{settings['threads']}"
        f" -c{settings['connections']} -d{settings['seconds']}s"
        f" --timeout {settings['timeout']}s --latency, {settings['warmup']}s warm-up per page;"
        f" gunicorn --workers {settings['workers']}"
        + (" -c outsourcing_kb/gunicorn.conf.py" if settings["gunicorn_conf"] else " (no gunicorn.conf.py)")
        + f"; DATABASE_CONN_MAX_AGE={settings['conn_max_age']}",
        "req/s: mean over the rounds; p50: median; p99: the worst round.",
        "Each round runs the pages in the reverse order of the one before.",
        "× static: req/s against the static CSS file's on the same server, in the same rounds.",
        "",
    ]
    for record in result["sites"]:
        lines += site_table(record) + [""]
    for record in result["sites"]:
        if record["status"] == "ok" and record.get("edits"):
            lines += edits_table(record, settings) + [""]
    if result["scaling"]:
        lines.append(
            "Comparison page p50, 100k comparisons against the seeded size (synthetic: against en seeded)"
        )
        header = f"  {'database':<11} {'page':<46} {'seeded':>10} {'100k':>10} {'ratio':>7}"
        lines += [header, "  " + "-" * (len(header) - 2)]
        for row in result["scaling"]:
            lines.append(
                f"  {DATABASES[row['database']]:<11} {row['page']:<46} {fmt_ms(row['seeded_p50_ms']):>10} "
                f"{fmt_ms(row['large_p50_ms']):>10} {fmt_ratio(row['ratio']):>7}"
            )
        lines.append("")
    lines += time_lines(result) + [""]
    lines.append("Goals")
    for goal in result["goals"]:
        lines.append(f"  [{goal['status']}] {goal['scope']}: {goal['goal']} — {goal['detail']}")
    if result["problems"]:
        lines += ["", "Problems"] + [f"  {problem}" for problem in result["problems"]]
    return lines


def time_lines(result):
    """How long each site and part took (set-up includes generatecontent)."""
    lines = ["Time"]
    for record in result["sites"]:
        parts = [f"set-up {record['setup_seconds']:.0f}s" if "setup_seconds" in record else "set-up failed"]
        if record.get("generate_seconds"):
            parts[0] += f" (generatecontent {record['generate_seconds']:.0f}s)"
        if "pages_seconds" in record:
            parts.append(f"pages {record['pages_seconds']:.0f}s")
        if record.get("edits") and "total_seconds" in record["edits"]:
            parts.append(f"edit under load {record['edits']['total_seconds']:.0f}s")
        lines.append(f"  {record['label']}: {', '.join(parts)}; {record['total_seconds']:.0f}s in all")
    started = datetime.datetime.fromisoformat(result["started"])
    finished = datetime.datetime.fromisoformat(result["finished"])
    lines.append(f"  the whole run: {(finished - started).total_seconds() / 60:.1f} minutes")
    return lines


def code_changed_note(result):
    states = {(r["git"]["commit"], r["git"]["changes"]) for r in result["sites"] if "git" in r}
    if len(states) <= 1:
        return []
    each = "; ".join(
        f"{r['label']} {r['git']['commit'][:12]}{'+' + r['git']['changes'] if r['git']['changes'] else ''}"
        for r in result["sites"]
        if "git" in r
    )
    return [f"WARNING: the code changed during the run, so the sites ran different code: {each}"]


def git_state():
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    # The uncommitted changes to the code (not the docs), as a fingerprint: two sites that
    # ran different working trees on the same commit can be told apart.
    diff = git("diff", "HEAD", "--", ".", ":(exclude)benchmarks", ":(exclude)*.md")
    return {
        "commit": git("rev-parse", "HEAD") or "unknown",
        "dirty": bool(git("status", "--porcelain", "--", ".", ":(exclude)benchmarks", ":(exclude)*.md")),
        "changes": hashlib.sha1(diff.encode()).hexdigest()[:12] if diff else None,
    }


def load_average():
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def write_results(result):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    text = "\n".join(result["report"])
    (RESULTS / "latest.md").write_text(
        f"# Load benchmark: latest run\n\nMade by `benchmarks/run.py {' '.join(result['argv'])}`.\n\n"
        f"```\n{text}\n```\n"
    )


# ----------------------------------------------------------------------------- main


def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="SQLite and the seeded size only, short runs")
    parser.add_argument("--seconds", type=int, help="duration of each wrk run (default 5; 2 with --quick)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds over all pages, alternating order (default 2)"
    )
    parser.add_argument(
        "--warmup", type=int, help="seconds of wrk warm-up per page, not measured (default 1)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument(
        "--timeout", type=int, default=5, help="wrk's per-request timeout in seconds (default 5)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE (default 60: persistent)"
    )
    parser.add_argument(
        "--databases", default=None, help="comma-separated, of: sqlite, postgres (default both)"
    )
    parser.add_argument("--sizes", default=None, help="comma-separated, of: seeded, 100k (default both)")
    parser.add_argument(
        "--parts",
        default="pages,edits",
        help="comma-separated, of: pages (the pages one by one, on every --databases × --sizes site),\n"
        "edits (edit under load, on the --edits-on sites); default both",
    )
    parser.add_argument(
        "--edits-on",
        default=None,
        help="the sites of the edit-under-load part, DATABASE:SIZE comma-separated\n"
        "(default sqlite:100k; sqlite:seeded with --quick)",
    )
    parser.add_argument(
        "--mix-seconds", type=int, help="each run of the edit-under-load part (default 30; 5 with --quick)"
    )
    parser.add_argument(
        "--mix-warmup", type=int, help="its warm-up, no edits, not judged (default 60; 5 with --quick)"
    )
    parser.add_argument(
        "--mix-connections",
        type=int,
        default=4,
        help="wrk threads for the read mix, one connection each (default 4)",
    )
    parser.add_argument(
        "--zipf",
        type=float,
        default=1.0,
        help="the exponent s of the read mix and of the edits (default 1.0)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the page order and draws (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the sites' temporary folders")
    args = parser.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else 1
    args.mix_seconds = args.mix_seconds or (5 if args.quick else 30)
    args.mix_warmup = args.mix_warmup if args.mix_warmup is not None else (5 if args.quick else 60)
    args.databases = (args.databases or ("sqlite" if args.quick else "sqlite,postgres")).split(",")
    args.sizes = (args.sizes or ("seeded" if args.quick else "seeded,100k")).split(",")
    args.parts = args.parts.split(",")
    edits_on = args.edits_on or ("sqlite:seeded" if args.quick else "sqlite:100k")
    args.edits_on = [tuple(site.split(":", 1)) if ":" in site else (site, "") for site in edits_on.split(",")]
    for name, chosen, known in (
        ("database", args.databases + [database for database, _size in args.edits_on], DATABASES),
        ("size", args.sizes + [size for _database, size in args.edits_on], SIZES),
        ("part", args.parts, PARTS),
    ):
        unknown = [item for item in chosen if item not in known]
        if unknown:
            parser.error(f"unknown {name}: {', '.join(unknown)} (known: {', '.join(known)})")
    if args.mix_connections < 1:
        parser.error("--mix-connections must be at least 1")
    return args


def site_plan(args):
    """[(database, size, parts)]: the pages on every database × size, the edits on their own sites."""
    plan = {}
    if "pages" in args.parts:
        for database in args.databases:
            for size in args.sizes:
                plan[(database, size)] = {"pages"}
    if "edits" in args.parts:
        for site in args.edits_on:
            plan.setdefault(site, set()).add("edits")
    return [(database, size, parts) for (database, size), parts in plan.items()]


def main():
    args = parse_arguments()
    # A stop from outside still goes through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.datetime.now(datetime.UTC)
    result = {
        "argv": sys.argv[1:],
        "started": started.isoformat(timespec="seconds"),
        "git": git_state(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_start": load_average(),
        },
        "settings": {
            "seconds": args.seconds,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "threads": args.threads,
            "connections": args.connections,
            "timeout": args.timeout,
            "workers": args.workers,
            "conn_max_age": args.conn_max_age,
            "databases": args.databases,
            "sizes": args.sizes,
            "parts": args.parts,
            "edits_on": [f"{database}:{size}" for database, size in args.edits_on],
            "mix_seconds": args.mix_seconds,
            "mix_warmup": args.mix_warmup,
            "mix_connections": args.mix_connections,
            "zipf": args.zipf,
            "seed": args.seed,
            "gunicorn_conf": GUNICORN_CONF.exists(),
        },
        "sites": [],
        "problems": [],
    }
    try:
        wrk = ensure_wrk()
    except Broken as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 1
    result["wrk_version"] = wrk_version(wrk)
    if not GUNICORN_CONF.exists():
        log("note: outsourcing_kb/gunicorn.conf.py does not exist; gunicorn runs with its defaults.")
    workdir = tempfile.mkdtemp(prefix="kb-bench-")
    try:
        for database, size, parts in site_plan(args):
            record = benchmark_site(database, size, parts, args, wrk, workdir)
            result["sites"].append(record)
            if record["status"] != "ok":
                result["problems"].append(f"{record['label']}: {record['error']}")
            elif record["edits"] and record["edits"]["status"] != "ok":
                result["problems"].append(f"{record['label']}: edit under load: {record['edits']['error']}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    result["machine"]["load_end"] = load_average()
    result["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result["scaling"] = scale_comparisons(result["sites"])
    result["goals"] = evaluate_goals(result["sites"], result["scaling"])
    result["report"] = report_lines(result)
    print("\n" + "\n".join(result["report"]))
    write_results(result)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}/latest.json and latest.md")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
