"""
Varnish in front of the site, as production runs it: varnishd started from
the repository's VCL (outsourcing_kb/varnish/site.vcl) in front of a real
gunicorn on a real PostgreSQL server, purged by the site after each change.
"""

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from email.utils import formatdate

import pytest
from django.urls import reverse
from django.utils import translation

from tests.helpers import PASSWORD
from tests.postgres import server_binaries
from tests.servers import (
    Gunicorn,
    Varnish,
    add_superuser,
    fetch,
    free_port,
    manage,
    prepare_site,
    prepared_postgres,
    run_due_tasks,
    sign_in,
    site_environment,
    unpublish,
    varnishd,
)

pytestmark = pytest.mark.servers

PAGE = "/en/bpo-vs-kpo/"
RELATED = "/uk/bpo-vs-call-centre/"  # lists BPO vs KPO among its related comparisons
UNRELATED = "/de/ito-vs-call-centre/"


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def required(program, found):
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must have {program} (see .ci/run)")
        pytest.skip(f"{program} is not installed")


@contextmanager
def varnish_in_front(tmp_path, other_purge_urls=()):
    """PostgreSQL, gunicorn, and Varnish in front, purged by the site (and any other addresses given)."""
    required("varnishd", varnishd())
    required("PostgreSQL's server binaries", server_binaries())
    database = prepared_postgres()
    varnish_port = free_port()
    env = site_environment(
        tmp_path,
        DATABASE_URL=database.url,
        DJANGO_CACHE_PURGE_URLS=",".join([f"http://127.0.0.1:{varnish_port}/", *other_purge_urls]),
        # The second purge of each change, two seconds later, would make the hits
        # below depend on how long the test takes (test_cache.py tests it).
        DJANGO_CACHE_PURGE_REPEAT_SECONDS="0",
    )
    app = varnish = None
    try:
        # Set up before any cache is in front: the seeds leave no purge to send.
        setup_env = {name: value for name, value in env.items() if name != "DJANGO_CACHE_PURGE_URLS"}
        prepare_site(setup_env)
        add_superuser(setup_env, "anna", PASSWORD)
        app = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
        varnish = Varnish(app.url, tmp_path / "varnish", port=varnish_port)
        yield varnish, app, database, env
    finally:
        for server in (varnish, app):
            if server is not None:
                server.stop()
        database.remove()


@pytest.fixture
def site_behind_varnish(tmp_path):
    with varnish_in_front(tmp_path) as site:
        yield site


SITEMAP = "/sitemap-comparisons-en.xml"


