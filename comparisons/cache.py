"""
Public pages served from the shared cache, never stale.

Every page is cached under the current *content version*: a token kept in
the shared cache (Redis in production, so every worker on every server sees
the same one). Any change of content, whichever way it comes (see
changes.py), draws a new token once its transaction commits,
so every page is rendered afresh on its next request, everywhere at once. The
token is also the pages' ETag, so browsers revalidate with a cheap 304.
"""

import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache, caches
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

VERSION_KEY = "content-version"
# The cache alias of this process's own recent pages (a LocMemCache: see settings).
RECENT_PAGES = "recent-pages"
CACHED_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
# Pages of earlier versions are never read again; they expire rather than fill the cache.
PAGE_TIMEOUT = 60 * 60 * 24

logger = logging.getLogger(__name__)


def content_version():
    """(token, time of the change): made afresh if the cache lost it, which only costs a re-render."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = new_version()
    return version


def new_version():
    version = (uuid.uuid4().hex[:16], time.time())
    cache.set(VERSION_KEY, version, None)
    return version


def content_changed(**kwargs):
    """Receiver of changes.content_changed (sent once a change is committed): a new version."""
    try:
        new_version()
    except Exception:  # with the cache down the change is saved all the same
        logger.warning("Could not draw a new content version", exc_info=True)


class PublicPageCacheMiddleware:
    """
    Serve the language-prefixed public pages from the cache. Only plain GET
    and HEAD requests without a query string are cached (a search term space
    is unbounded); responses that set cookies or are private are not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        # Django checks the Host header further down the chain; a cached page must
        # not answer first (DisallowedHost is a 400).
        request.get_host()
        try:
            token, changed = content_version()
        except Exception:  # any backend's failure: readers still get the page, rendered
            logger.warning("The page cache is unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        # The page's absolute URLs (canonical, hreflang, JSON-LD) name the scheme and
        # host it was asked at, so those are part of its key: one page per allowed host.
        url = request.build_absolute_uri(request.path)
        key = f"page:{token}:{hashlib.sha1(url.encode()).hexdigest()}"
        # The pages this process served last: a key names the content version, so an
        # entry is never stale, only evicted. Saves the shared cache's read of the page.
        recent = caches[RECENT_PAGES]
        response = recent.get(key)
        if response is None:
            response = cache.get(key)
            if response is None:
                response = self.get_response(request)
                if not self.cacheable_response(response):
                    return response
                self.add_validators(response, token, changed)
                try:
                    cache.set(key, response, PAGE_TIMEOUT)
                except Exception:  # a full or failing cache costs the next reader a render, no more
                    logger.warning("Could not cache %s", request.path, exc_info=True)
            recent.set(key, response, PAGE_TIMEOUT)
        # The version's time is compared exactly, not in the whole seconds of the
        # Last-Modified header: a client's date in the same second as a newer version
        # gets the page, never a stale 304. The ETag (the version) is what revalidates.
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=changed, response=response
        )

    def cacheable_request(self, request):
        return (
            request.method in ("GET", "HEAD")
            and not request.META.get("QUERY_STRING")
            and request.path.startswith(CACHED_PREFIXES)
        )

    def cacheable_response(self, response):
        return (
            response.status_code in (200, 301)
            and not response.cookies
            and not response.streaming
            and "private" not in response.get("Cache-Control", "")
        )

    def add_validators(self, response, token, changed):
        response["ETag"] = quote_etag(token)
        response["Last-Modified"] = http_date(changed)
        # Shared caches may keep the page, but must ask again before each use:
        # an editor's save has to reach every reader at once.
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
