"""
How many searches a client may have the site run: a count per client address
and minute, in the shared cache. Results already cached are not counted (the
page cache answers them before the search view runs), so readers repeating a
common search are never refused; a client sending distinct queries is.
"""

import time

from django.conf import settings
from django.core.cache import cache

from outsourcing_kb.client_address import client_address

WINDOW_SECONDS = 60


def allow_search(request):
    """Count one search run for this client; False once it has had SEARCHES_PER_MINUTE this minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"searches:{client_address(request)}:{window}"
    try:
        cache.add(key, 0, 2 * WINDOW_SECONDS)
        count = cache.incr(key)
    except Exception:  # the cache is away (or the key just expired): nothing to count with
        return True
    return count <= settings.SEARCHES_PER_MINUTE


def seconds_left():
    """Until the next window, when a refused client may search again."""
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
