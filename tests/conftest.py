import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from comparisons.models import Attribute, Category, Comparison, ComparisonRow, Source
from comparisons.phrases import CASES


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


# Where the test database of this process stands: the seeds' open transaction while
# it is open (its atomic block and the database blocker), and whether a
# transactional test has committed to the database and emptied it since.
database = {"seeds": None, "emptied": False}


@pytest.fixture(scope="session")
def seeded_database(django_db_setup, django_db_blocker):
    """
    The seeds as `make run` loads them (each record starts its history), loaded
    once per test database inside a transaction left open: every test that uses
    them runs in a savepoint of it, as Django's TestCase runs its tests, so no
    change leaks. The order of the tests makes that work (pytest_collection_modifyitems).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Durable blocks may nest in it as in a TestCase's (Django's own flag, 4.0 to 6.x).
        outer._from_testcase = True
        outer.__enter__()
        database["seeds"] = (outer, django_db_blocker)
        try:
            call_command("loadcontent", verbosity=0)
        except BaseException:
            drop_seeds()
            raise
    yield
    drop_seeds()


def drop_seeds():
    if database["seeds"] is None:
        return
    outer, blocker = database["seeds"]
    database["seeds"] = None
    with blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_database, db):
    """The real knowledge base, in a savepoint of its own (see seeded_database)."""


def starts_servers(item):
    return item.get_closest_marker("browser") or item.get_closest_marker("servers")


def database_use(item):
    """None, "testcase" or "transactional": pytest-django's own rule (its test order)."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.plugin import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return "testcase" if issubclass(cls, TestCase) else "transactional"
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if marker is not None:
        transactional, reset_sequences, *_rest = validate_django_db(marker)
        if transactional or reset_sequences:
            return "transactional"
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return "transactional"
    if marker is not None or "db" in fixtures:
        return "testcase"
    return None


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
    First the tests that start servers, so that the long ones begin early beside
    the rest; then tests without the seeds, then those with them; transactional
    tests last, since they commit and empty the database (the seeds' transaction
    is rolled back before the first of them). The order is otherwise unchanged.
    pytest-xdist keeps it for each worker in its `load` and `loadgroup` modes (the
    Makefile's); pytest_runtest_setup fails a test that runs out of it.
    """

    def order(item):
        return (
            not starts_servers(item),
            database_use(item) == "transactional",
            "seeded" in item.fixturenames,
        )

    items.sort(key=order)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    use = database_use(item)
    if use == "transactional":
        drop_seeds()
        database["emptied"] = True
        return
    if use is None:
        return
    if database["emptied"]:
        pytest.fail("a test ran after a transactional test had emptied the database: check the order")
    if database["seeds"] is not None and "seeded" not in item.fixturenames:
        pytest.fail("a test that wants an empty database ran after the seeds were loaded: check the order")


def editor(name):
    """A client signed in as a new superuser called ``name`` (for two editors at once)."""
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.create_superuser(name, f"{name}@example.com", PASSWORD))
    return client


def admin_url(model, action, *args):
    return reverse(f"admin:comparisons_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def as_role(client, seeded):
    """Signs the test's client in as a new user of a role (see make_user), or not for "anonymous"."""

    def sign_in(role):
        if role != "anonymous":
            client.force_login(make_user(role))
        return client

    return sign_in


@pytest.fixture
def editor_client(client, seeded):
    """The test's client, signed in as a new editor."""
    client.force_login(make_user("editor"))
    return client


@pytest.fixture
def drafted(editor_client):
    """
    BPO vs KPO with a draft saved through its change form: a new English key
    difference and a new row with English text only (see tests/test_drafts.py).
    """
    from tests.test_drafts import DRAFT_TEXT, change_url, unused_attribute, with_new_row

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


def bpo_vs_kpo():
    return Comparison.objects.get(first__slug="bpo", second__slug="kpo")


def post_change_form(client, obj, **changes):
    """
    Open the record's change form as this client, change some fields and send
    it back: the POST's answer. Where the form does not open, the changes are
    sent alone, as a crafted POST would.
    """
    url = admin_url(type(obj), "change", obj.pk)
    response = client.get(url)
    data = form_data(response) if response.status_code == 200 else {}
    data.update(changes)
    return client.post(url, data)


def form_data(response):
    """The POST a browser would send back for an unchanged admin change form."""
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        forms.append(formset.formset.management_form)
        forms.extend(formset.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = [str(getattr(v, "pk", v)) for v in value]
            else:
                data[form.add_prefix(name)] = str(getattr(value, "pk", value))
    if "live_token" in response.context:  # History's revert screen
        data["live_token"] = response.context["live_token"]
    if response.context.get("draft_new_parts"):  # a draft's new parts, under the keys the form shows
        data["_draft_new_parts"] = response.context["draft_new_parts"]
    return data


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


def run_tasks(wait=0, failures_expected=False):
    """
    What the task worker (`manage.py db_worker`) does, in this test's
    transaction: run every task that is due until none is left, and for
    ``wait`` seconds those that come due meanwhile (retries, repeats). Its
    loop closes obsolete database connections, which would end the test's
    transaction; that alone is left out (and its signal handlers undone).
    Returns the tasks run; one that failed fails the test unless expected.
    """
    import signal
    import time
    from unittest import mock

    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    finished = set(DBTaskResult.objects.exclude(status="READY").values_list("pk", flat=True))
    handlers = {
        number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    deadline = time.monotonic() + wait
    try:
        with mock.patch.object(db_worker, "close_old_connections", lambda: None):
            while True:
                call_command(
                    "db_worker",
                    batch=True,
                    interval=0,
                    startup_delay=False,
                    queue_name="*",
                    reload=False,
                    verbosity=0,
                )
                if time.monotonic() >= deadline or not DBTaskResult.objects.filter(status="READY").exists():
                    break
                time.sleep(0.01)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    ran = list(DBTaskResult.objects.exclude(pk__in=finished).exclude(status="READY").order_by("started_at"))
    failed = [result for result in ran if result.status == "FAILED"]
    if failed and not failures_expected:
        pytest.fail("A task failed:\n" + "\n".join(result.traceback for result in failed))
    return ran


def change(queryset, **fields):
    """Set fields on every record of a queryset through save(), as the write path wants (no update())."""
    for obj in queryset.all():
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
