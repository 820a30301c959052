"""
Every request bounded: nothing a user can send keeps a worker busy past its
limit or breaks a store, and each refusal says why, in the user's language.
"""

import hashlib

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache, caches
from django.urls import reverse
from django.utils import translation

from comparisons.admin.content import MAX_PARTS
from comparisons.models import Category, Comparison, Source
from comparisons.page_cache import KEPT_APART
from tests.helpers import admin_url, bpo_vs_kpo, form_data, make_user

ABSURD = "100000"


def search_url(query, language="en"):
    with translation.override(language):
        return f"{reverse('comparisons:search')}?q={query}"


def test_a_change_form_with_an_absurd_number_of_rows_is_refused_after_a_bounded_number(editor_client):
    comparison = bpo_vs_kpo()
    url = admin_url(Comparison, "change", comparison.pk)
    data = form_data(editor_client.get(url))
    data["rows-TOTAL_FORMS"] = ABSURD
    before = comparison.rows.count(), comparison.edit_token

    response = editor_client.post(url, data)

    assert response.status_code == 200
    (rows,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    bound = before[0] + MAX_PARTS  # its rows, and as many new ones at most
    assert len(rows.forms) == bound
    assert f"Please submit at most {bound} forms." in rows.non_form_errors()
    comparison.refresh_from_db()
    assert (comparison.rows.count(), comparison.edit_token) == before


def test_list_editable_with_an_absurd_number_of_forms_saves_nothing_and_says_so(editor_client):
    url = admin_url(Category, "changelist")
    data = {
        "form-TOTAL_FORMS": ABSURD,
        "form-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    before = list(Category.objects.values_list("pk", "order"))
    response = editor_client.post(url, data)
    assert response.status_code == 200
    # At most what "Show all" lists (200), not the absurd number.
    assert "Please submit at most 200 forms." in str(response.context["cl"].formset.non_form_errors())
    assert list(Category.objects.values_list("pk", "order")) == before


def test_a_long_admin_search_is_refused_with_a_message_and_no_query_of_it(
    as_role, django_assert_max_num_queries
):
    client = as_role("translator-uk")
    words = " ".join(f"word{index}" for index in range(300))
    with django_assert_max_num_queries(12):
        response = client.get(admin_url(Source, "changelist"), {"q": words})
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == [
        "A search may have at most 10 words and 200 characters."
    ]
    assert list(response.context["cl"].result_list) == []
    # Ten words still search.
    response = client.get(admin_url(Source, "changelist"), {"q": "difference between"})
    assert not list(response.context["messages"])


def test_a_sign_in_name_longer_than_any_user_name_is_refused_by_the_form(client, db):
    response = client.post(reverse("admin:login"), {"username": "u" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 300)." in str(
        response.context["form"].errors
    )
    assert not AccessAttempt.objects.filter(username__startswith="uuu").exists()


def test_public_search_is_throttled_per_client_in_the_readers_language(client, db, settings):
    settings.SEARCHES_PER_MINUTE = 3
    for word in ("bpo", "kpo", "ito"):
        assert client.get(search_url(word)).status_code == 200
    refused = client.get(search_url("outsourcing", "uk"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) in range(1, 61)
    assert '<html lang="uk">' in refused.content.decode()
    assert "Забагато пошукових запитів" in refused.content.decode()
    assert "s-maxage" not in refused.get("Cache-Control", "")
    # Results already cached are served: they cost the site nothing.
    assert client.get(search_url("bpo")).status_code == 200
    # Another client is not refused.
    assert client.get(search_url("outsourcing"), REMOTE_ADDR="192.0.2.7").status_code == 200


def test_searches_are_cached_apart_and_never_push_pages_out(client, db, settings, django_assert_num_queries):
    settings.SEARCHES_PER_MINUTE = 1000
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 30}},
        KEPT_APART: {**settings.CACHES[KEPT_APART], "OPTIONS": {"MAX_ENTRIES": 10}},
    }
    page = reverse("comparisons:comparison_detail", kwargs={"first": "bpo", "second": "kpo"})
    assert "s-maxage" in client.get(page)["Cache-Control"]
    for index in range(60):  # twice what the shared cache holds here, six times the searches' own
        response = client.get(search_url(f"query{index}"))
        assert response.status_code == 200
        # Neither the shared cache nor an HTTP cache in front keeps a search.
        assert "s-maxage" not in response["Cache-Control"] and "xkey" not in response
        key = "page:" + hashlib.sha1(f"http://testserver{search_url(f'query{index}')}".encode()).hexdigest()
        assert cache.get(key) is None
        assert caches[KEPT_APART].get(key) is not None
    # The page read before the flood is still served from the cache.
    with django_assert_num_queries(0):
        assert client.get(page).status_code == 200
    # The last searches are served from their own cache too.
    with django_assert_num_queries(0):
        assert client.get(search_url("query59")).status_code == 200


