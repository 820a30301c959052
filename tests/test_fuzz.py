"""
Bad input over every URL: whatever a client sends, to any public page or, signed
in, to the admin, the answer is never a 5xx. Runs on SQLite and PostgreSQL
(which refuses NUL characters, where SQLite accepts them).
"""

import functools
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import PASSWORD

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

prefixes = st.sampled_from(
    ["/en/", "/uk/", "/de/", "/xx/", "/", "/EN/", "/en-us/", "/static/", "/admin/", "/language/uk/"]
)
segments = st.sampled_from(
    [
        "bpo-vs-kpo",
        "categories/bpo",
        "search",
        "compare",
        "sitemap.xml",
        "-vs-",
        "a-vs-a",
        "categories",
        "..",
        "%00",
        "%ff%fe",
        "%2e%2e%2f",
        "bpo-vs-",
        "-vs-kpo",
    ]
)
raw_text = st.text(min_size=0, max_size=60)
raw_bytes = st.binary(min_size=1, max_size=40)


def percent_encoded(data: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in data)


# Values for a URL's parameters and query strings, already percent-encoded:
# NUL, invalid and overlong UTF-8, huge numbers and lengths, and the odd ones.
odd_values = st.sampled_from(
    [
        "%00",
        "a%00b",
        "%ff",
        "%C0%AE",  # an overlong "."
        "%ED%A0%80",  # a UTF-16 surrogate
        "%E2%80%AE",  # right-to-left override
        "9" * 40,
        "-1",
        "0",
        "1",
        "1.5",
        "1e999",
        "x" * 5000,
        "..",
        "%2F",
        "%20",
        "_5F",
        "null",
        "%27%20OR%201%3D1--",
        "%D1%97",  # ї
        "bpo",
        "add",
    ]
)
values = st.one_of(
    odd_values,
    st.text(max_size=80).map(lambda text: quote(text, safe="")),
    st.binary(max_size=40).map(percent_encoded),
)
PUBLIC_KEYS = ["q", "page", "category", "next", "%00"]
# The admin's own and our list filters' parameters.
ADMIN_KEYS = [
    "category",
    "q",
    "o",
    "p",
    "e",
    "all",
    "_popup",
    "_to_field",
    "_changelist_filters",
    "is_published__exact",
    "category__id__exact",
    "first__id__exact",
    "translation",
    "%00",
]


def query_strings(keys):
    pairs = st.lists(st.tuples(st.sampled_from(keys), values), max_size=3)
    return pairs.map(lambda pairs: "&".join(f"{key}={value}" for key, value in pairs))


PLACEHOLDER = "7777777"  # fits every converter and regex of ours: slug, str, path, digits
REAL_VALUES = {"app_label": "comparisons"}  # an alternative of names, not worth fuzzing


