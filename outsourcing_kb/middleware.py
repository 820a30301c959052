import logging

from django.conf import settings
from django.contrib.admin.options import TO_FIELD_VAR
from django.core.exceptions import BadRequest
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string

from comparisons.addresses import unreadable_address

from .health import RETRY_AFTER_SECONDS, database_status


class PermissionsPolicyMiddleware:
    """Deny the browser features this site never uses (Django has no setting for this header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class UnreadableAddressMiddleware:
    """
    A NUL character in the path, or a NUL or invalid UTF-8 (overlong forms
    included) in the query string, is a 400 in the reader's language before any
    view or query runs. No address of this site holds either; PostgreSQL
    refuses NUL in a query (a 500), and Django would silently replace invalid
    bytes. (Invalid UTF-8 in the path Django keeps percent-encoded: no page's
    address matches it, so that is a 404.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if unreadable_address(request):
            raise BadRequest("NUL or invalid UTF-8 in the address")
        return self.get_response(request)


class EmptyToFieldMiddleware:
    """
    Django's admin takes `_to_field` present but empty (`?_to_field=`) for a field
    named "" on its change and delete views and fails with a 500. The admin never
    sends it empty, so such a request to a model's admin view is a 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "model_admin", None) is None:  # set by ModelAdmin.get_urls()
            return None
        if request.GET.get(TO_FIELD_VAR) == "" or (
            request.method == "POST" and request.POST.get(TO_FIELD_VAR) == ""
        ):
            raise BadRequest("empty _to_field")
        return None


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
