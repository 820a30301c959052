#!/usr/bin/env python3
"""
Load benchmark of the public pages under gunicorn, driven by wrk on loopback.

For each database (SQLite; PostgreSQL with persistent connections) and each
size (the seeded content; 100 000 synthetic comparisons on top of it) a fresh
site is prepared in a temporary folder, served by gunicorn with production
settings, warmed up, and every page is loaded with wrk. The figures are
printed side by side, with the goals marked PASS or FAIL, and written to
benchmarks/results/latest.json and latest.md.

Nothing here asserts a time: it reports. The exit code is 1 only when
something broke (a site or a server could not be set up, wrk is missing).

    .venv/bin/python benchmarks/run.py            # everything, about 15 minutes
    .venv/bin/python benchmarks/run.py --quick    # SQLite, seeded size, short runs
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
from tests.servers import Gunicorn, manage, prepare_site, site_environment, use_project_python  # noqa: E402

use_project_python()

GUNICORN_CONF = ROOT / "outsourcing_kb" / "gunicorn.conf.py"
PAIR = "bpo-vs-kpo"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# Sizes: a name, and the generatecontent options that make it (none: the seeded content only).
SIZES = {
    "seeded": None,
    "100k": ["--categories", "1000", "--comparisons", "100000"],
}
GOAL_CACHED = 0.8
GOAL_UNCACHED = 0.3
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
    """(key, label, path, expected to come from the page cache) in the order they are measured."""
    pages = [
        ("static", "static CSS (whitenoise)", css_path, None),
        ("health", "/health/", "/health/", None),
        ("home", "home /en/ (cached)", "/en/", True),
        ("search", "search /en/search/?q=bpo", "/en/search/?q=bpo", False),
    ]
    for language in languages:
        path = f"/{language}/{PAIR}/"
        pages.append((f"comparison-{language}-cached", f"{path} cached", path, True))
        pages.append((f"comparison-{language}-uncached", f"{path} uncached", f"{path}?nocache=1", False))
    if synthetic_url:
        pages.append(("synthetic-cached", f"{synthetic_url} cached", synthetic_url, True))
        pages.append(("synthetic-uncached", f"{synthetic_url} uncached", f"{synthetic_url}?nocache=1", False))
    return pages


def benchmark_site(database, size, args, wrk, workdir):
    """Prepare, serve, warm up and measure one site; always stops what it started."""
    label = f"{DATABASES[database]} · {size}"
    record = {
        "database": database,
        "size": size,
        "label": label,
        "status": "failed",
        "error": None,
        "pages": [],
    }
    folder = Path(tempfile.mkdtemp(prefix=f"{database}-{size}-", dir=workdir))
    postgres = server = None
    started = time.monotonic()
    try:
        log(f"\n=== {label}: preparing a fresh site in {folder}")
        extra = {"DATABASE_CONN_MAX_AGE": str(args.conn_max_age)}
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
        server = start_gunicorn(env, folder / "gunicorn.log", args.workers)
        record["gunicorn"] = {"command": " ".join(server.command[1:]), "worker_class": worker_class(server)}
        log(f"    gunicorn on {server.url}, worker class {record['gunicorn']['worker_class']}")

        # Warm-up: the home page first (it names the hashed stylesheet), then each
        # page a few times so that both workers have loaded and the cache is filled.
        status, _headers, body = fetch(server.port, "/en/")
        if status != 200:
            raise Broken(f"/en/ answered {status}; gunicorn's log:\n{server.log_tail()}")
        match = re.search(rb'href="(/static/css/site\.[0-9a-f]+\.css)"', body)
        if not match:
            raise Broken("the home page names no hashed stylesheet /static/css/site.<hash>.css")
        pages = pages_of(match.group(1).decode(), facts["synthetic_url"], facts["languages"])
        warmup = {}
        for key, _label, path, _cached in pages:
            for _ in range(2 * args.workers):
                status, headers, body = fetch(server.port, path)
            warmup[key] = {"status": status, "etag": "etag" in headers, "bytes": len(body)}
        if args.warmup > 0:
            for _key, _label, path, _cached in pages:
                run_wrk(wrk, server.url + path, args.warmup, args)

        # Rounds, each in the reverse order of the one before: a drift of the
        # machine's speed during the run touches every page alike, the static
        # file included, instead of whichever pages came last.
        runs = {key: [] for key, *_rest in pages}
        for round_index in range(args.rounds):
            order = pages if round_index % 2 == 0 else pages[::-1]
            log(f"    round {round_index + 1} of {args.rounds}")
            for key, page_label, path, _cached in order:
                measured, raw = run_wrk(wrk, server.url + path, args.seconds, args)
                runs[key].append((measured, raw))
                log(
                    f"      {page_label:<46} {fmt_rps(measured['requests_per_second']):>9} req/s  "
                    f"p50 {fmt_ms(measured['p50_ms']):>9}  p99 {fmt_ms(measured['p99_ms']):>9}  "
                    f"errors {measured['error_count']}"
                )
        for key, page_label, path, cached in pages:
            notes = []
            if warmup[key]["status"] != 200:
                notes.append(f"answered {warmup[key]['status']} when warming up")
            if cached is True and not warmup[key]["etag"]:
                notes.append("not served from the page cache (no ETag)")
            if cached is False and warmup[key]["etag"]:
                notes.append("served from the page cache (has an ETag)")
            row = {
                "key": key,
                "label": page_label,
                "path": path,
                "bytes": warmup[key]["bytes"],
                "warmup_status": warmup[key]["status"],
                "cached": warmup[key]["etag"],
                "notes": notes,
                **combine_rounds([measured for measured, _raw in runs[key]]),
                "wrk_output": [raw for _measured, raw in runs[key]],
            }
            record["pages"].append(row)
        add_ratios(record)
        record["status"] = "ok"
        record["server_log_tail"] = server.log_tail(10)
    except Broken as error:
        record["error"] = str(error)
        log(f"    FAILED: {error}")
    finally:
        if server is not None:
            server.stop()
        if postgres is not None:
            postgres.remove()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        record["total_seconds"] = round(time.monotonic() - started, 1)
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
        f"{facts['comparison_rows']:,} rows; workers: {record['gunicorn']['worker_class']})"
    )
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
        for kind, threshold in (("cached", GOAL_CACHED), ("uncached", GOAL_UNCACHED)):
            ratios = {
                lang: (page(record, f"comparison-{lang}-{kind}") or {}).get("ratio_to_static")
                for lang in record["site"]["languages"]
            }
            known = [r for r in ratios.values() if r is not None]
            ok = all(r >= threshold for r in known) if len(known) == len(ratios) else None
            detail = ", ".join(f"{lang} {fmt_ratio(r)}" for lang, r in ratios.items())
            add(f"{kind} comparison page ≥ {threshold}× static req/s", record["label"], ok, detail)
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
    lines.append("Goals")
    for goal in result["goals"]:
        lines.append(f"  [{goal['status']}] {goal['scope']}: {goal['goal']} — {goal['detail']}")
    if result["problems"]:
        lines += ["", "Problems"] + [f"  {problem}" for problem in result["problems"]]
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
    parser.add_argument("--keep", action="store_true", help="keep the sites' temporary folders")
    args = parser.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else 1
    args.databases = (args.databases or ("sqlite" if args.quick else "sqlite,postgres")).split(",")
    args.sizes = (args.sizes or ("seeded" if args.quick else "seeded,100k")).split(",")
    for name, chosen, known in (("database", args.databases, DATABASES), ("size", args.sizes, SIZES)):
        unknown = [item for item in chosen if item not in known]
        if unknown:
            parser.error(f"unknown {name}: {', '.join(unknown)} (known: {', '.join(known)})")
    return args


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
        for database in args.databases:
            for size in args.sizes:
                record = benchmark_site(database, size, args, wrk, workdir)
                result["sites"].append(record)
                if record["status"] != "ok":
                    result["problems"].append(f"{record['label']}: {record['error']}")
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
