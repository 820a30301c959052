"""
Production settings without the page cache, for the benchmark's uncached pages.

Query strings no longer bypass the page cache (a view reads only the
parameters it names), so run.py measures the page rendered in full on a
second gunicorn started with DJANGO_SETTINGS_MODULE=benchmarks.uncached_settings:
every request renders the page, as a cache miss does. gunicorn runs from the
project's root, which it puts on sys.path, so ``benchmarks`` is importable.
"""

from outsourcing_kb.settings import *  # noqa: F403
from outsourcing_kb.settings import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "comparisons.cache.PublicPageCacheMiddleware"]