def url_names(patterns=None, namespace=""):
    """(name, parameter names, unnamed group count) of every named URL pattern."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            regex = pattern.pattern.regex
            yield f"{namespace}{pattern.name}", list(regex.groupindex), regex.groups - len(regex.groupindex)


@functools.cache
def url_templates(admin):
    """Every URL pattern (in every language) as a list of parts to join with fuzzed values."""
    templates = set()
    for name, parameters, unnamed in url_names():
        if name.startswith("admin:") != admin or name == "translation_dashboard" and not admin:
            continue
        kwargs = {parameter: REAL_VALUES.get(parameter, PLACEHOLDER) for parameter in parameters}
        for language in ("en", "uk", "de"):
            with translation.override(language):
                templates.add(
                    tuple(reverse(name, args=[PLACEHOLDER] * unnamed, kwargs=kwargs).split(PLACEHOLDER))
                )
    return sorted(templates)


@pytest.fixture
def fuzz_client(client, db):
    client.raise_request_exception = False  # a 500 must show up as a status, not an exception
    return client


@pytest.fixture
def signed_in_client(fuzz_client):
    user = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", PASSWORD)
    fuzz_client.force_login(user)
    return fuzz_client


def fill(template, draw):
    url = template[0]
    for part in template[1:]:
        url += draw(values) + part
    return url


def test_every_url_pattern_is_fuzzed():
    public, admin = url_templates(admin=False), url_templates(admin=True)
    assert len(public) >= 20 and len(admin) >= 60
    assert any("poshuk" in "".join(template) for template in public)  # the translated routes too
    assert any(template[-1] == "/change/" for template in admin)


SWEEP = ["%00", "%ff", "%C0%AE", "9" * 40, "x" * 3000]


@pytest.mark.parametrize("admin", [False, True], ids=["public", "admin"])
def test_every_url_pattern_answers_nul_invalid_utf8_and_overlong_values_without_a_5xx(
    signed_in_client, admin
):
    """Each pattern at least once, whatever the property tests below happen to draw."""
    failures = []
    for template in url_templates(admin):
        for value in SWEEP:
            query = "&".join(f"{key}={value}" for key in (ADMIN_KEYS if admin else PUBLIC_KEYS))
            for url in (value.join(template), "1".join(template) + f"?{query}"):
                status = signed_in_client.get(url).status_code
                if status >= 500:
                    failures.append((status, url[:200]))
    assert failures == []


@FUZZ
@given(data=st.data(), query=query_strings(PUBLIC_KEYS))
def test_every_public_url_pattern_answers_any_value_without_a_5xx(fuzz_client, data, query):
    template = data.draw(st.sampled_from(url_templates(admin=False)))
    response = fuzz_client.get(fill(template, data.draw) + (f"?{query}" if query else ""))
    assert response.status_code < 500


@FUZZ
@given(data=st.data(), query=query_strings(ADMIN_KEYS))
def test_every_admin_url_pattern_answers_a_signed_in_user_without_a_5xx(signed_in_client, data, query):
    template = data.draw(st.sampled_from(url_templates(admin=True)))
    response = signed_in_client.get(fill(template, data.draw) + (f"?{query}" if query else ""))
    assert response.status_code < 500


def test_the_comparison_category_filter_answers_any_value_without_a_5xx(signed_in_client):
    response = signed_in_client.get(reverse("admin:comparisons_comparison_changelist"), {"category": "abc"})
    assert response.status_code < 500


@pytest.mark.parametrize("view", ["change", "delete"])
@pytest.mark.parametrize("model", ["auth_group", "comparisons_category"])
def test_an_empty_to_field_is_a_400_not_a_500(signed_in_client, model, view):
    """Found by the test above on PostgreSQL: Django's admin looks up a field named ""."""
    url = reverse(f"admin:{model}_{view}", args=[1])
    assert signed_in_client.get(url, {"_to_field": ""}).status_code == 400
    assert signed_in_client.post(url, {"_to_field": ""}).status_code == 400


def test_an_empty_to_field_means_nothing_outside_the_admin(client, db):
    with translation.override("en"):
        response = client.get(reverse("comparisons:comparison_list"), {"_to_field": ""}, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/comparisons/comparison/%00/change/",
        "/admin/comparisons/comparison/%00/history/",
        "/admin/comparisons/comparison/1%00/history/",
        "/admin/comparisons/comparison/?q=%00",
        "/admin/comparisons/comparison/?category__id__exact=%00",
    ],
)
def test_nul_in_admin_addresses_is_a_400(signed_in_client, path):
    assert signed_in_client.get(path).status_code == 400


@FUZZ
@given(prefix=prefixes, segment=segments, tail=raw_text)
def test_paths_never_fail(fuzz_client, prefix, segment, tail):
    response = fuzz_client.get(prefix + segment + "/" + quote(tail, safe="/-_"))
    assert response.status_code < 500


@FUZZ
@given(prefix=prefixes, data=raw_bytes)
def test_non_utf8_bytes_in_paths_never_fail(fuzz_client, prefix, data):
    response = fuzz_client.get(prefix + percent_encoded(data) + "/")
    assert response.status_code < 500


