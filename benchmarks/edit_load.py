"""
Edit under load: Varnish in front of gunicorn, a Zipf-distributed read mix
over the site's public pages driven by wrk (zipf_mix.lua), and one edit a
second through the real write path, which purges Varnish after each commit
(DJANGO_CACHE_PURGE_URLS).

run.py starts the servers and runs wrk; this module makes the mix (which
pages, in which order of popularity), runs the editor, reads Varnish's
counters and sums the figures up. See benchmarks/README.md for what each
figure means.
"""

import itertools
import json
import queue
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

from tests.servers import MANAGE, ROOT

LUA = Path(__file__).resolve().with_name("zipf_mix.lua")
# The first pages of each list (page 1 is the list's own address, ?page=1 redirects to it).
LIST_PAGES = 3
LIST_PER_PAGE = 50  # comparisons/views.py PER_PAGE; pages past the end are left out


class Failed(Exception):
    """Something the edit-under-load run needs did not work; the message says what."""


# ----------------------------------------------------------------------------- the pages


# manage.py shell -c: every public page of the mix, one "kind<TAB>language<TAB>pk<TAB>path"
# a line, written to OUTPUT (set in front of this script).
SITE_PAGES = """
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from comparisons.models import Category, Comparison

slugs = [f"slug_{code}" for code, _name in settings.LANGUAGES]  # a column per language
comparisons = list(
    Comparison.objects.published().select_related("first", "second").order_by("pk")
    .only("pk", *(f"{category}__{slug}" for category in ("first", "second") for slug in slugs))
)
categories = list(Category.objects.order_by("pk").only("pk", *slugs))
lists = {
    "comparisons:comparison_list": len(comparisons),
    "comparisons:category_list": len(categories),
}
with open(OUTPUT, "w") as out:
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            out.write(f"home\\t{language}\\t\\t{reverse('comparisons:home')}\\n")
            for name, count in lists.items():
                pages = min(LIST_PAGES, max(1, -(-count // LIST_PER_PAGE)))
                for number in range(1, pages + 1):
                    query = f"?page={number}" if number > 1 else ""
                    out.write(f"list\\t{language}\\t\\t{reverse(name)}{query}\\n")
            for category in categories:
                out.write(f"category\\t{language}\\t{category.pk}\\t{category.get_absolute_url()}\\n")
            for comparison in comparisons:
                out.write(f"comparison\\t{language}\\t{comparison.pk}\\t{comparison.get_absolute_url()}\\n")
print("SITE-PAGES-WRITTEN")
"""


