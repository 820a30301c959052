from datetime import timedelta

from django.db import DatabaseError, connections
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from comparisons.checks import cache_status

# How soon clients and load balancers should ask again while the database is away.
RETRY_AFTER_SECONDS = 30


@never_cache
@require_GET
def health(request):
    """
    For load balancers: 503 when the database is unreachable. Without the cache
    the site still serves (every page rendered), so that is 200 and "degraded":
    taking every server out of rotation for it would only make things worse.
    So is a task worker that has not taken a due task for minutes ("stalled":
    bulk actions and purges wait).
    """
    checks = {"database": database_status(), "cache": cache_status()}
    checks["tasks"] = tasks_status() if checks["database"] == "ok" else "unknown"
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["cache"] != "ok" or checks["tasks"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = JsonResponse({"status": status, **checks}, status=code)
    if code == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def database_status():
    # A failed query marks the connection unusable; Django drops it at the end
    # of the request and, with CONN_HEALTH_CHECKS, the next request reconnects.
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


# A due task older than this means no task worker is running (it takes one within seconds).
STALLED_AFTER = timedelta(minutes=5)


def tasks_status():
    """
    "ok", or "stalled" when a task has waited STALLED_AFTER since it came due
    (no `manage.py db_worker` runs): since it was enqueued, or for a deferred
    task since its time (one due at once has no time of its own: the latest date).
    """
    now = timezone.now()
    long_due = Q(run_after__lt=now - STALLED_AFTER) | Q(
        run_after__gt=now, enqueued_at__lt=now - STALLED_AFTER
    )
    waiting = DBTaskResult.objects.ready().filter(long_due)
    try:
        return "stalled" if waiting.exists() else "ok"
    except DatabaseError:
        return "unknown"
