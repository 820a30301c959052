"""
Production settings that cannot work stop the start with a message; services
that do not answer are reported by `check --deploy` and /health/; the README's
production path (pip install ., REDIS_URL) caches pages in Redis.
"""

import importlib.metadata
import os
import subprocess
import sys
import urllib.request

import pytest
from packaging.requirements import Requirement

from tests.servers import (
    PRODUCTION,
    ROOT,
    Gunicorn,
    Redis,
    free_port,
    prepare_site,
    redis_server_program,
    run_manage,
    site_environment,
)


def test_every_documented_service_client_is_a_dependency_of_the_project():
    """`pip install .` brings what REDIS_URL needs (a plain dependency, not an extra)."""
    required = {
        Requirement(line).name
        for line in importlib.metadata.requires("outsourcing-kb")
        if "extra ==" not in line
    }
    assert {"redis", "psycopg", "gunicorn", "whitenoise"} <= required


@pytest.mark.servers
def test_redis_url_without_the_redis_client_stops_the_start_with_a_message():
    # As if the client were not installed: importing it fails.
    code = "import sys; sys.modules['redis'] = None; import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "REDIS_URL is set, but the Redis client is not installed" in result.stderr


@pytest.mark.servers
@pytest.mark.parametrize(
    "address",
    [
        "varnish.internal:6081",
        "http://varnish:abc/",
        "http://host:99999/",
        "http://[::1/",
        "http://:6081/",
        "http://a..b:6081/",
    ],
)
def test_a_purge_address_that_is_not_one_stops_the_start_with_a_message(address):
    result = run_manage("check", DJANGO_DEBUG="1", DJANGO_CACHE_PURGE_URLS=address)
    assert result.returncode != 0
    assert f"DJANGO_CACHE_PURGE_URLS: {address!r} is not an http:// or https:// address" in result.stderr


@pytest.mark.servers
def test_the_deploy_check_reports_a_cache_and_a_purge_address_that_do_not_answer():
    nobody = f"127.0.0.1:{free_port()}"
    result = run_manage(
        "check",
        "--deploy",
        **PRODUCTION,
        REDIS_URL=f"redis://{nobody}/0",
        DJANGO_CACHE_PURGE_URLS=f"http://{nobody}/",
    )
    assert result.returncode != 0
    assert f"(comparisons.E003) The cache at redis://{nobody}/0 does not store and return a value" in (
        result.stderr
    )
    assert f"(comparisons.W001) The HTTP cache at http://{nobody}/ (DJANGO_CACHE_PURGE_URLS) does not" in (
        result.stderr
    )


@pytest.mark.servers
@pytest.mark.skipif(redis_server_program() is None, reason="needs redis-server (Debian's redis-server)")
def test_with_redis_url_pages_are_cached_in_redis_and_health_says_so(tmp_path):
    import redis

    server = Redis(tmp_path / "redis")
    try:
        env = site_environment(tmp_path, REDIS_URL=server.url)
        prepare_site(env)
        site = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
        try:
            check = run_manage("check", "--deploy", "--fail-level", "ERROR", **{**PRODUCTION, **env})
            assert check.returncode == 0, check.stdout + check.stderr
            with urllib.request.urlopen(f"{site.url}/health/") as response:
                assert response.read() == b'{"status": "ok", "database": "ok", "cache": "ok", "tasks": "ok"}'
            with urllib.request.urlopen(f"{site.url}/en/bpo-vs-kpo/") as response:
                assert "s-maxage" in response.headers["Cache-Control"]
            stored = redis.Redis.from_url(server.url).keys("*page:*")
            assert stored, "no page was stored in Redis"
            assert "Traceback" not in site.log_tail(200)
        finally:
            site.stop()
    finally:
        server.stop()


PRODUCTION_ENV = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "outsourcing_kb.settings"}
