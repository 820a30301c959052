"""
Purging the HTTP caches in front of the site: Varnish with its xkey module
(the VCL is varnish/site.vcl), one or more of them.

``settings.CACHE_PURGE_URLS`` lists them (from DJANGO_CACHE_PURGE_URLS; none
by default). After each committed change, a task per cache asks it to drop
the pages tagged with the change's keys. The tasks are stored in the database
and run by the task worker (``manage.py db_worker``), never in the editor's
request: a cache that hangs delays no save, and a process that exits loses
no purge. One that cannot be reached or refuses is asked again by a new task
after growing pauses, each failure logged, then given up.

Each purge is also sent once more a moment later. A page rendered just
before a change, on its way to a cache while the purge overtook it, would
otherwise stay in that cache until its next change.
"""

import http.client
import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

# Pauses before the attempts after a failed one; then the purge is given up.
RETRY_DELAYS = (1, 2, 5, 10, 30, 60, 120, 300)
TIMEOUT = 2
# Header size per request: Varnish refuses request headers over 8 KB by default.
MAX_HEADER = 4000
# Purges go before other tasks (a chunk of a bulk action), so pages are not stale for long.
PRIORITY = 10

logger = logging.getLogger(__name__)


class PurgeError(Exception):
    pass


def purge(keys):
    """Have every configured cache drop the pages tagged with any of ``keys``, soon and once more later."""
    for url in settings.CACHE_PURGE_URLS:
        for batch in batches(sorted(keys)):
            send_purge.enqueue(url, batch)
            if settings.CACHE_PURGE_REPEAT_SECONDS:
                later(settings.CACHE_PURGE_REPEAT_SECONDS, send_purge, url, batch)


def later(seconds, task_, *args):
    """Enqueue ``task_`` to run no sooner than ``seconds`` from now."""
    task_.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue(*args)


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
    except (OSError, http.client.HTTPException) as error:  # refused, timed out, or not HTTP
        raise PurgeError(f"{url}: {error!r}") from error
    finally:
        connection.close()
    if response.status != 200:
        raise PurgeError(f"{url} answered {response.status} {response.reason}")


@task(priority=PRIORITY)
def send_purge(url, keys, tries=0, deadline=None):
    """
    Send one purge; a failure is tried again after the next of RETRY_DELAYS,
    and given up after the last, or once the purge's ``deadline`` (its whole
    schedule from its first run) has passed. While its cache is known to fail
    (a purge to it failed a moment ago), a purge is held back until the cache
    is tried again, without using a try, instead of spending the worker's time
    on a timeout of its own; never past its deadline, when it is sent anyway.
    """
    if deadline is None:
        deadline = time.time() + sum(RETRY_DELAYS) + TIMEOUT * (len(RETRY_DELAYS) + 1)
    wait = seconds_failing(url)
    if wait and time.time() + wait < deadline:
        later(wait + 0.05, send_purge, url, keys, tries, deadline)
        return
    started = time.time()
    try:
        send(url, keys)
    except PurgeError as error:
        failure = f"Purge of {len(keys)} keys failed ({error})"
        mark_failing(url, RETRY_DELAYS[min(tries, len(RETRY_DELAYS) - 1)])
        left = deadline - time.time()
        if tries >= len(RETRY_DELAYS) or left <= 0:
            logger.error("%s, %d times; given up", failure, tries + 1)
            return
        delay = min(RETRY_DELAYS[tries], left)  # the last try at the deadline at the latest
        logger.warning("%s; trying again in %s s", failure, round(delay, 2))
        later(delay, send_purge, url, keys, tries + 1, deadline)
    else:
        clear_failing(url, started)


def failing_key(url):
    return f"purge-failing:{url}"


def mark_failing(url, seconds):
    """
    Note that ``url`` failed: purges to it wait ``seconds`` (a later mark
    already there stands; two workers failing at the same instant may still
    shorten it, which costs a purge one timeout, no more).
    """
    now = time.time()
    try:
        mark = cache.get(failing_key(url))
        until = max(now + seconds, mark[1] if mark else 0)
        cache.set(failing_key(url), (now, until), until - now)
    except Exception:  # without the shared cache, every purge tries for itself
        logger.warning("Could not note that %s fails", url, exc_info=True)


def clear_failing(url, since):
    """The cache answered a purge sent at ``since``: drop a mark made before that, not a newer one."""
    try:
        mark = cache.get(failing_key(url))
        if mark is not None and mark[0] < since:
            cache.delete(failing_key(url))
    except Exception:
        logger.warning("Could not note that %s answers again", url, exc_info=True)


def seconds_failing(url):
    """How long until a cache that failed a moment ago is tried again (0: try now)."""
    try:
        mark = cache.get(failing_key(url))
    except Exception:
        return 0
    return max(0.0, mark[1] - time.time()) if mark else 0


def retry(task_, args, tries, failure):
    """Log a failed ``task_(*args, tries)``; enqueue it again after the next of RETRY_DELAYS, or give up."""
    if tries >= len(RETRY_DELAYS):
        logger.error("%s, %d times; given up", failure, tries + 1)
        return
    delay = RETRY_DELAYS[tries]
    logger.warning("%s; trying again in %s s", failure, delay)
    later(delay, task_, *args, tries + 1)
