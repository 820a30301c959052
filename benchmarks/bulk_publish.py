#!/usr/bin/env python3
"""
How long a bulk action on thousands of records takes, and that no request
waits for it: a fresh SQLite site (production settings) with N synthetic
comparisons (default 5,000) on top of the seeds, gunicorn (2 workers) and the
task worker (`manage.py db_worker`) as production runs them. An editor selects
every comparison on the change list ("select all") and unpublishes them, then
publishes them again; each action's request only stores the job, the worker
does the work in chunks, and the editor's progress page is read every second.

    .venv/bin/python benchmarks/bulk_publish.py [--comparisons 5000] [--postgres]

It prints, per action: the records, the action's request, the slowest progress
page, the time until the worker finished, and the time per record.
"""

import argparse
import http.cookiejar
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.servers import (  # noqa: E402
    Gunicorn,
    TaskWorker,
    add_superuser,
    manage,
    prepare_site,
    site_environment,
    use_project_python,
)

use_project_python()

PASSWORD = "a-long-benchmark-password"
CHANGELIST = "/admin/comparisons/comparison/"


def fetch(session, url, data=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    try:
        with session.open(urllib.request.Request(url, data=body), timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(base_url):
    session = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    _status, page = fetch(session, base_url + "/admin/login/")
    data = {"csrfmiddlewaretoken": csrf_token(page), "username": "editor", "password": PASSWORD}
    status, _body = fetch(session, base_url + "/admin/login/?next=/admin/", data)
    assert status == 200, status
    return session


def timed_fetch(session, url, data=None):
    started = time.perf_counter()
    status, body = fetch(session, url, data)
    return status, body, (time.perf_counter() - started) * 1000


def run_action(session, base_url, action):
    """The action on every comparison, by "select all" on the change list; then its progress until done."""
    _status, changelist, _ms = timed_fetch(session, base_url + CHANGELIST)
    first_key = re.search(r'name="_selected_action" value="(\d+)"', changelist).group(1)
    data = {
        "csrfmiddlewaretoken": csrf_token(changelist),
        "action": action,
        "select_across": "1",
        "index": "0",
        "_selected_action": first_key,
    }
    started = time.monotonic()
    status, body, request_ms = timed_fetch(session, base_url + CHANGELIST, data)
    link = re.search(r'href="(/admin/comparisons/bulkaction/\d+/change/)"', body)
    if status != 200 or link is None:
        raise SystemExit(f"{action}: the change list answered {status} without a link to the job")
    slowest_poll, polls = 0.0, 0
    while True:
        status, page, poll_ms = timed_fetch(session, base_url + link.group(1))
        slowest_poll, polls = max(slowest_poll, poll_ms), polls + 1
        progress = re.search(r"Done: (\d+) of (\d+); changed: (\d+)", page)
        if "Stopped:" in page:
            raise SystemExit(f"{action}: the job stopped: {page[page.index('Stopped:') :][:200]}")
        if ">Finished<" in page or "Finished</div>" in page:
            break
        time.sleep(1)
    total = time.monotonic() - started
    done, records, changed = (int(group) for group in progress.groups())
    return {
        "action": action,
        "records": records,
        "changed": changed,
        "request_ms": request_ms,
        "slowest_progress_page_ms": slowest_poll,
        "progress_pages_read": polls,
        "seconds": total,
        "ms_per_record": total * 1000 / max(changed, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comparisons", type=int, default=5000)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server, not SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bulk-publish-"))
    database = None
    servers = []
    try:
        extra = {}
        if args.postgres:
            from tests.postgres import ThrowawayPostgres

            database = ThrowawayPostgres()
            database.start()
            extra["DATABASE_URL"] = database.url
        env = site_environment(folder, **extra)
        prepare_site(env)
        categories = max(10, int((2 * args.comparisons) ** 0.5) + 2)
        manage(
            env, "generatecontent", "--categories", str(categories), "--comparisons", str(args.comparisons)
        )
        add_superuser(env, "editor", PASSWORD)
        app = Gunicorn(
            env, folder / "gunicorn.log", workers=2, options=["-c", "outsourcing_kb/gunicorn.conf.py"]
        )
        servers.append(app)
        servers.append(TaskWorker(env, folder / "worker.log", interval=0.5))
        session = sign_in(app.url)
        rows = [run_action(session, app.url, action) for action in ("unpublish", "publish")]
        database_name = "PostgreSQL" if args.postgres else "SQLite"
        print(f"\nBulk actions on every comparison ({database_name}, gunicorn 2 workers, one task worker)\n")
        print("| action | records changed | its request | slowest progress page | until done | per record |")
        print("|---|---|---|---|---|---|")
        for row in rows:
            print(
                f"| {row['action']} | {row['changed']:,} of {row['records']:,} | {row['request_ms']:.0f} ms"
                f" | {row['slowest_progress_page_ms']:.0f} ms ({row['progress_pages_read']} read)"
                f" | {row['seconds']:.0f} s | {row['ms_per_record']:.1f} ms |"
            )
    finally:
        for server in reversed(servers):
            server.stop()
        if database is not None:
            database.remove()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
