"""The page cache: shared, keyed by content version, never stale; conditional GET."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils.http import http_date

from comparisons.cache import content_version
from comparisons.models import Comparison
from tests.conftest import PASSWORD, bpo_vs_kpo, editor, form_data
from tests.servers import Gunicorn, manage, prepare_site, site_environment

PAGE = "/en/bpo-vs-kpo/"


def test_pages_carry_validators_and_revalidate(client, seeded):
    response = client.get(PAGE)
    assert response["ETag"] and response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    not_modified = client.get(PAGE, headers={"if-none-match": response["ETag"]})
    assert not_modified.status_code == 304
    assert (
        not_modified["ETag"] == response["ETag"]
        and not_modified["Cache-Control"] == response["Cache-Control"]
    )
    assert client.get(PAGE, headers={"if-none-match": '"something-else"'}).status_code == 200
    # A date at or after the version's exact time: the client has this version.
    _token, changed = content_version()
    later = http_date(changed + 1)
    assert client.get(PAGE, headers={"if-modified-since": later}).status_code == 304


def test_two_saves_in_one_second_never_give_a_stale_304(
    client, seeded, monkeypatch, django_capture_on_commit_callbacks
):
    import comparisons.cache

    now = [1_800_000_000.2]  # the versions' clock, a fraction of a second apart
    monkeypatch.setattr(comparisons.cache, "time", SimpleNamespace(time=lambda: now[0]))
    comparison = bpo_vs_kpo()
    comparison.key_difference_en = "The first save."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    first = client.get(PAGE)
    assert "The first save." in first.content.decode()
    now[0] = 1_800_000_000.7
    comparison.key_difference_en = "The second save, in the same second."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    # Revalidating with the date only: both versions' Last-Modified is the same second.
    again = client.get(PAGE, headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 200
    assert "The second save, in the same second." in again.content.decode()
    assert again["Last-Modified"] == first["Last-Modified"] and again["ETag"] != first["ETag"]
    assert client.get(PAGE, headers={"if-none-match": again["ETag"]}).status_code == 304


def test_a_disallowed_host_is_refused_even_for_a_cached_page(client, seeded):
    assert client.get(PAGE).status_code == 200
    client.raise_request_exception = False
    assert client.get(PAGE, headers={"host": "evil.example.com"}).status_code == 400
    response = client.get(PAGE, headers={"host": "evil.example.com", "if-none-match": "*"})
    assert response.status_code == 400


def test_a_cached_page_names_only_the_host_it_was_asked_at(client, seeded):
    pages = {
        host: client.get(PAGE, headers={"host": host}).content.decode()
        for host in ("localhost", "testserver")
    }
    pages["localhost again"] = client.get(PAGE, headers={"host": "localhost"}).content.decode()
    for host, other in (
        ("localhost", "testserver"),
        ("testserver", "localhost"),
        ("localhost again", "testserver"),
    ):
        assert f'<link rel="canonical" href="http://{host.split()[0]}/en/bpo-vs-kpo/">' in pages[host]
        assert f'"url": "http://{host.split()[0]}/en/bpo-vs-kpo/"' in pages[host]
        assert other not in pages[host]


def test_an_admin_save_makes_the_page_fresh(seeded, django_capture_on_commit_callbacks):
    admin = editor("anna")
    first = admin.get(PAGE)
    obj = bpo_vs_kpo()
    url = f"/admin/comparisons/comparison/{obj.pk}/change/"
    data = form_data(admin.get(url))
    data["key_difference_en"] = "A freshly edited key difference."
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url, data).status_code == 302
    second = admin.get(PAGE)
    assert "A freshly edited key difference." in second.content.decode()
    assert second["ETag"] != first["ETag"]
    assert admin.get(PAGE, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_bulk_publication_and_imports_make_pages_fresh(client, seeded, django_capture_on_commit_callbacks):
    admin = editor("anna")
    client.get(PAGE)
    obj = bpo_vs_kpo()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/admin/comparisons/comparison/", {"action": "unpublish", "_selected_action": [obj.pk]})
    assert "generated-notice" in client.get(PAGE).content.decode()
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loadcontent", verbosity=0)
    assert content_version() != before
    assert "generated-notice" not in client.get(PAGE).content.decode()


def test_a_rolled_back_change_leaves_the_cache_alone(seeded):
    before = content_version()
    obj = Comparison.objects.first()
    obj.save()  # inside the test's transaction: never committed
    assert content_version() == before


def test_search_and_admin_pages_are_not_cached(client, seeded):
    assert "ETag" not in client.get("/en/search/", {"q": "bpo"})
    assert "ETag" not in client.get("/admin/login/")


@pytest.fixture
def two_servers(tmp_path):
    """
    Two app servers, as behind a load balancer, sharing one database and one
    cache. One worker each: a request to a server then surely reaches the
    process whose state the test is about (with two, which one answers is the
    kernel's choice, and nothing proves both were reached).
    """
    env = site_environment(tmp_path)
    prepare_site(env)
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser('anna', 'anna@example.com', '{PASSWORD}')",
    )
    servers = [Gunicorn(env, tmp_path / f"server-{name}.log", workers=1) for name in ("a", "b")]
    yield servers
    for server in servers:
        server.stop()


def browser_session():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def fetch(opener, url, data=None, headers=None):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def csrf_token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.servers
def test_an_edit_through_one_server_is_seen_at_once_through_the_other(two_servers):
    server_a, server_b = two_servers
    reader, _jar = browser_session()
    status, headers, body = fetch(reader, server_b.url + PAGE)  # server B has the page cached now
    assert status == 200 and "generated-notice" not in body
    assert fetch(reader, server_b.url + PAGE)[1]["ETag"] == headers["ETag"]
    etag = headers["ETag"]

    editor_session, _jar = browser_session()
    _status, _headers, login_page = fetch(editor_session, server_a.url + "/admin/login/")
    status, _headers, _body = fetch(
        editor_session,
        server_a.url + "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": csrf_token(login_page),
            "username": "anna",
            "password": PASSWORD,
            "next": "/admin/",
        },
    )
    _status, _headers, changelist = fetch(editor_session, server_a.url + "/admin/comparisons/comparison/")
    # The row of BPO vs KPO: its change link, then the checkbox of the same key.
    row = re.search(r'href="/admin/comparisons/comparison/(\d+)/change/[^"]*">BPO vs KPO<', changelist)
    pk = row.group(1)
    assert f'name="_selected_action" value="{pk}"' in changelist
    status, _headers, _body = fetch(
        editor_session,
        server_a.url + "/admin/comparisons/comparison/",
        {
            "csrfmiddlewaretoken": csrf_token(changelist),
            "action": "unpublish",
            "_selected_action": pk,
        },
    )
    assert status == 200

    status, headers, body = fetch(reader, server_b.url + PAGE)
    assert status == 200
    assert "generated-notice" in body
    assert headers["ETag"] != etag
    status, _headers, _body = fetch(reader, server_b.url + PAGE, headers={"If-None-Match": etag})
    assert status == 200


class BrokenCache:
    """Stands in for a shared cache that is down: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


def test_with_the_cache_down_readers_get_rendered_pages_and_saves_go_through(
    client, seeded, monkeypatch, django_capture_on_commit_callbacks
):
    import comparisons.cache

    monkeypatch.setattr(comparisons.cache, "cache", BrokenCache())
    response = client.get(PAGE)
    assert response.status_code == 200 and "ETag" not in response
    comparison = bpo_vs_kpo()
    comparison.key_difference_en = "Saved while the cache was down."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert Comparison.objects.get(pk=comparison.pk).key_difference_en == "Saved while the cache was down."
    assert "Saved while the cache was down." in client.get(PAGE).content.decode()


def test_pages_of_earlier_versions_expire(client, seeded, monkeypatch):
    import comparisons.cache

    stored = []
    real_set = comparisons.cache.cache.set

    def recording_set(key, value, timeout):
        stored.append((key, timeout))
        real_set(key, value, timeout)

    monkeypatch.setattr(comparisons.cache.cache, "set", recording_set)
    client.get(PAGE)
    pages = [timeout for key, timeout in stored if key.startswith("page:")]
    assert pages == [comparisons.cache.PAGE_TIMEOUT]


def test_a_process_serves_its_recent_pages_without_reading_them_from_the_shared_cache(
    client, seeded, monkeypatch, django_capture_on_commit_callbacks
):
    import comparisons.cache

    first = client.get(PAGE)
    page_reads = []
    real_get = comparisons.cache.cache.get

    def counting_get(key, *args, **kwargs):
        if key.startswith("page:"):
            page_reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(comparisons.cache.cache, "get", counting_get)
    again = client.get(PAGE)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert page_reads == []
    # The version is still read on every request: an edit shows at once.
    comparison = bpo_vs_kpo()
    comparison.key_difference_en = "Edited after the page was kept."
    with django_capture_on_commit_callbacks(execute=True):
        comparison.save()
    assert "Edited after the page was kept." in client.get(PAGE).content.decode()