def test_varnish_serves_hits_sees_edits_at_once_and_outlives_the_database(site_behind_varnish):
    varnish, app, database, env = site_behind_varnish
    front = varnish.url
    with translation.override("uk"):
        never_read = reverse("comparisons:category_detail", kwargs={"slug": "contact-centre"})

    # A second read is a hit, whatever tracking parameters a link adds.
    for path in (PAGE, RELATED, UNRELATED):
        status, headers, _body = get(front + path)
        assert (status, headers["X-Cache"]) == (200, "MISS"), path
        status, headers, _body = get(front + path)
        assert (status, headers["X-Cache"]) == (200, "HIT"), path
    status, headers, _body = get(f"{front}{PAGE}?utm_source=newsletter&fbclid=x1")
    assert (status, headers["X-Cache"]) == (200, "HIT")
    # So are what crawlers read, sent with a cookie or not.
    for path in ("/robots.txt", "/sitemap.xml", SITEMAP):
        assert get(front + path)[1]["X-Cache"] == "MISS", path
        assert get(front + path + "?utm_source=x", {"Cookie": "a=b"})[1]["X-Cache"] == "HIT", path
    # Browsers are told to revalidate; only Varnish keeps the page, and hears of changes.
    assert headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "xkey" not in {name.lower() for name in headers}
    assert get(front + PAGE, {"If-None-Match": headers["ETag"]})[0] == 304
    # A purge names its keys.
    request = urllib.request.Request(front + "/", method="PURGE")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400

    # An editor takes BPO vs KPO off the site through the admin (through Varnish, too).
    unpublish(sign_in(front, "anna", PASSWORD), front, "BPO", "KPO")
    run_due_tasks(env)  # the task worker tells Varnish

    # The next read shows it, on the page and where its title was listed...
    status, headers, body = get(front + PAGE)
    assert (status, headers["X-Cache"]) == (200, "MISS") and "generated-notice" in body
    status, headers, body = get(front + RELATED)
    assert headers["X-Cache"] == "MISS" and "bpo-vs-kpo" not in body
    status, headers, body = get(front + SITEMAP)
    assert headers["X-Cache"] == "MISS" and "bpo-vs-kpo" not in body
    assert get(front + "/robots.txt")[1]["X-Cache"] == "HIT"
    # ...and a page that does not show it is still a hit.
    assert get(front + UNRELATED)[1]["X-Cache"] == "HIT"
    assert get(front + PAGE)[1]["X-Cache"] == "HIT"

    # With the database stopped, readers still get every cached page.
    database.stop()
    for path in (PAGE, RELATED, UNRELATED):
        status, headers, _body = get(front + path)
        assert (status, headers["X-Cache"]) == (200, "HIT"), path
    # A page never cached is the site's own 503 page, in the reader's language.
    status, headers, body = get(front + never_read)
    assert status == 503 and '<html lang="uk">' in body and headers["Retry-After"] == "30"

    # Even with every page expired and the app servers gone, the expired pages are served.
    app.stop()
    request = urllib.request.Request(front + "/", method="PURGE", headers={"xkey-softpurge": "all"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    for path in (PAGE, RELATED, UNRELATED):
        status, headers, _body = get(front + path)
        assert (status, headers["X-Cache"]) == (200, "HIT"), path
    assert get(front + never_read)[0] == 503


# A draft of BPO vs KPO with a new key difference, saved as the editor anna would through the admin.
SAVE_DRAFT = """
from django.contrib.auth.models import User
from comparisons import changes, drafts
from comparisons.models import Comparison
from comparisons.snapshots import Snapshot, restored_for_now
anna = User.objects.get(username="anna")
comparison = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
published = {(type(part), part.pk) for part in changes.current_parts(Comparison, comparison.pk)}
base_token = comparison.edit_token
with restored_for_now(None):
    with changes.change_set(user=anna):
        comparison.key_difference_en = "Drafted behind Varnish."
        comparison.save()
    records = Snapshot.of_record(Comparison, comparison.pk, published).records
drafts.save(Comparison, comparison.pk, records, anna, base_token=base_token)
print(comparison.pk)
"""
PUBLISH_DRAFT = """
from django.contrib.auth.models import User
from comparisons import drafts
from comparisons.models import Comparison, Draft
comparison = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
drafts.publish(Draft.objects.for_record(Comparison, comparison.pk), User.objects.get(username="anna"))
"""


def test_varnish_never_serves_a_draft_and_serves_it_once_published(site_behind_varnish):
    varnish, _app, _database, env = site_behind_varnish
    front = varnish.url
    for expected in ("MISS", "HIT"):
        assert get(front + PAGE)[1]["X-Cache"] == expected
    pk = manage(env, "shell", "-c", SAVE_DRAFT).stdout.split()[-1]

    # Readers: the published page, still from Varnish.
    status, headers, body = get(front + PAGE)
    assert (status, headers["X-Cache"]) == (200, "HIT") and "Drafted behind Varnish." not in body
    # Staff: the preview, through Varnish too, never kept there.
    editor = sign_in(front, "anna", PASSWORD)
    preview = f"{front}/admin/comparisons/comparison/{pk}/preview/en/"
    for _read in range(2):
        status, headers, body = fetch(editor, preview)
        assert (status, headers["X-Cache"]) == (200, "MISS")
        assert "Drafted behind Varnish." in body and "no-store" in headers["Cache-Control"]
    # An anonymous request for the preview is sent to sign in, and nothing of it was cached.
    status, _headers, body = get(preview)
    assert status == 200 and "Drafted behind Varnish." not in body  # the login page, after the redirect
    status, headers, body = get(front + PAGE)
    assert headers["X-Cache"] == "HIT" and "Drafted behind Varnish." not in body

    # Published: purged, and the next read has it.
    manage(env, "shell", "-c", PUBLISH_DRAFT)
    run_due_tasks(env)
    status, headers, body = get(front + PAGE)
    assert (status, headers["X-Cache"]) == (200, "MISS") and "Drafted behind Varnish." in body
    assert get(front + PAGE)[1]["X-Cache"] == "HIT"


CHANGE_CONCLUSION = """
from comparisons.models import Comparison
comparison = Comparison.objects.get(first__slug="bpo", second__slug="kpo")
comparison.conclusion_en = "Changed behind Varnish."
comparison.save()
"""


def test_a_client_revalidating_by_date_never_gets_a_304_for_a_changed_page(site_behind_varnish):
    varnish, _app, _database, env = site_behind_varnish
    front = varnish.url
    get(front + PAGE)
    status, headers, _body = get(front + PAGE)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    fetched_at = headers["Date"]

    manage(env, "shell", "-c", CHANGE_CONCLUSION)
    run_due_tasks(env)
    status, headers, body = get(front + PAGE)
    assert "Changed behind Varnish." in body
    assert get(front + PAGE)[1]["X-Cache"] == "HIT"

    # A client holding the old page asks whether it changed since it fetched it. HTTP
    # dates count whole seconds: a client that fetched the old page in the second the
    # new one was rendered sends the new page's own date (Varnish took it for the
    # page's Last-Modified, and answered 304); so does one whose clock says a second ago.
    for since in (fetched_at, headers["Date"], formatdate(time.time() - 1, usegmt=True)):
        status, _headers, body = get(front + PAGE, {"If-Modified-Since": since})
        assert status == 200, since
        assert "Changed behind Varnish." in body
    # The ETag still decides: the current page's is a 304.
    assert get(front + PAGE, {"If-None-Match": headers["ETag"]})[0] == 304


class HangingCache:
    """A purge address that accepts connections and never answers: a cache in front that hangs."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/"
        self.connections = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.server.close()
        for connection in self.connections:
            connection.close()


def test_a_save_never_waits_for_the_caches_in_front_and_no_purge_dies_with_its_process(tmp_path):
    hanging = HangingCache()
    try:
        with varnish_in_front(tmp_path, [hanging.url]) as (varnish, app, _database, env):
            front = varnish.url
            get(front + PAGE)
            assert get(front + PAGE)[1]["X-Cache"] == "HIT"

            # The editor's save answers without a word to the caches in front, the hanging one included.
            unpublish(sign_in(front, "anna", PASSWORD), front, "BPO", "KPO")
            assert hanging.connections == []
            status, headers, body = get(front + PAGE)
            assert headers["X-Cache"] == "HIT" and "generated-notice" not in body  # not told yet

            # The app server that made the change stops (a deploy): its purges are in the database,
            # and the task worker, a process of its own, delivers them.
            app.stop()
            run_due_tasks(env)
            assert hanging.connections  # tried, and left to a retry
            app = Gunicorn(env, tmp_path / "gunicorn-after.log", workers=1, port=app.port)
            try:
                status, headers, body = get(front + PAGE)
                assert (status, headers["X-Cache"]) == (200, "MISS") and "generated-notice" in body
            finally:
                app.stop()
    finally:
        hanging.close()