def list_pages(env, output):
    """[(kind, language, pk, path)] of every page in the mix, from the site's own URLs."""
    script = f"OUTPUT = {str(output)!r}\nLIST_PAGES = {LIST_PAGES}\nLIST_PER_PAGE = {LIST_PER_PAGE}\n"
    result = subprocess.run(
        [*MANAGE, "shell", "-c", script + SITE_PAGES],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or "SITE-PAGES-WRITTEN" not in result.stdout:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise Failed(f"manage.py shell could not list the site's pages:\n{tail}")
    rows = [tuple(line.split("\t")) for line in Path(output).read_text().splitlines()]
    return [(kind, language, int(pk) if pk else None, path) for kind, language, pk, path in rows]


def rank_pages(rows, seed):
    """The pages most read first: the homes, then every other page in a random order (seeded)."""
    homes = [row for row in rows if row[0] == "home"]
    others = [row for row in rows if row[0] != "home"]
    random.Random(seed).shuffle(others)
    return homes + others


def ranked_comparisons(ranked):
    """[(pk, language, path)] of each comparison at its most read page, most read first."""
    found, order = set(), []
    for kind, language, pk, path in ranked:
        if kind == "comparison" and pk not in found:
            found.add(pk)
            order.append((pk, language, path))
    return order


def write_mix(folder, ranked, threads):
    """Each wrk thread's pages (rank r to thread (r - 1) % threads) and the editor's comparisons."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [open(folder / f"pages-{k}.tsv", "w") for k in range(threads)]
    try:
        for rank, (_kind, _language, _pk, path) in enumerate(ranked, 1):
            files[(rank - 1) % threads].write(f"{rank}\t{path}\n")
    finally:
        for file in files:
            file.close()
    comparisons = ranked_comparisons(ranked)
    (folder / "comparisons.tsv").write_text(
        "".join(f"{pk}\t{language}\t{path}\n" for pk, language, path in comparisons)
    )
    for stale in folder.glob("seen*.txt"):
        stale.unlink()
    return comparisons


def zipf_shares(count, exponent, tops=(3, 100, 1000, 10_000)):
    """{k: share of the reads that go to the k most read of `count` pages}."""
    weights = list(itertools.accumulate(rank**-exponent for rank in range(1, count + 1)))
    return {k: weights[k - 1] / weights[-1] for k in tops if k < count}


def describe_mix(ranked, exponent, threads):
    kinds = {}
    for kind, *_rest in ranked:
        kinds[kind] = kinds.get(kind, 0) + 1
    # Each thread reads its own pages at its own pace, about the same as the others': the mix
    # is Zipf within a thread, and overall as far as the threads' shares of the weight are alike.
    weights = [0.0] * threads
    for rank in range(1, len(ranked) + 1):
        weights[(rank - 1) % threads] += rank**-exponent
    return {
        "pages": len(ranked),
        "thread_shares": [weight / sum(weights) for weight in weights],
        "kinds": kinds,
        "exponent": exponent,
        "threads": threads,
        "top_pages": [path for *_rest, path in ranked[:10]],
        "shares": {str(k): share for k, share in zipf_shares(len(ranked), exponent).items()},
    }


def next_run(folder, threads):
    """The pages read so far become the ones read before, for the next run."""
    for k in range(threads):
        out = folder / f"seen-out-{k}.txt"
        if out.exists():
            out.replace(folder / f"seen-{k}.txt")


def read_counts(folder):
    path = folder / "counts.json"
    if not path.exists():
        raise Failed("wrk's script wrote no counts (zipf_mix.lua done() did not run)")
    counts = json.loads(path.read_text())
    path.unlink()
    return counts


def mix_command(wrk, url, folder, exponent, seed, seconds, threads, timeout):
    """wrk with the mix: one connection per thread, so that each thread's "read before" is exact."""
    return [
        wrk,
        f"-t{threads}",
        f"-c{threads}",
        f"-d{seconds}s",
        f"--timeout={timeout}s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        str(folder),
        repr(float(exponent)),
        str(seed),
    ]


# ----------------------------------------------------------------------------- Varnish's counters


COUNTERS = (
    "MAIN.client_req",
    "MAIN.cache_hit",
    "MAIN.cache_miss",
    "MAIN.cache_hitpass",
    "MAIN.cache_hitmiss",
    "MAIN.backend_req",
    "MAIN.n_lru_nuked",
    "MAIN.n_object",
)


def varnishstat():
    return shutil.which("varnishstat") or shutil.which("varnishstat", path="/usr/bin:/usr/local/bin")


def varnish_counters(state_folder):
    """Varnish's counters now ({name: value}), from `varnishstat -n <its -n folder> -1 -j`."""
    program = varnishstat()
    if not program:
        raise Failed("varnishstat is not installed")
    result = subprocess.run(
        [program, "-n", str(state_folder), "-1", "-j"], capture_output=True, text=True, timeout=30
    )
    if result.returncode != 0:
        raise Failed(f"varnishstat exited with {result.returncode}: {result.stderr.strip()[-500:]}")
    data = json.loads(result.stdout)
    counters = data.get("counters", data)  # Varnish 6.5 and later nest them
    return {
        name: counters[name]["value"]
        for name in COUNTERS
        if isinstance(counters.get(name), dict) and "value" in counters[name]
    }


def settled_counters(state_folder, quiet=1.0, timeout=15):
    """
    Varnish's counters once they stop moving. A worker thread adds up the counts of a
    client's connection when it is done with it, and wrk does not wait for the misses in
    flight when its time is up: read at once, a run's counters would miss whole connections.
    """
    last, since = varnish_counters(state_folder), time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = varnish_counters(state_folder)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def delta(before, after):
    # n_object is a gauge: its value at the end, not a difference.
    return {
        name: after[name] if name == "MAIN.n_object" else after[name] - before.get(name, 0) for name in after
    }


# ----------------------------------------------------------------------------- the editor


# manage.py shell -c, on the site's own environment (so its purges reach Varnish):
# waits for "edit SECONDS" on stdin, then changes one comparison's conclusion a
# second for that long inside change_set(), chosen by Zipf over the comparisons
# ranked by their most read page, and prints each edit and the count.
EDITOR = """
import bisect, itertools, json, random, sys, time, traceback
from comparisons.changes import change_set
from comparisons.models import Comparison

ranked = [line.rstrip("\\n").split("\\t") for line in open(RANKED)]
cumulative = list(itertools.accumulate(rank ** -EXPONENT for rank in range(1, len(ranked) + 1)))
chooser = random.Random(SEED)
print("EDITOR-READY", len(ranked), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words or words[0] != "edit":
        continue
    seconds = float(words[1])
    started = time.monotonic()
    made = failed = 0
    while True:
        due = started + 0.5 + made + failed
        if due >= started + seconds:
            break
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        index = bisect.bisect_left(cumulative, chooser.random() * cumulative[-1])
        pk, language, path = ranked[index]
        began = time.monotonic()
        try:
            with change_set(reason="Benchmark: one edit a second under load"):
                comparison = Comparison.objects.get(pk=int(pk))
                field = "conclusion_" + language
                setattr(comparison, field, (getattr(comparison, field) or "") + " edited")
                comparison.save()
        except Exception:
            failed += 1
            print("EDIT-FAILED " + json.dumps({"rank": index + 1, "pk": int(pk),
                  "error": traceback.format_exc()[-1500:]}), flush=True)
            continue
        made += 1
        print("EDIT " + json.dumps({
            "rank": index + 1, "pk": int(pk), "language": language, "path": path,
            "at": round(began - started, 2), "ms": round((time.monotonic() - began) * 1000, 1),
        }), flush=True)
    print("EDITS", made, failed, flush=True)
"""


class Editor:
    """The editor's process: started once, told to edit for a run's length, stopped at the end."""

    def __init__(self, env, ranked_file, exponent, seed, log_path):
        script = f"RANKED = {str(ranked_file)!r}\nEXPONENT = {float(exponent)!r}\nSEED = {seed!r}\n"
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [*MANAGE, "shell", "-c", script + EDITOR],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()
        self.wait_for("EDITOR-READY", 180)

    def read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, prefix, timeout):
        """The lines up to and including the first that starts with ``prefix``."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
                if time.monotonic() < deadline:
                    continue
            if line is None or time.monotonic() > deadline:
                self.log.flush()
                errors = Path(self.log.name).read_text(errors="replace").strip().splitlines()[-15:]
                raise Failed(
                    f"the editor (manage.py shell) gave no {prefix!r}"
                    f"{' and exited' if line is None else f' in {timeout} s'}:\n" + "\n".join(errors)
                )
            seen.append(line)
            if line.startswith(prefix):
                return seen

    def start(self, seconds):
        self.process.stdin.write(f"edit {seconds}\n")
        self.process.stdin.flush()

    def finish(self, seconds):
        """The edits of the last start(): ([edit], [failure])."""
        lines = self.wait_for("EDITS ", seconds + 120)
        edits = [json.loads(line.removeprefix("EDIT ")) for line in lines if line.startswith("EDIT {")]
        failures = [
            json.loads(line.removeprefix("EDIT-FAILED ")) for line in lines if line.startswith("EDIT-FAILED ")
        ]
        return edits, failures

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# ----------------------------------------------------------------------------- the figures


def ratio(part, whole):
    return part / whole if whole else None


def run_figures(name, seconds, edits, counts, varnish, wrk_figures):
    """One run's figures: the wrk script's counts, Varnish's counter deltas and wrk's own output."""
    duration = counts["duration_us"] / 1e6 if counts.get("duration_us") else None
    hits, misses = varnish.get("MAIN.cache_hit", 0), varnish.get("MAIN.cache_miss", 0)
    return {
        "name": name,
        "seconds": seconds,
        "edits": edits,
        "requests": counts["requests"],
        "requests_per_second": counts["requests"] / duration if duration else None,
        "p50_ms": counts["p50_us"] / 1000,
        "p99_ms": counts["p99_us"] / 1000,
        "errors": wrk_figures["errors"],
        "error_count": wrk_figures["error_count"],
        "not_ok": counts["not_ok"],
        "hit_ratio_varnish": ratio(hits, hits + misses),
        "hit_ratio_script": ratio(counts["hits"], counts["hits"] + counts["misses"]),
        "reread_hit_ratio": ratio(counts["reread_hits"], counts["reread_hits"] + counts["reread_misses"]),
        "first_read_share": ratio(counts["first_reads"], counts["requests"]),
        "origin_requests": varnish.get("MAIN.backend_req"),
        "lua": counts,
        "varnish": varnish,
    }


def summarise(runs, edits, failures, comparison_count, exponent):
    """The edit run against the no-edit runs on either side of it."""
    by_name = {run["name"]: run for run in runs}
    before, during, after = by_name.get("no edits"), by_name.get("edits"), by_name.get("no edits, after")
    summary = {"edits": len(edits), "failed_edits": len(failures)}
    if not before or not during:
        return summary
    quiet = [run for run in (before, after) if run]
    rates = [run["requests_per_second"] for run in quiet if run["requests_per_second"]]
    baseline = sum(rates) / len(rates) if rates else None
    summary["throughput_ratio"] = ratio(during["requests_per_second"], baseline)
    summary["no_edit_requests_per_second"] = baseline
    # What the edits cost: the edit run's and the next run's (pages purged in the edit run
    # and read again after it) over twice the run before any edit.
    counted = [run["origin_requests"] for run in (during, after) if run]
    if edits and before["origin_requests"] is not None and None not in counted:
        summary["origin_renders_per_edit"] = (sum(counted) - len(counted) * before["origin_requests"]) / len(
            edits
        )
    base_misses = before["lua"]["reread_misses"]
    summary["reread_misses_edit_run"] = during["lua"]["reread_misses"] - base_misses
    if after:
        summary["reread_misses_after"] = after["lua"]["reread_misses"] - base_misses
    if edits:
        caused = summary["reread_misses_edit_run"] + summary.get("reread_misses_after", 0)
        summary["reread_misses_per_edit"] = caused / len(edits)
        ranks = sorted(edit["rank"] for edit in edits)
        counted = {}
        for edit in edits:
            counted[edit["rank"]] = counted.get(edit["rank"], 0) + 1
        summary["edited"] = {
            "comparisons_ranked": comparison_count,
            "exponent": exponent,
            "distinct": len(counted),
            "median_rank": ranks[len(ranks) // 2],
            "most_edited": sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:5],
            "slowest_ms": max(edit["ms"] for edit in edits),
            "median_ms": sorted(edit["ms"] for edit in edits)[len(edits) // 2],
        }
    return summary
