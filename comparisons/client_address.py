"""The address a request came from, for sign-in throttling (axes) and the search limit (throttle.py)."""

import ipaddress

from django.conf import settings


def client_address(request):
    """
    The client's address. A request from one of our load balancers
    (DJANGO_TRUSTED_PROXIES) names the client in X-Forwarded-For: each proxy
    appends the address it saw, so the nearest entry that is not one of our
    proxies is the client, and the entries before it are whatever the client
    chose to send. From any other peer the header is ignored.
    """
    address = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(address):
        return address
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not is_address(entry.strip()):
            break  # not written by a proxy of ours: keep the last address one of them saw
        address = entry.strip()
        if not is_trusted_proxy(address):
            break
    return address


def is_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_trusted_proxy(address):
    """Whether ``address`` is one of DJANGO_TRUSTED_PROXIES (addresses or networks)."""
    if not is_address(address):
        return False
    address = ipaddress.ip_address(address)
    return any(address in ipaddress.ip_network(proxy) for proxy in settings.TRUSTED_PROXIES)
