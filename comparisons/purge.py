"""
Purging the HTTP caches in front of the site: Varnish with its xkey module
(the VCL is varnish/default.vcl), one or more of them.

``settings.CACHE_PURGE_URLS`` lists them (from DJANGO_CACHE_PURGE_URLS; none
by default). After each committed change every one is asked at once to drop
the pages tagged with the change's keys. One that cannot be reached or
refuses is asked again by a thread of this process, after growing pauses,
and each failure is logged: the change is saved whatever happens here.

Each purge is also sent once more a moment later. A page rendered just
before a change, on its way to a cache while the purge overtook it, would
otherwise stay in that cache until its next change. A process that exits
(a command such as loadcontent, a recycled worker) sends what it still owes
at once.
"""

import atexit
import heapq
import http.client
import logging
import os
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings

# Pauses before the attempts after a failed one; then the purge is given up.
RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)
TIMEOUT = 2
# Header size per request: Varnish refuses request headers over 8 KB by default.
MAX_HEADER = 4000

logger = logging.getLogger(__name__)


class PurgeError(Exception):
    pass


def purge(keys):
    """Ask every configured cache to drop the pages tagged with any of ``keys``."""
    for url in settings.CACHE_PURGE_URLS:
        for batch in batches(sorted(keys)):
            attempt(url, batch, 0)
            if settings.CACHE_PURGE_REPEAT_SECONDS:
                later.schedule(settings.CACHE_PURGE_REPEAT_SECONDS, attempt, url, batch, 0)


def batches(keys):
    batch, size = [], 0
    for key in keys:
        if batch and size + len(key) + 1 > MAX_HEADER:
            yield batch
            batch, size = [], 0
        batch.append(key)
        size += len(key) + 1
    if batch:
        yield batch


def send(url, keys):
    """One xkey purge request; raises PurgeError unless the cache confirms it."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        connection.request("PURGE", parts.path or "/", headers={"xkey-purge": " ".join(keys)})
        response = connection.getresponse()
        response.read()
    except OSError as error:
        raise PurgeError(f"{url}: {error}") from error
    finally:
        connection.close()
    if response.status != 200:
        raise PurgeError(f"{url} answered {response.status} {response.reason}")


def attempt(url, keys, tries, last=False):
    try:
        send(url, keys)
    except PurgeError as error:
        retry(attempt, (url, keys), tries, last, f"Purge of {len(keys)} keys failed ({error})")


def retry(function, args, tries, last, failure):
    """
    Log a failed ``function(*args, tries, last)`` and call it again later, after
    the next of RETRY_DELAYS; give up after the last, or when the process exits.
    """
    if last or tries >= len(RETRY_DELAYS):
        logger.error("%s, %d times; given up", failure, tries + 1)
        return
    delay = RETRY_DELAYS[tries]
    logger.warning("%s; trying again in %s s", failure, delay)
    later.schedule(delay, function, *args, tries + 1)


class Later:
    """Calls due later (purges, retries), made by one thread of this process, started when first needed."""

    def __init__(self):
        self.condition = threading.Condition()
        self.due = []
        self.pid = None
        self.count = 0

    def schedule(self, delay, function, *args):
        with self.condition:
            if self.pid != os.getpid():  # first use, or a worker forked after it: a thread of its own
                self.pid, self.due = os.getpid(), []
                threading.Thread(target=self.run, name="cache-purge", daemon=True).start()
            self.count += 1  # orders calls due at the same time
            heapq.heappush(self.due, (time.monotonic() + delay, self.count, function, args))
            self.condition.notify()

    def flush(self):
        """Make every call still due, once, now: the process is exiting (a command, a recycled worker)."""
        with self.condition:
            due, self.due = self.due, []
        for _when, _count, function, args in sorted(due, key=lambda entry: entry[:2]):
            function(*args, last=True)

    def cancel(self):
        """Drop every call not made yet (the caches they were for are gone: tests)."""
        with self.condition:
            self.due.clear()

    def run(self):
        while True:
            with self.condition:
                while not self.due or self.due[0][0] > time.monotonic():
                    self.condition.wait(self.due[0][0] - time.monotonic() if self.due else None)
                _when, _count, function, args = heapq.heappop(self.due)
            function(*args)


later = Later()
atexit.register(later.flush)
