"""The address a request came from, for login throttling."""

from django.conf import settings


def client_address(request):
    """
    The client's address. Behind our load balancer (DJANGO_BEHIND_PROXY=1) that
    is the last X-Forwarded-For entry, the one the balancer appended: the
    entries before it are whatever the client chose to send.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")
