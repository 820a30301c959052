"""
System checks: what the catalogues say about grammar (see phrases.py), and,
with ``check --deploy``, whether the services the settings name answer.
"""

import socket
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import override

from .language_sentences import SENTENCES
from .phrases import CASES, PHRASES


@checks.register(checks.Tags.translation)
def check_phrase_cases(app_configs, **kwargs):
    """Every language's catalogue names a known case for each sentence, once or once per name."""
    errors = []
    for code, _name in settings.LANGUAGES:
        with override(code):
            for phrase in PHRASES.values():
                if phrase.is_valid_case():
                    continue
                errors.append(
                    checks.Error(
                        f"The {code} catalogue gives “{' '.join(phrase.declared_cases())}” as the case "
                        f"of the names in “{phrase.sentence}”.",
                        hint=f"Translate the entry “case in: {phrase.sentence}” as one of {', '.join(CASES)} "
                        f"(one for all names or one per name: {len(phrase.slots)}).",
                        id="comparisons.E001",
                    )
                )
    return errors


@checks.register(checks.Tags.translation)
def check_language_sentences(app_configs, **kwargs):
    """Every language of the settings has each sentence that names a language."""
    return [
        checks.Error(
            f"No “{kind}” sentence names the language {code}.",
            hint="Add it to comparisons/language_sentences.py.",
            id="comparisons.E002",
        )
        for kind, sentences in SENTENCES.items()
        for code, _name in settings.LANGUAGES
        if code not in sentences
    ]


def cache_status():
    """ "ok" or "unavailable": the shared cache stores and returns a value (also /health/'s answer)."""
    # A key of its own for each check: with one shared key, another worker's or
    # server's write between this set and get would read as a failing cache.
    key = value = f"health-check:{uuid.uuid4().hex}"
    try:
        cache.set(key, value, 10)
        healthy = cache.get(key) == value
        cache.delete(key)
        return "ok" if healthy else "unavailable"
    except Exception:  # any backend's failure means the same to a load balancer
        return "unavailable"


@checks.register(checks.Tags.database)
def check_slugs_join(app_configs, databases=None, **kwargs):
    """
    No category's slug has "vs" as a word (models.validate_no_vs): one stored
    before the rule makes comparison addresses ambiguous. Run by `migrate` and
    `check --database`.
    """
    from .models import Category, validate_no_vs
    from .translation_status import language_codes

    warnings = []
    for alias in databases or ():
        try:
            slugs = [
                (slug, code)
                for code in language_codes()
                for slug in Category.objects.using(alias)
                .filter(**{f"slug_{code}__contains": "vs"})
                .values_list(f"slug_{code}", flat=True)
            ]
        except DatabaseError:
            continue  # the table is not there yet: migrate is about to make it
        for slug, code in slugs:
            if validate_no_vs.regex.search(slug):
                warnings.append(
                    checks.Warning(
                        f"The category slug “{slug}” [{code}] has “vs” as a word: "
                        "its comparisons’ addresses are ambiguous.",
                        hint="Rename it in the admin.",
                        id="comparisons.W002",
                    )
                )
    return warnings


@checks.register(checks.Tags.database)
def check_search_indexes(app_configs, databases=None, **kwargs):
    """
    On SQLite, each searched table's index and triggers are as search_index.py
    defines them: a trigger dropped by hand leaves later writes unsearchable.
    Run by `migrate` (which then makes them again) and `check --database`.
    """
    from django.db import connections

    from .search_index import index_table, out_of_date

    return [
        checks.Warning(
            f"The search index {index_table(model)} or its triggers are missing or not as defined: "
            "searches fail, or miss what was written since.",
            hint="Run manage.py migrate, which makes it again from the table.",
            id="comparisons.W003",
        )
        for alias in databases or ()
        if connections[alias].vendor == "sqlite"
        for model, table_is_there in out_of_date(alias)
        if table_is_there
    ]


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Without the shared cache every page is rendered, and no page is marked for Varnish to keep."""
    if cache_status() == "ok":
        return []
    where = settings.CACHES["default"].get("LOCATION", "")
    return [
        checks.Error(
            f"The cache at {where} does not store and return a value.",
            hint="Start Redis at REDIS_URL (or correct the address); /health/ says degraded meanwhile.",
            id="comparisons.E003",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def check_purge_addresses(app_configs, **kwargs):
    """An HTTP cache that cannot be told of a change serves the old page until it expires (a day)."""
    warnings = []
    for url in settings.CACHE_PURGE_URLS:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=2).close()
        except OSError as error:
            warnings.append(
                checks.Warning(
                    f"The HTTP cache at {url} (DJANGO_CACHE_PURGE_URLS) does not answer: {error}.",
                    hint="Start it, or remove its address; purges for it are retried and then given up.",
                    id="comparisons.W001",
                )
            )
    return warnings
