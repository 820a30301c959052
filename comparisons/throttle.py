"""
How many searches a client may have the site run: a count per client address
and minute, in the shared cache. Results already cached are not counted (the
page cache answers them before the search view runs), so readers repeating a
common search are never refused; a client sending distinct queries is.
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

from .client_address import client_address

WINDOW_SECONDS = 60


def allow_search(request):
    """Count one search run for this client; False once it has had SEARCHES_PER_MINUTE this minute."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"searches:{client_key(request)}:{window}"
    try:
        cache.add(key, 0, 2 * WINDOW_SECONDS)
        count = cache.incr(key)
    except Exception:  # the cache is away (or the key just expired): nothing to count with
        return True
    return count <= settings.SEARCHES_PER_MINUTE


def client_key(request):
    """
    The client's address (behind Varnish or a balancer, the one they forwarded:
    DJANGO_TRUSTED_PROXIES must name them); an IPv6 client by its /64, all of
    which one subscriber may use.
    """
    address = client_address(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is not None:  # ::ffff:1.2.3.4 from a dual-stack proxy
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def seconds_left():
    """Until the next window, when a refused client may search again."""
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
