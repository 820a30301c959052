import os
import threading
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def health(request):
    """For load balancers: 200 when the database and the cache answer, 503 otherwise."""
    checks = {"database": database_status(), "cache": cache_status()}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def database_status():
    # A failed query marks the connection unusable; Django drops it at the end
    # of the request and, with CONN_HEALTH_CHECKS, the next request reconnects.
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def cache_status():
    # A key per process and thread: with one shared key, another worker's write
    # between this set and get would read as a failing cache under load.
    key = f"health-check:{os.getpid()}:{threading.get_ident()}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        return "ok" if cache.get(key) == value else "unavailable"
    except Exception:  # any backend's failure means the same to a load balancer
        return "unavailable"
