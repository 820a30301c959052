import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from comparisons.models import Attribute, Category, Comparison, ComparisonRow, Source


def trilingual(field, en, uk=None, de=None):
    """Keyword arguments that fill one translated field in every language."""
    return {f"{field}_en": en, f"{field}_uk": uk or f"{en} (uk)", f"{field}_de": de or f"{en} (de)"}


PASSWORD = "a-long-test-password"


def make_user(role):
    """A staff user of a role: "superuser", "editor" or "translator-<language>"."""
    User = get_user_model()
    if role == "superuser":
        return User.objects.create_superuser("root", "root@example.com", PASSWORD)
    user = User.objects.create_user(role, f"{role}@example.com", PASSWORD, is_staff=True)
    group = "editor" if role == "editor" else f"translator ({role.removeprefix('translator-')})"
    user.groups.add(Group.objects.get(name=group))
    return user


SEEDED = "seeded"


@pytest.fixture(scope="session")
def seeded_database(django_db_setup, django_db_blocker):
    """
    The seeds as `make run` loads them (each record starts its history), loaded
    once per test database inside a transaction that stays open until the end
    of the session. Every test that uses it runs in a savepoint of that
    transaction, as Django's TestCase runs its tests, so changes never leak.
    Tests that want an empty database run first (see pytest_collection_modifyitems).
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # durable blocks may nest in it, as in a TestCase
        outer.__enter__()
        call_command("loadcontent", verbosity=0)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_database, db):
    """The real knowledge base, in a savepoint of its own (see seeded_database)."""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """
    Tests without the seeds run before those with them: once loaded, the seeds
    stay until the end of the session. The order is otherwise unchanged.
    """
    items.sort(key=lambda item: SEEDED in getattr(item, "fixturenames", ()))


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
            **trilingual("name", f"{slug} outsourcing"),
            **trilingual("summary", f"What {slug} is."),
            **trilingual("description", f"A longer text about {slug}."),
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
                defaults={**trilingual("label", f"Attribute {index}"), "order": index},
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
def fast_password_hashing():
    """Real hashing is slow on purpose and the tests sign in many users; production keeps the default."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """A cache folder of the suite's own, emptied before every test."""
    from django.conf import settings

    settings.CACHES["default"]["LOCATION"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(autouse=True)
def empty_cache(private_cache):
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """
    Pages link hashed, compressed static files as in production, so the suite
    collects them once into a folder of its own.
    """
    from django.conf import settings

    settings.STATIC_ROOT = tmp_path_factory.mktemp("staticfiles")
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def change(queryset, **fields):
    """Set fields on every record of a queryset through save(), as the write path wants (no update())."""
    for obj in queryset.all():
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
