"""
Public pages served from the shared cache, and from the HTTP cache in front.

The design in a paragraph: a view tags its page with the keys of the records
it shows (``shows()``, page_keys.py). The shared cache (Redis in production,
so every worker on every server agrees; a file cache by default) keeps a
*version* of each key, and a page is stored with the versions its keys had
when it was rendered. A committed change (changes.content_changed) draws new
versions for the keys it touched, so exactly the pages that show a changed
record stop being served and are rendered afresh on their next read, and
tells the HTTP caches in front (Varnish's xkey) to drop the same keys
(purge.py). A render that began before a change of one of its keys is not
kept. That is all the correctness; the rest saves time, and each part was
kept because it pays (figures in-process on the seeded comparison page, file
cache / Redis):

- each process keeps a copy of the pages it served last, with the last
  invalidation when it found each valid: while no change has finished since,
  a hit is one small read of the shared cache (270 / 410 µs a hit, against
  600 / 690 µs reading the page and its 18 keys' versions each time);
- a comparison page keeps its article and its related comparisons as parts
  (``fragment()``) under the same rule, so that a page rendered again because
  a neighbour changed skips their queries (4 ms instead of 12).

A page may be kept by shared caches for a long time (``s-maxage``) because
it is purged when it changes; it is served stale while being fetched again
and while the origin fails. Browsers revalidate it on every use, cheaply, by
its ETag: a hash of the page, so a page rendered afresh but unchanged is
still a 304.

Query strings cannot bust the cache: a view names the parameters it reads
(``reads_query()``), and a request with others, or in another order, is
redirected to the page's one address before anything is rendered or cached.
Varnish's rules follow from the same declarations (manage.py varnishvcl).

Pages with an address per query (search results: ``kept_apart()``) are kept
in a bounded cache of each process instead, and not by the HTTP caches in
front, so that no number of distinct queries can push the pages out.
"""

import contextvars
import functools
import hashlib
import logging
import re
import secrets
import time
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.http import HttpResponsePermanentRedirect, QueryDict
from django.tasks import task
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag

from . import page_keys, purge
from .addresses import unreadable_address

# The cache alias of this process's own recent pages (a LocMemCache: see settings).
RECENT_PAGES = "recent-pages"
# The cache alias of the pages kept apart (search results: a bounded LocMemCache).
KEPT_APART = "pages-kept-apart"
# A page whose keys all stay unchanged is still dropped after a day, so that
# pages nobody reads any more leave the cache.
PAGE_TIMEOUT = 60 * 60 * 24
# A change of more records than this (an import) refreshes every page at once.
MAX_KEYS = 1000

logger = logging.getLogger(__name__)

HOST = re.compile(r"(?P<domain>\[[^\]]*\]|[^:]*)(?::(?P<port>[0-9]*))?")

# Set while a page is rendered with a draft applied (admin/preview.py): nothing read from the cache
# could show the draft, and nothing rendered may be kept where a reader could be served it.
_bypassed = contextvars.ContextVar("cache_bypassed", default=False)


@contextmanager
def bypassed():
    """Render without reading or writing any cached part."""
    token = _bypassed.set(True)
    try:
        yield
    finally:
        _bypassed.reset(token)


def shows(response, keys):
    """Tag a view's response with the keys of what it shows: it may then be cached."""
    response.keys_shown = frozenset(keys)
    return response


def reads_query(*names):
    """Decorate a view with the query parameters it reads; a request with others is redirected."""

    def decorate(view):
        view.query_parameters = names
        return view

    return decorate


def kept_apart(view):
    """
    Decorate a view whose pages have an address per query (search results):
    they are cached in KEPT_APART, bounded, and never by the caches in front.
    """
    view.page_cache = KEPT_APART
    return view


# Versions of keys ----------------------------------------------------------------


def version_key(key):
    return f"key-version:{key}"


