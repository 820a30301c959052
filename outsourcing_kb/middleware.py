import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .views import RETRY_AFTER_SECONDS, database_status


class PermissionsPolicyMiddleware:
    """Deny the browser features this site never uses (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """
    While the database is unreachable, answer with a 503 page in the reader's
    language, rendered without touching the database, and tell clients and load
    balancers when to retry. With CONN_HEALTH_CHECKS, the next request after the
    database returns opens a fresh connection, so the site recovers by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError) or database_status() == "ok":
            return None
        logging.getLogger("outsourcing_kb.availability").error(
            "database unavailable", extra={"path": request.path, "error": type(exception).__name__}
        )
        response = service_unavailable(request)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def service_unavailable(request):
    return HttpResponse(render_to_string("503.html"), status=503)
