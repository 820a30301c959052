"""
gunicorn settings for production: `gunicorn -c outsourcing_kb/gunicorn.conf.py outsourcing_kb.wsgi`.
Each can be overridden by the environment (GUNICORN_WORKERS, GUNICORN_BIND, ...).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: pages are short and CPU-bound. On the 2-core machines we measured,
# one worker per core did best; more only add context switches.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound.
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Method, path, status, size and time: no client address, query string or referrer.
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# X-Forwarded-Proto (https) is believed from our load balancers only: the same
# list that Django trusts X-Forwarded-For from (see settings.TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("DJANGO_TRUSTED_PROXIES", "")
