"""
Production settings without the page cache, for the benchmark's uncached pages.

Query strings no longer bypass the page cache (a view reads only the
parameters it names), so run.py measures the uncached pages on a second
gunicorn started with DJANGO_SETTINGS_MODULE=benchmarks.uncached_settings:
every request runs the view, as a page-cache miss does (the parts a view
keeps as fragments in the shared cache still come from there while they are
unchanged). gunicorn runs from the project's root, which it puts on
sys.path, so ``benchmarks`` is importable.
"""

from outsourcing_kb.settings import *  # noqa: F403
from outsourcing_kb.settings import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "comparisons.page_cache.PublicPageCacheMiddleware"]
