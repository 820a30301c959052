"""Hardening: deploy checks, security headers on every kind of response, cookies, throttling, escaping."""

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from comparisons.models import Category
from outsourcing_kb.json_log import JsonFormatter
from tests.helpers import change
from tests.servers import PRODUCTION, ROOT, run_manage


@pytest.mark.servers
def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.servers
def test_manage_py_on_a_checkout_reads_the_key_make_run_made(tmp_path):
    """Commands run by hand after `make run` (createsuperuser, say) need no key in the environment."""
    checkout = tmp_path / "checkout"
    shutil.copytree(
        ROOT,
        checkout,
        ignore=shutil.ignore_patterns(
            ".*", "*.sqlite3", "staticfiles", "*.egg-info", "__pycache__", "benchmarks"
        ),
    )
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SECRET_KEY"}
    command = [sys.executable, "manage.py", "check"]
    refused = subprocess.run(
        command, cwd=checkout, env={**env, "DJANGO_DEBUG": ""}, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    (checkout / ".local-secret-key").write_text("a-key-made-by-make-run-for-this-checkout-only-1234567890\n")
    checked = subprocess.run(
        command, cwd=checkout, env={**env, "DJANGO_DEBUG": ""}, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.servers
def test_the_admin_path_is_configurable():
    result = run_manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        DJANGO_ADMIN_PATH="backstage",
        DJANGO_DEBUG="1",
    )
    assert result.stdout.strip().endswith("/backstage/"), result.stderr


PAGES = [
    "/en/",
    "/uk/bpo-vs-kpo/",
    "/de/bpo-vs-call-centre/",
    "/en/kpo-vs-ito/",
    "/en/categories/bpo/",
    "/en/compare/",
    "/en/search/?q=bpo",
    "/en/no-such-page/",
    "/admin/login/",
    "/health/",
    "/sitemap.xml",
    "/robots.txt",
]


@pytest.mark.parametrize("path", [*PAGES, "static"])
def test_security_headers_on_every_kind_of_response(client, db, settings, path):
    if path == "static":
        css = next((settings.STATIC_ROOT / "css").glob("site.*.css")).name
        path = f"/static/css/{css}"
    response = client.get(path)
    assert response.status_code < 500
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    if path.startswith("/static/"):
        return
    assert response["X-Frame-Options"] == "DENY"


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_SSL_REDIRECT=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    LANGUAGE_COOKIE_SECURE=True,
)
def test_https_production_sends_hsts_and_secure_cookies(client, db):
    assert client.get("/en/").status_code == 301  # plain HTTP is redirected
    response = client.get("/en/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    response = client.get(reverse("choose_language", args=["de"]), {"next": "/de/"}, secure=True)
    cookie = response.cookies["django_language"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    login = client.get("/admin/login/", secure=True)
    csrf = login.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]


def test_login_is_throttled_after_the_configured_number_of_failures(client, anna, settings):
    url = reverse("admin:login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "anna", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(url, {"username": "anna", "password": "wrong"}).status_code == 429
    # Locked out: even the right password is refused now.
    response = client.post(url, {"username": "anna", "password": "the-right-password-42"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.fixture
def anna(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("anna", "anna@example.com", "the-right-password-42")


def sign_in(client, username, password="wrong", **meta):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, **meta)


def test_one_user_name_is_locked_out_whichever_addresses_the_guesses_come_from(client, anna, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "anna", REMOTE_ADDR=f"198.51.100.{attempt}")
    response = sign_in(client, "anna", "the-right-password-42", REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429


def test_one_address_is_locked_out_whichever_user_names_it_tries(client, anna, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"user{attempt}", REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "anna", "the-right-password-42", REMOTE_ADDR="198.51.100.7").status_code == 429
    # Another address is not locked out by it.
    assert sign_in(client, "anna", "the-right-password-42", REMOTE_ADDR="198.51.100.8").status_code == 302


def test_a_rotated_forwarded_for_from_a_peer_that_is_not_the_balancer_is_ignored(client, anna, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        forwarded = f"203.0.113.{attempt}"  # a new address each time, if it were believed
        sign_in(client, f"user{attempt}", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=forwarded)
    response = sign_in(
        client,
        "anna",
        "the-right-password-42",
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


def test_behind_the_balancer_the_address_it_saw_is_throttled_not_the_ones_the_client_wrote(
    client, anna, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # Each guess claims another address; the balancer appends the real one.
        forwarded = f"198.51.100.{attempt}, 203.0.113.7"
        sign_in(client, f"user{attempt}", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    locked = sign_in(
        client, "anna", "the-right-password-42", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert locked.status_code == 429
    # The balancer's own address is not what counts: other readers behind it still sign in.
    response = sign_in(
        client, "anna", "the-right-password-42", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert response.status_code == 302


def test_the_client_is_the_nearest_forwarded_address_that_is_not_a_proxy_of_ours(rf, settings):
    from comparisons.client_address import client_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    chain = "forged, 198.51.100.1, 203.0.113.5, 10.1.2.3"  # the client, then our two proxies
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)) == "203.0.113.5"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.2"
    assert client_address(rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=chain)) == "192.0.2.1"


@pytest.mark.servers
def test_the_old_proxy_flag_without_the_proxies_refuses_to_start():
    result = run_manage("check", DJANGO_DEBUG="1", DJANGO_BEHIND_PROXY="1")
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


def test_a_weak_password_is_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password")


def test_markup_in_content_is_shown_as_text_never_run(client, db):
    change(Category.objects.filter(slug="bpo"), summary_en='<script>alert("x")</script><b>bold</b>')
    html = client.get("/en/categories/bpo/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    html = client.get("/en/search/", {"q": "<b>bold"}).content.decode()
    assert "<b>bold" not in html


def test_log_lines_are_json_without_personal_data(rf):
    request = rf.get("/en/secret/", HTTP_COOKIE="sessionid=abc123", REMOTE_ADDR="203.0.113.9")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/en/",), None
    )
    record.request = request
    record.status_code = 500
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["status_code"] == 500 and entry["path"] == "/en/secret/" and entry["level"] == "ERROR"
    assert "abc123" not in line and "203.0.113.9" not in line
