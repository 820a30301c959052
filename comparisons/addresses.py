"""
Whether a request's address can be read at all. The public page cache asks
before it reads the query string; the project's UnreadableAddressMiddleware,
further down, answers such a request with a 400 in the reader's language.
"""

from urllib.parse import unquote_to_bytes


def unreadable_address(request):
    """A NUL in the path, or a NUL or invalid UTF-8 (overlong forms included) in the query string."""
    query = unquote_to_bytes(received_bytes(request.META.get("QUERY_STRING", "")).replace(b"+", b" "))
    return "\x00" in request.path_info or not readable(query)


def received_bytes(text):
    """The bytes as received: a WSGI server passes one character per byte."""
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:  # already decoded text (ASGI)
        return text.encode()


def readable(data):
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data
