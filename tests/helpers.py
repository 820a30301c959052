"""
What the tests share besides fixtures (those are in conftest.py): users and
clients, the admin's forms as a browser sends them, the public pages'
addresses, drafts, tasks. Test modules import from here, never from each other.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comparisons.models import Attribute, Comparison

PASSWORD = "a-long-test-password"
LANGUAGES = ("en", "uk", "de")


def trilingual(field, en, uk=None, de=None):
    """Keyword arguments that fill one translated field in every language."""
    return {f"{field}_en": en, f"{field}_uk": uk or f"{en} (uk)", f"{field}_de": de or f"{en} (de)"}


# Users and clients ---------------------------------------------------------------


def make_user(role):
    """A staff user of a role: "superuser", "editor" or "translator-<language>"."""
    User = get_user_model()
    if role == "superuser":
        return User.objects.create_superuser("root", "root@example.com", PASSWORD)
    user = User.objects.create_user(role, f"{role}@example.com", PASSWORD, is_staff=True)
    group = "editor" if role == "editor" else f"translator ({role.removeprefix('translator-')})"
    user.groups.add(Group.objects.get(name=group))
    return user


def signed_in(role):
    """A client of its own signed in as a new user of ``role`` (see make_user)."""
    client = Client()
    client.force_login(make_user(role))
    return client


def editor(name):
    """A client signed in as a new superuser called ``name`` (for two editors at once)."""
    client = Client()
    client.force_login(get_user_model().objects.create_superuser(name, f"{name}@example.com", PASSWORD))
    return client


# The admin --------------------------------------------------------------------------


def admin_url(model, action, *args):
    return reverse(f"admin:comparisons_{model._meta.model_name}_{action}", args=args)


def change_url(obj):
    return admin_url(type(obj), "change", obj.pk)


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
    return data


def get_writing_nothing(client, url):
    """GET ``url`` as this client, asserting that answering it wrote nothing to the database."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    writes = {"INSERT", "UPDATE", "DELETE"}
    assert [q["sql"] for q in queries if q["sql"].split(None, 1)[0].upper() in writes] == []
    return response


def post_change_form(client, obj, **changes):
    """
    Open the record's change form as this client, change some fields and send
    it back: the POST's answer. Where the form does not open, the changes are
    sent alone, as a crafted POST would.
    """
    url = change_url(obj)
    response = client.get(url)
    data = form_data(response) if response.status_code == 200 else {}
    data.update(changes)
    return client.post(url, data)


def change(queryset, **fields):
    """Set fields on every record of a queryset through save(), one revision per record."""
    for obj in queryset.all():
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()


# Drafts --------------------------------------------------------------------------------

DRAFT_TEXT = "Drafted key difference, not yet public."


def preview_url(obj, language, page=""):
    url = admin_url(type(obj), "preview", obj.pk, language)
    return f"{url}?page={page}" if page else url


def unused_attribute(comparison):
    return Attribute.objects.exclude(rows__comparison=comparison).order_by("pk").first()


def with_new_row(data, comparison, attribute, **values):
    """The change form's data with one more row (values: first_value_en=…, …)."""
    index = int(data["rows-TOTAL_FORMS"])
    data["rows-TOTAL_FORMS"] = str(index + 1)
    source = comparison.sources.first()
    row = {
        "comparison": str(comparison.pk),
        "order": "99",
        "attribute": str(attribute.pk),
        "source": str(source.pk),
        "original_language": "en",
        **values,
    }
    data.update({f"rows-{index}-{name}": value for name, value in row.items()})
    return data


def save_draft(client, obj, button="_draft", **changes):
    """Open the change form, change fields, save it as a draft (or into the draft): the answer."""
    response = client.get(change_url(obj))
    assert response.status_code == 200
    data = form_data(response)
    data.update(changes)
    data[button] = "1"
    return client.post(change_url(obj), data)


def publish(client, obj):
    """Publish the record's draft with its change form's button: the answer."""
    data = form_data(client.get(change_url(obj)))
    data["_publish"] = "1"
    return client.post(change_url(obj), data)


def unappliable(draft):
    """The draft with its new row naming the attribute of an existing row: it cannot be applied whole."""
    records = draft.records
    existing = next(r for r in records[1:] if r["pk"] is not None)
    next(r for r in records if r["pk"] is None)["fields"]["attribute"] = existing["fields"]["attribute"]
    draft.records = records
    draft.save()
    return draft


# The public pages ------------------------------------------------------------------------


def bpo_vs_kpo():
    return Comparison.objects.get(first__slug="bpo", second__slug="kpo")


def url(name, language="en", query="", **kwargs):
    """The address of a public page in a language (``query``: "?q=…" to append)."""
    with translation.override(language):
        return reverse(f"comparisons:{name}", kwargs=kwargs) + query


def in_every_language(name, query="", **kwargs):
    return [url(name, code, query, **kwargs) for code in LANGUAGES]


def reader_pages(client, comparison):
    """{language: the comparison's page as a reader gets it}."""
    pages = {}
    for code in LANGUAGES:
        with translation.override(code):
            pages[code] = client.get(comparison.get_absolute_url())
    return pages


def public_paths(comparison):
    """Every public page that shows BPO vs KPO (``comparison``), in every language."""
    paths = []
    for code in LANGUAGES:
        paths += [
            f"/{code}/",
            f"/{code}/bpo-vs-kpo/",
            f"/{code}/bpo-vs-call-centre/",
            url("category_detail", code, slug="bpo"),
            url("category_detail", code, slug="kpo"),
            url("category_list", code),
            url("comparison_list", code),
            url("compare", code),
            url("search", code, "?q=bpo"),
        ]
        for other in Comparison.objects.published().with_categories().related_to(comparison, 10):
            with translation.override(code):
                paths.append(other.get_absolute_url())
    return list(dict.fromkeys(paths))


def sitemap_text(client):
    """The index and every section it lists, as one text."""
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(r"<loc>http://testserver(/sitemap-[^<]+)</loc>", index)
    assert len(sections) == 9  # three kinds of page in three languages
    return index + "".join(client.get(section).content.decode() for section in sections)


def fresh(client, path, **kwargs):
    """The page as it renders now, without any cache."""
    for cache in caches.all():
        cache.clear()
    return client.get(path, **kwargs).content.decode()


def stale_pages(client, paths):
    """The paths whose page, as served now, differs from the page rendered afresh."""
    served = {path: client.get(path).content.decode() for path in paths}
    return [path for path in paths if served[path] != fresh(client, path)]


# Tasks ----------------------------------------------------------------------------------------


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
