"""
Faults: a database outage gives readers a 503 page in their language, the
health check says so, and the site recovers by itself when the database returns.
Runs against real gunicorn workers and a real PostgreSQL server that the test
stops mid-run (Django's test client never closes connections, so it cannot show
recovery).
"""

import json
import os
import urllib.error
import urllib.request

import pytest
from django.urls import reverse
from django.utils import translation

from tests.postgres import server_binaries
from tests.servers import Gunicorn, prepare_site, prepared_postgres, site_environment

pytestmark = pytest.mark.servers


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


OPENER = urllib.request.build_opener(NoRedirects)


def get(url, https=True):
    """GET as the load balancer passes a reader's HTTPS request on (or, https=False, its own check)."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"} if https else {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def site_on_postgres(tmp_path):
    if server_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server binaries")
        pytest.skip("PostgreSQL server binaries are not installed")
    database = prepared_postgres()
    # As in production: HTTPS required, gunicorn believing X-Forwarded-Proto from
    # the loopback "balancer" only (its default when no configuration file is given).
    env = site_environment(tmp_path, DATABASE_URL=database.url, DATABASE_CONN_MAX_AGE="600", DJANGO_HTTPS="1")
    prepare_site(env)
    # One worker: each request reaches the one process whose connection the test breaks
    # (with two, nothing would prove that both were reached).
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    yield server.url, database, tmp_path / "gunicorn.log"
    server.stop()
    database.remove()


def test_outage_gives_a_localized_503_and_the_site_recovers_by_itself(site_on_postgres):
    base, database, log = site_on_postgres
    # Open the worker's persistent connection (a search is never served from the cache),
    # and put one page in the cache.
    assert get(f"{base}/uk/poshuk/?q=bpo")[0] == 200
    assert get(f"{base}/uk/bpo-vs-kpo/")[0] == 200

    database.stop()
    # A page in the cache is still served while the database is away.
    assert get(f"{base}/uk/bpo-vs-kpo/")[0] == 200
    for _ in range(2):  # with the connection that has just died, then with no connection
        status, headers, body = get(f"{base}/uk/poshuk/?q=kpo")
        assert status == 503
        assert '<html lang="uk">' in body
        assert "Тимчасово недоступно" in body
        assert headers["Retry-After"] == "30"
    status, headers, body = get(f"{base}/health/", https=False)
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert json.loads(body) == {
        "status": "unavailable",
        "database": "unavailable",
        "cache": "ok",
        "tasks": "unknown",
    }

    database.start()
    status, _headers, body = get(f"{base}/de/bpo-vs-kpo/")
    assert status == 200, body[:500]
    assert get(f"{base}/health/", https=False)[0] == 200

    # The outage was logged as structured lines, without anyone's address.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "database unavailable" for line in lines)
    assert "127.0.0.1" not in "".join(json.dumps(line) for line in lines)


def test_during_an_outage_paginated_lists_are_503_never_404_and_health_answers_over_http(site_on_postgres):
    base, database, _log = site_on_postgres
    with translation.override("uk"):
        comparisons = base + reverse("comparisons:comparison_list")
        categories = base + reverse("comparisons:category_list")
    # Plain HTTP is redirected to HTTPS, but not the balancer's health check.
    assert get(comparisons, https=False)[0] == 301
    assert get(f"{base}/health/", https=False)[0] == 200
    assert get(f"{comparisons}?category=bpo")[0] == 200  # the worker holds a connection

    database.stop()
    # Pages never cached (a 404 is not): each would be a 404 if the count could be made.
    for url in (f"{comparisons}?page=2", f"{comparisons}?category=bpo&page=2", f"{categories}?page=2"):
        for _ in range(2):
            status, headers, body = get(url)
            assert status == 503, body[:300]
            assert headers["Retry-After"] == "30"
            assert '<html lang="uk">' in body
    status, headers, _body = get(f"{base}/health/", https=False)
    assert (status, headers["Retry-After"]) == (503, "30")

    database.start()
    status, _headers, body = get(f"{comparisons}?category=kpo")
    assert status == 200, body[:300]
