"""
Settings for the outsourcing knowledge base.

Everything that differs between a laptop and production comes from the
environment; the defaults are the safe ones (no debug, SQLite in the project).
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

# `make run` makes a key for its checkout, kept in this file, which manage.py
# commands run by hand on the same checkout read too. Production sets the variable.
LOCAL_SECRET_KEY_FILE = BASE_DIR / ".local-secret-key"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and LOCAL_SECRET_KEY_FILE.exists():
    SECRET_KEY = LOCAL_SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (`make run` makes a key for "
            "its checkout). For local development, set DJANGO_DEBUG=1 instead."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The admin's address; moving it off /admin/ keeps it out of the way of scanners.
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"


# Security. DJANGO_HTTPS=1 in production (behind TLS): HTTPS-only cookies,
# redirect to HTTPS and HSTS. Off by default so `make run` works on plain HTTP.
HTTPS = env_flag("DJANGO_HTTPS")
SECURE_SSL_REDIRECT = HTTPS
# The load balancer checks each server over plain HTTP; a redirect would fail its check.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD")
# The load balancers in front of the app servers (addresses or networks). Only
# from these peers are X-Forwarded-Proto (gunicorn's forwarded_allow_ips reads
# the same variable, see gunicorn.conf.py) and X-Forwarded-For (sign-in throttling
# and the search limit, see comparisons/client_address.py) believed; anyone else could write them.
try:
    TRUSTED_PROXIES = [str(ipaddress.ip_network(proxy)) for proxy in env_list("DJANGO_TRUSTED_PROXIES")]
except ValueError as error:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from error
if "DJANGO_BEHIND_PROXY" in os.environ and not TRUSTED_PROXIES:
    # It trusted forwarded headers from any peer; starting without them would loop on the HTTPS redirect.
    raise ImproperlyConfigured(
        "DJANGO_BEHIND_PROXY is replaced by DJANGO_TRUSTED_PROXIES: set it to the load balancers' addresses."
    )
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Everything comes from this site: no inline scripts or styles, no third parties.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
# Huge posts are refused with a 400 before they are read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must be imported before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Trigram indexes for search on PostgreSQL (migration 0005); harmless on SQLite.
    "django.contrib.postgres",
    # Revision history, revert and undelete for every content model (see admin/history.py).
    "reversion",
    # Login throttling against password guessing.
    "axes",
    # Background tasks stored in the database (django.tasks; the worker is `manage.py db_worker`).
    "django_tasks_db",
    "comparisons",
]

MIDDLEWARE = [
    # The security headers come first so that static files get them too.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "outsourcing_kb.middleware.PermissionsPolicyMiddleware",
    # Before the session and everything else, so static files skip them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Likewise for cached public pages: a hit costs one shared-cache read and no query.
    "comparisons.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the language choice) and before CommonMiddleware
    # (which needs the resolved language to append slashes to prefixed URLs).
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware (its 400 page is in the reader's language), before
    # anything that could query the database with what the client sent.
    "outsourcing_kb.middleware.UnreadableAddressMiddleware",
    "outsourcing_kb.middleware.EmptyToFieldMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Content writes during a request are the signed-in user's, checked by comparisons/changes.py.
    "comparisons.changes.ActingUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After LocaleMiddleware: the 503 page is in the reader's language.
    "outsourcing_kb.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outsourcing_kb.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "outsourcing_kb.wsgi.application"


# Database: SQLite in the project unless DATABASE_URL names another server.
# Persistent connections with health checks: a new PostgreSQL connection per
# request costs about two thirds of a page's throughput on these machines, and
# the health check lets a worker recover by itself after a database restart.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes SQLite's write lock when it begins, so that two writers (a
    # request, the task worker) wait for each other instead of one failing with
    # "database is locked" when a transaction that began by reading goes on to write.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Cache: shared by every worker and server. Redis through Django's own backend
# in production (REDIS_URL); a file cache in the project otherwise. A Redis that
# does not answer is reported by `check --deploy` and /health/ (comparisons/checks.py).
if os.environ.get("REDIS_URL"):
    try:
        import redis  # noqa: F401  (Django's backend imports it only on first use, failing every request)
    except ImportError as error:
        raise ImproperlyConfigured(
            "REDIS_URL is set, but the Redis client is not installed: install the project with"
            " its dependencies (pip install .), which include it."
        ) from error
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
        }
    }
# How long shared caches (Varnish, a CDN) may keep a public page: they are told
# when it changes (comparisons/purge.py), so a day. Meanwhile they serve it stale
# while fetching it again, and for a day while the site fails.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", 60 * 60 * 24))
PAGE_STALE_WHILE_REVALIDATE_SECONDS = 30
PAGE_STALE_IF_ERROR_SECONDS = 60 * 60 * 24
# The site's own address, such as https://kb.example.com: pages asked at any
# other host name or port that ALLOWED_HOSTS lets in are redirected to it, so
# that each page is rendered and cached once. Unset, the host asked at is used.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").rstrip("/")
# The HTTP caches in front to purge after a change: their addresses, such as
# http://127.0.0.1:6081/ (comma-separated; see varnish/site.vcl).


def purge_address(url):
    """An address of DJANGO_CACHE_PURGE_URLS, checked as far as it can be without asking it."""
    try:
        parts = urlsplit(url)
        port_readable = parts.port is None or parts.port > 0  # reading it checks it
        (parts.hostname or "").encode("idna")  # a host name a connection can be made to
    except ValueError:  # a port that is not one, an unclosed [IPv6 address, a..b (UnicodeError)
        parts, port_readable = None, False
    if not port_readable or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ImproperlyConfigured(
            f"DJANGO_CACHE_PURGE_URLS: {url!r} is not an http:// or https:// address such as http://127.0.0.1:6081/."
        )
    return url


CACHE_PURGE_URLS = [purge_address(url) for url in env_list("DJANGO_CACHE_PURGE_URLS")]
# Each purge is sent again this much later (0: never), for a page that was on its
# way into the cache as the first purge passed it (comparisons/purge.py).
CACHE_PURGE_REPEAT_SECONDS = float(os.environ.get("DJANGO_CACHE_PURGE_REPEAT_SECONDS", "2"))
# Each process keeps the public pages it served last, and when it last found each valid
# (comparisons/page_cache.py): a hit reads neither the page nor its keys' versions from the
# shared cache while nothing changed. Least recently used go first.
CACHES["recent-pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "recent-pages",
    "OPTIONS": {"MAX_ENTRIES": 256},
}
# Search results have an address per query: each process keeps its last 500 here,
# and never in the shared cache or Varnish, so that a flood of distinct searches
# cannot push pages out of either (comparisons/page_cache.py, kept_apart).
CACHES["pages-kept-apart"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages-kept-apart",
    "OPTIONS": {"MAX_ENTRIES": 500},
}
# Searches a client may have the site run in a minute (results already cached do
# not count): one that runs more is answered 429 until the minute is over.
SEARCHES_PER_MINUTE = int(os.environ.get("DJANGO_SEARCHES_PER_MINUTE", "30"))


# Background work (comparisons/bulk.py, comparisons/purge.py): Django's tasks, kept in
# the database, so that nothing is lost when a process exits and no other server is
# needed. `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Internationalization. English is the default and the only fallback: every
# piece of content is written in English first or translated into it.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("uk", _("Ukrainian")),
    ("de", _("German")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True


# django-modeltranslation
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": (MODELTRANSLATION_DEFAULT_LANGUAGE,)}
# The tabbed admin would load jQuery UI from a public CDN: serve our own copy.
# (modeltranslation reads these two without its usual prefix.)
JQUERY_URL = None
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"


# Static files, served by whitenoise with hashed, compressed names.
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# One JSON object a line on standard error, without personal data (see json_log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "outsourcing_kb.json_log.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
            "propagate": False,
        },
        # Disallowed hosts are scanners' noise, not errors of ours.
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}

# The reader's explicit choice of language is remembered for a year.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365


# django-axes: after this many failed logins for one user name (from any
# address), from one address (for any user name), or for the pair, further
# attempts are refused for the cool-off time. Counting pairs only would let one
# address try a password on every user name, and a user name be guessed from
# many addresses. (A list locks on any of its entries, a nested list on the combination.)
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a load balancer, the address it saw, not one the client wrote into a header.
AXES_CLIENT_IP_CALLABLE = "comparisons.client_address.client_address"
