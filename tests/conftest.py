"""
The suite's fixtures. Helpers the tests share are in helpers.py; the servers
some tests start, in servers.py and postgres.py.

Every test database holds the seeds (django_db_setup below), so a test that
asks for ``db`` reads the real knowledge base, in a transaction rolled back
after it (pytest-django's rule, as Django's TestCase).
"""

import pytest
from django.core.management import call_command
from django.utils import translation

from comparisons.models import Attribute, Category, Comparison, ComparisonRow, Source
from comparisons.phrases import CASES
from tests.helpers import (
    DRAFT_TEXT,
    bpo_vs_kpo,
    change_url,
    form_data,
    make_user,
    trilingual,
    unused_attribute,
    with_new_row,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The seeds, loaded into each test database as `make run` loads them (each record starts its history)."""
    with django_db_blocker.unblock():
        call_command("loadcontent", verbosity=0)


def starts_servers(item):
    return item.get_closest_marker("browser") or item.get_closest_marker("servers")


def pytest_itemcollected(item):
    """
    Tests that start servers (and the browser journeys, which share one) run one
    after another in one pytest-xdist worker (`--dist loadgroup`), beside the rest.
    """
    if starts_servers(item):
        item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """
    Tests that start servers first, so that the long ones begin early beside the
    rest; otherwise pytest-django's order (tests that commit to the database last).
    """
    items.sort(key=lambda item: not starts_servers(item))


@pytest.fixture
def as_role(client, db):
    """Signs the test's client in as a new user of a role (see make_user), or not for "anonymous"."""

    def sign_in(role):
        if role != "anonymous":
            client.force_login(make_user(role))
        return client

    return sign_in


@pytest.fixture
def editor_client(client, db):
    """The test's client, signed in as a new editor."""
    client.force_login(make_user("editor"))
    return client


@pytest.fixture
def drafted(editor_client):
    """
    BPO vs KPO with a draft saved through its change form: a new English key
    difference and a new row with English text only.
    """
    comparison = bpo_vs_kpo()
    data = form_data(editor_client.get(change_url(comparison)))
    data["key_difference_en"] = DRAFT_TEXT
    data["_draft"] = "1"
    attribute = unused_attribute(comparison)
    with_new_row(
        data,
        comparison,
        attribute,
        first_value_en="Drafted first value",
        second_value_en="Drafted second value",
    )
    response = editor_client.post(change_url(comparison), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return comparison, attribute


@pytest.fixture
def source(db):
    return Source.objects.create(
        seed_file="test.txt",
        language="en",
        **trilingual("title", "A test article"),
        **trilingual("site", "example"),
    )


@pytest.fixture
def make_category(db):
    def make(slug, **extra):
        fields = {
            **trilingual("abbreviation", slug.upper()),
            **{column: text for case in CASES for column, text in trilingual(case, slug.upper()).items()},
            **trilingual("name", f"{slug} outsourcing"),
            **trilingual("summary", f"What {slug} is."),
            **trilingual("description", f"A longer text about {slug}."),
            "is_published": True,
        }
        fields.update(extra)
        return Category.objects.create(slug=slug, **fields)

    return make


@pytest.fixture
def make_comparison(db, source):
    def make(first, second, rows=1, **extra):
        fields = {
            **trilingual("key_difference", f"{first} differs from {second}."),
            **trilingual("introduction", "An introduction."),
            **trilingual("conclusion", "A conclusion."),
            "is_published": True,
        }
        fields.update(extra)
        comparison = Comparison.objects.create(first=first, second=second, **fields)
        comparison.sources.add(source)
        for index in range(rows):
            attribute, _ = Attribute.objects.get_or_create(
                slug=f"attribute-{index}",
                defaults={**trilingual("label", f"Attribute {index}"), "order": index, "is_published": True},
            )
            ComparisonRow.objects.create(
                comparison=comparison,
                attribute=attribute,
                order=index,
                source=source,
                **trilingual("first_value", f"{first} value {index}"),
                **trilingual("second_value", f"{second} value {index}"),
            )
        return comparison

    return make


@pytest.fixture(scope="session", autouse=True)
def suite_settings(tmp_path_factory):
    """
    Settings of the suite's own, through override_settings so that Django drops
    what it built from the old values (cache connections, hashers, static storage).
    Each test process (pytest-xdist worker) gets folders of its own.
    """
    from django.conf import settings
    from django.test import override_settings

    overrides = override_settings(
        # Real hashing is slow on purpose and the tests sign in many users.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # A file cache of its own, whatever the environment names (REDIS_URL, say).
        CACHES={
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path_factory.mktemp("cache")),
            },
        },
        # Pages link hashed, compressed static files as in production.
        STATIC_ROOT=tmp_path_factory.mktemp("staticfiles"),
        # Every test client builds its own middleware chain, and WhiteNoise would index
        # the whole static folder for each (80 ms, a third of the suite's time); in
        # autorefresh mode it looks a file up when asked. The servers' tests serve
        # static files as production does.
        WHITENOISE_AUTOREFRESH=True,
    )
    overrides.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield
    overrides.disable()


@pytest.fixture(autouse=True)
def empty_cache(suite_settings):
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def no_language_left_active():
    """A request or override() that leaves a language active must not change what the next test reads."""
    yield
    translation.deactivate()