@FUZZ
@given(
    language=st.sampled_from(["en", "uk", "de"]),
    query=st.one_of(raw_text, st.binary(max_size=300).map(percent_encoded)),
)
def test_search_terms_never_fail(fuzz_client, language, query):
    with translation.override(language):
        path = reverse("comparisons:search")
    # Every search is run, not throttled (test_bounds.py tests the throttle).
    with override_settings(SEARCHES_PER_MINUTE=10**9):
        response = fuzz_client.get(f"{path}?q={quote(query, safe='%')}")
        for _redirect in range(2):  # to the query's one spelling, which is then found
            if response.status_code == 301:
                response = fuzz_client.get(response["Location"])
    assert response.status_code in (200, 400)


@FUZZ
@given(
    keys=st.lists(raw_text, max_size=8),
    values=st.lists(raw_text, max_size=8),
    path=st.sampled_from(["/en/compare/", "/uk/poshuk/", "/de/bpo-vs-kpo/", "/language/de/", "/en/"]),
)
def test_odd_query_strings_never_fail(fuzz_client, keys, values, path):
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in zip(keys, values, strict=False))
    response = fuzz_client.get(f"{path}?{query}")
    assert response.status_code < 500


# Only views that read the body can hit the size limits: the public pages answer any POST with 405.
@pytest.mark.parametrize(
    "name",
    [
        "admin:login",
        "admin:password_change",
        "admin:comparisons_comparison_add",
        "admin:comparisons_comparison_changelist",
    ],
)
def test_huge_posts_to_views_that_read_them_get_a_400(signed_in_client, name):
    url = reverse(name)
    if name == "admin:login":
        signed_in_client.logout()
    # The view reads a small post and answers it ...
    assert signed_in_client.post(url, {"q": "x"}).status_code not in (400, 405)
    # ... and refuses one over the limits before it is read into memory.
    assert signed_in_client.post(url, {"q": "x" * (3 * 1024 * 1024)}).status_code == 400
    many_fields = {f"field{index}": "x" for index in range(5000)}
    assert signed_in_client.post(url, many_fields).status_code == 400


def test_oversized_query_string_gets_a_clear_answer(fuzz_client):
    response = fuzz_client.get("/en/search/", {"q": "ü" * 20000})
    assert response.status_code == 400
    too_many = {f"k{index}": "v" for index in range(3000)}
    assert 400 <= fuzz_client.get("/en/compare/", too_many).status_code < 500
    # The error page itself must not read the refused query string again.
    assert 400 <= fuzz_client.get("/en/no-such-page/", too_many).status_code < 500


@FUZZ
@given(username=st.text(min_size=0, max_size=400), password=st.text(max_size=40))
def test_any_sign_in_is_answered_without_a_5xx(fuzz_client, username, password):
    """Long names reached the sign-in throttle's 255-character column: a 500 on PostgreSQL."""
    response = fuzz_client.post(reverse("admin:login"), {"username": username, "password": password})
    assert response.status_code in (200, 302, 400, 429)


@FUZZ
@given(words=st.lists(st.text(min_size=1, max_size=30), max_size=400))
def test_any_admin_search_is_answered_without_a_5xx(signed_in_client, words):
    response = signed_in_client.get(reverse("admin:comparisons_source_changelist"), {"q": " ".join(words)})
    assert response.status_code < 500


@settings(FUZZ, max_examples=12)
@given(total=st.one_of(st.integers(min_value=-5, max_value=10**12).map(str), st.text(max_size=12)))
def test_any_number_of_forms_is_answered_without_a_5xx(signed_in_client, total):
    from comparisons.models import Comparison
    from tests.helpers import form_data

    url = reverse("admin:comparisons_comparison_change", args=[Comparison.objects.order_by("pk").first().pk])
    data = form_data(signed_in_client.get(url)) | {"rows-TOTAL_FORMS": total}
    assert signed_in_client.post(url, data).status_code < 500