# Changes are numbered, so that a render can tell whether one of its keys
# changed after it began (see PublicPageCacheMiddleware.store). The count starts
# from the time in milliseconds, so that it still grows if the cache loses it.
SEQUENCE_KEY = "change-sequence"


def last_change():
    number = cache.get(SEQUENCE_KEY)
    if number is None:
        cache.add(SEQUENCE_KEY, time.time_ns() // 1_000_000, None)
        number = cache.get(SEQUENCE_KEY, 0)
    return number


def next_change():
    try:
        return cache.incr(SEQUENCE_KEY)
    except ValueError:  # not in the cache
        last_change()
        return cache.incr(SEQUENCE_KEY)


def new_version(change):
    # The random part keeps apart two versions of the same number (a cache that lost the count).
    return f"{change}:{secrets.token_hex(4)}"


def change_of(version):
    return int(version.partition(":")[0])


def current_versions(keys):
    """{key: version}; a key the cache does not know (never changed, or evicted) gets one."""
    names = {version_key(key): key for key in keys}
    versions = cache.get_many(names)
    missing = [name for name in names if name not in versions]
    if missing:
        # Change 0: the key did not change during any render (one that did has a version).
        for name in missing:
            cache.add(name, new_version(0), None)
        versions |= cache.get_many(missing)
    return {names[name]: version for name, version in versions.items()}


def unchanged(versions):
    """Whether every key still has the version it had when a page or fragment was rendered."""
    names = {version_key(key): version for key, version in versions.items()}
    return cache.get_many(names) == names


def kept_versions(keys, started):
    """
    The versions to keep a page or fragment under, or None where one of its
    keys changed after the render began (change number ``started``): the render
    may show the record as it was before, and nobody may keep it.
    """
    versions = current_versions(keys)
    if any(change_of(version) > started for version in versions.values()):
        return None
    return versions


def fragment(name, render):
    """
    A part of a page kept in the shared cache while the records it shows stay
    unchanged: ``render()`` gives (html, keys). A page rendered because one of
    its other records changed then skips this part's queries. The page must
    be tagged with the keys too (returned with the html).
    """
    if _bypassed.get():
        return render()
    name = f"fragment:{name}"
    try:
        entry = cache.get(name)
        if entry is not None and unchanged(entry[1]):
            return entry[0], set(entry[1])
        started = last_change()
    except Exception:
        logger.warning("The fragment cache is unavailable; rendering %s", name, exc_info=True)
        return render()
    html, keys = render()
    keys = {page_keys.EVERY_PAGE, *keys}
    try:
        versions = kept_versions(keys, started)
        if versions is not None:
            cache.set(name, (html, versions), PAGE_TIMEOUT)
    except Exception:
        logger.warning("Could not cache %s", name, exc_info=True)
    return html, keys


# The version of the last invalidation to finish: while it stays the same, a page
# this process found valid is still valid (PublicPageCacheMiddleware.cached).
LAST_INVALIDATION = "last-invalidation"


def last_invalidation():
    version = cache.get(LAST_INVALIDATION)
    if version is None:  # none yet, or the cache lost it: any new value will do
        cache.add(LAST_INVALIDATION, new_version(0), None)
        version = cache.get(LAST_INVALIDATION)
    return version


def invalidate(keys):
    """New versions for these keys: every page tagged with one of them is out of date."""
    version = new_version(next_change())
    cache.set_many({version_key(key): version for key in keys}, None)
    # Written after the versions: one who reads it reads them too, or will see it change.
    cache.set(LAST_INVALIDATION, version, None)


def refresh_pages(changes, **kwargs):
    """Invalidate and purge the pages that show what changed (receives changes.content_changed)."""
    keys = set().union(*(change.shown_on for change in changes))
    if not keys:
        return
    if len(keys) > MAX_KEYS:
        keys = {page_keys.EVERY_PAGE}
    try:
        invalidate(keys)
    except Exception as error:  # the change is saved all the same; its pages are invalidated once it is back
        failure = f"Invalidation of {len(keys)} keys failed ({error!r})"
        purge.retry(invalidate_later, (sorted(keys),), 0, failure)
    purge.purge(keys)


@task(priority=purge.PRIORITY)
def invalidate_later(keys, tries):
    """Invalidation retried by the task worker, while the shared cache was away."""
    try:
        invalidate(keys)
    except Exception as error:
        purge.retry(invalidate_later, (keys,), tries, f"Invalidation of {len(keys)} keys failed ({error!r})")


# The middleware ------------------------------------------------------------------


def public_routes():
    """
    What the URL patterns say of the public pages: every query parameter
    some page reads, and the routes outside the language prefixes of the
    views that say which they read (the sitemaps, robots.txt), as regular
    expressions from the start of the path. Varnish's public_pages.vcl is
    written from the same (manage.py varnishvcl).
    """
    parameters, outside = set(), set()
    for view, route, under_language in routed_views(get_resolver().url_patterns):
        if hasattr(view, "query_parameters"):
            parameters.update(view.query_parameters)
            if not under_language:
                outside.add(re.sub(r"\(\?P<\w+>", "(?:", route.removeprefix("^").removesuffix(r"\Z")))
    return sorted(parameters), sorted(outside)


def routed_views(patterns, under_language=False):
    """(view, its route as a regular expression, whether it is under a language prefix)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            language = under_language or isinstance(pattern.pattern, LocalePrefixPattern)
            yield from routed_views(pattern.url_patterns, language)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield view, pattern.pattern.regex.pattern, under_language


@functools.cache
def outside_languages():
    return re.compile(f"/(?:{'|'.join(public_routes()[1])})")


def public_view(request):
    """
    The public view at this path (its function or class), or None: a view under
    a language prefix, or one outside them that says which query parameters it
    reads (``reads_query()``: the sitemaps, robots.txt). Other paths (the
    admin's) are not resolved a second time.
    """
    language = translation.get_language_from_path(request.path_info)
    if language is None and not outside_languages().fullmatch(request.path_info):
        return None
    try:
        with translation.override(language) if language else nullcontext():
            match = resolve(request.path_info)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return view if language or hasattr(view, "query_parameters") else None


def canonical_query(request, names):
    """
    Only the parameters the view reads, each once (the value Django would
    read), sorted by name as Varnish sorts them (site.vcl).
    """
    query = QueryDict(mutable=True)
    for name in sorted(names):
        if name in request.GET:
            query[name] = request.GET[name]
    return query.urlencode()


def canonical_origin(request, host):
    """
    The scheme and host of the site's addresses: settings.SITE_URL where it is
    set (production: any other host name or port the allowed hosts let in is
    sent there), or the host asked at, in lower case and without a trailing dot.
    """
    if settings.SITE_URL:
        return settings.SITE_URL
    # The host passed ALLOWED_HOSTS (request.get_host()): a name or [IPv6 address], then perhaps :digits.
    domain, port = HOST.fullmatch(host).group("domain", "port")
    domain = domain.lower().removesuffix(".")
    return f"{request.scheme}://{domain}" + (f":{port}" if port else "")


class PublicPageCacheMiddleware:
    """
    Serve the language-prefixed public pages from the cache, and mark them
    for the HTTP caches in front. Only GET and HEAD; only responses a view
    tagged with ``shows()``, without cookies, not private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        view = public_view(request)
        if view is None or unreadable_address(request):  # the latter a 400 further down
            return self.get_response(request)
        names = getattr(view, "query_parameters", ())
        alias = getattr(view, "page_cache", DEFAULT_CACHE_ALIAS)
        # Django checks the Host header further down the chain; a cached page must
        # not answer first (DisallowedHost is a 400).
        host = request.get_host()
        # One address per page: any other spelling of it (parameters the page does
        # not read, in another order; the host in capitals) is sent there, cheaply
        # and never cached, so that no spelling costs a render or a cache entry.
        query = canonical_query(request, names)
        origin = canonical_origin(request, host)
        asked_at = f"{request.scheme}://{host}"
        if query != request.META.get("QUERY_STRING", "") or origin != asked_at:
            address = request.path + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(address if origin == asked_at else origin + address)
        # The page's absolute URLs (canonical, hreflang, JSON-LD) name the scheme and
        # host it was asked at, so those are part of its key: one page per allowed host.
        url = request.build_absolute_uri()
        key = f"page:{hashlib.sha1(url.encode()).hexdigest()}"
        try:
            response = self.cached(key, alias)
        except Exception:  # any backend's failure: readers still get the page, rendered
            logger.warning("The page cache is unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        if response is None:
            try:
                started = last_change()
            except Exception:
                logger.warning("The page cache is unavailable; rendering %s", request.path, exc_info=True)
                return self.get_response(request)
            response = self.get_response(request)
            if self.cacheable(response):
                self.store(key, response, started, alias)
        return get_conditional_response(request, etag=response.get("ETag"), response=response)

    def cached(self, key, alias):
        """The page cached under ``key`` if every key it shows has the version it was rendered at."""
        if alias != DEFAULT_CACHE_ALIAS:
            entry = caches[alias].get(key)
            return entry[0] if entry is not None and unchanged(entry[1]) else None
        # The copy this process keeps, and the last invalidation when it found it valid:
        # while none has finished since, one read of the shared cache instead of one per key.
        recent = caches[RECENT_PAGES]
        last = last_invalidation()
        entry = recent.get(key)
        if entry is not None and last is not None and entry[2] == last:
            return entry[0]
        if entry is None:
            entry = cache.get(key)
            if entry is None:
                return None
        response, versions = entry[:2]
        if not unchanged(versions):
            return None
        recent.set(key, (response, versions, last), PAGE_TIMEOUT)
        return response

    def cacheable(self, response):
        return (
            hasattr(response, "keys_shown")
            and response.status_code in (200, 301, 302)
            and not response.cookies
            and not response.streaming
            and "private" not in response.get("Cache-Control", "")
        )

    def store(self, key, response, started, alias):
        keys = sorted({page_keys.EVERY_PAGE, *response.keys_shown})
        set_response_etag(response)
        try:
            # Read before the versions: an invalidation finished in between makes the copy checked again.
            last = last_invalidation() if alias == DEFAULT_CACHE_ALIAS else None
            versions = kept_versions(keys, started)
        except Exception:
            logger.warning("Could not cache %s", key, exc_info=True)
            versions = None
        if versions is None or alias != DEFAULT_CACHE_ALIAS:  # no cache in front may keep it
            patch_cache_control(response, max_age=0, must_revalidate=True)
        if versions is None:  # nor this one
            return
        if alias != DEFAULT_CACHE_ALIAS:
            caches[alias].set(key, (response, versions), PAGE_TIMEOUT)
            return
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.PAGE_CACHE_SECONDS,
            stale_while_revalidate=settings.PAGE_STALE_WHILE_REVALIDATE_SECONDS,
            stale_if_error=settings.PAGE_STALE_IF_ERROR_SECONDS,
        )
        # Varnish's xkey, and the same keys as Fastly (Surrogate-Key) and Cloudflare (Cache-Tag) read them.
        response["xkey"] = response["Surrogate-Key"] = " ".join(keys)
        response["Cache-Tag"] = ",".join(keys)
        try:
            cache.set(key, (response, versions), PAGE_TIMEOUT)
            caches[RECENT_PAGES].set(key, (response, versions, last), PAGE_TIMEOUT)
        except Exception:  # a full or failing cache costs the next reader a render, no more
            logger.warning("Could not cache %s", key, exc_info=True)
