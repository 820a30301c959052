"""Bad input over the public URLs: whatever a client sends, the answer is never a 5xx."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@pytest.fixture
def fuzz_client(client, seeded):
    client.raise_request_exception = False  # a 500 must show up as a status, not an exception
    return client


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
    response = fuzz_client.get(f"{path}?q={quote(query, safe='%')}")
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


@pytest.mark.parametrize("path", ["/en/search/", "/en/compare/", "/admin/login/", "/en/bpo-vs-kpo/"])
def test_huge_posts_get_a_clear_4xx(fuzz_client, path):
    response = fuzz_client.post(path, {"q": "x" * (3 * 1024 * 1024)})
    assert 400 <= response.status_code < 500
    many_fields = {f"field{index}": "x" for index in range(5000)}
    assert 400 <= fuzz_client.post(path, many_fields).status_code < 500


def test_oversized_query_string_gets_a_clear_answer(fuzz_client):
    response = fuzz_client.get("/en/search/", {"q": "ü" * 20000})
    assert response.status_code == 400
    response = fuzz_client.get("/en/compare/", {f"k{index}": "v" for index in range(3000)})
    assert 400 <= response.status_code < 500
