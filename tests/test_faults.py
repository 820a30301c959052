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

from tests.postgres import ThrowawayPostgres, server_binaries
from tests.servers import Gunicorn, prepare_site, site_environment

pytestmark = pytest.mark.servers


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def site_on_postgres(tmp_path):
    if server_binaries() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have PostgreSQL's server binaries")
        pytest.skip("PostgreSQL server binaries are not installed")
    database = ThrowawayPostgres()
    database.start()
    env = site_environment(tmp_path, DATABASE_URL=database.url, DATABASE_CONN_MAX_AGE="600")
    prepare_site(env)
    server = Gunicorn(env, tmp_path / "gunicorn.log")
    yield server.url, database, tmp_path / "gunicorn.log"
    server.stop()
    database.remove()


def test_outage_gives_a_localized_503_and_the_site_recovers_by_itself(site_on_postgres):
    base, database, log = site_on_postgres
    # Warm both workers' persistent connections (a search is never served from the cache),
    # and put one page in the cache.
    for _ in range(6):
        assert get(f"{base}/uk/poshuk/?q=bpo")[0] == 200
    assert get(f"{base}/uk/bpo-vs-kpo/")[0] == 200

    database.stop()
    # A page in the cache is still served while the database is away.
    assert get(f"{base}/uk/bpo-vs-kpo/")[0] == 200
    for _ in range(4):  # each worker, with a connection that has just died
        status, headers, body = get(f"{base}/uk/poshuk/?q=kpo")
        assert status == 503
        assert '<html lang="uk">' in body
        assert "Тимчасово недоступно" in body
        assert headers["Retry-After"] == "30"
    status, _headers, body = get(f"{base}/health/")
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "database": "unavailable", "cache": "ok"}

    database.start()
    for _ in range(6):
        status, _headers, body = get(f"{base}/de/bpo-vs-kpo/")
        assert status == 200, body[:500]
    assert get(f"{base}/health/")[0] == 200

    # The outage was logged as structured lines, without anyone's address.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "database unavailable" for line in lines)
    assert "127.0.0.1" not in "".join(json.dumps(line) for line in lines)