@pytest.fixture
def editor_client(client, db):
    client.force_login(make_user("editor"))
    return client


def test_bulk_deletion_of_more_than_a_list_page_is_refused_with_a_message(editor_client, monkeypatch):
    from django.contrib import admin

    from comparisons.models import CategoryItem

    monkeypatch.setattr(admin.site.get_model_admin(CategoryItem), "list_per_page", 2)
    items = list(CategoryItem.objects.order_by("pk").values_list("pk", flat=True)[:3])
    url = admin_url(CategoryItem, "changelist")
    response = editor_client.post(
        url, {"action": "delete_selected", "_selected_action": items, "post": "yes"}, follow=True
    )
    assert [str(message) for message in response.context["messages"]] == [
        "Delete at most 2 records at a time."
    ]
    assert CategoryItem.objects.filter(pk__in=items).count() == 3
    # Two are deleted as ever, after the confirmation.
    editor_client.post(url, {"action": "delete_selected", "_selected_action": items[:2], "post": "yes"})
    assert CategoryItem.objects.filter(pk__in=items).count() == 1


def test_an_ipv6_client_is_throttled_by_its_64_whatever_address_it_takes_in_it(client, db, settings):
    settings.SEARCHES_PER_MINUTE = 2
    for index, word in enumerate(("bpo", "kpo")):
        assert client.get(search_url(word), REMOTE_ADDR=f"2001:db8:1:2::{index + 1}").status_code == 200
    assert client.get(search_url("ito"), REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
    assert client.get(search_url("ito"), REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


@pytest.mark.parametrize("index", ["x", "5", "-1"])
def test_the_delete_bound_reads_the_action_as_django_does(editor_client, monkeypatch, index):
    from django.contrib import admin

    from comparisons.models import CategoryItem

    monkeypatch.setattr(admin.site.get_model_admin(CategoryItem), "list_per_page", 2)
    items = list(CategoryItem.objects.order_by("pk").values_list("pk", flat=True)[:3])
    data = {"action": ["", "delete_selected"], "index": index, "_selected_action": items, "post": "yes"}
    editor_client.post(admin_url(CategoryItem, "changelist"), data)
    assert CategoryItem.objects.filter(pk__in=items).count() == 3


def test_ipv4_clients_behind_a_dual_stack_proxy_are_counted_apart(client, db, settings):
    settings.SEARCHES_PER_MINUTE = 1
    assert client.get(search_url("bpo"), REMOTE_ADDR="::ffff:192.0.2.1").status_code == 200
    assert client.get(search_url("kpo"), REMOTE_ADDR="::ffff:192.0.2.2").status_code == 200
    assert client.get(search_url("ito"), REMOTE_ADDR="192.0.2.1").status_code == 429


@pytest.mark.parametrize("everything", ["true", "on", "2"])
def test_the_delete_bound_reads_select_across_as_django_does(editor_client, monkeypatch, everything):
    from django.contrib import admin

    from comparisons.models import CategoryItem

    monkeypatch.setattr(admin.site.get_model_admin(CategoryItem), "list_per_page", 2)
    before = CategoryItem.objects.count()
    first = CategoryItem.objects.order_by("pk").first().pk
    data = {
        "action": "delete_selected",
        "select_across": everything,
        "_selected_action": [first],
        "post": "yes",
    }
    editor_client.post(admin_url(CategoryItem, "changelist"), data)
    assert CategoryItem.objects.count() == before
