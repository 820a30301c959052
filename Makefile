# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000

.PHONY: run test install install-test messages benchmark

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (Django 6): run with PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-test: $(PY)
	$(PY) -m pip install --quiet -e '.[test]'

messages: $(PY)
	DJANGO_DEBUG=1 $(MANAGE) compilemessages --ignore=$(VENV) -v0

# `make run` serves with debug off, as production does, with a key made once for this
# checkout (the settings read it where DJANGO_SECRET_KEY is not set).
.local-secret-key: | $(PY)
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Sets up the site on SQLite with the seeded content and serves it on http://127.0.0.1:$(PORT)/.
run: install messages .local-secret-key
	$(MANAGE) migrate -v0
	$(MANAGE) loadcontent
	$(MANAGE) collectstatic --noinput -v0
	@# The task worker (bulk actions on many records, purges) runs beside the server and stops with it.
	$(MANAGE) db_worker -v0 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(PORT)

# Two test processes (pytest-xdist); the tests that start servers keep to one of them.
PARALLEL ?= -n 2 --dist loadgroup

# The whole suite on SQLite, then again on a throwaway PostgreSQL server (but the
# tests that start servers with databases of their own, which need no second run).
test: install-test messages
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run -v0
	$(PY) -m pytest $(PARALLEL)
	tests/with-postgres.sh $(PY) -m pytest $(PARALLEL) -m "not browser and not servers"

# Load benchmark of the public pages (SQLite and PostgreSQL, seeded and 100 000 comparisons,
# through Varnish too) and of an edit a second under a Zipf read mix behind Varnish; about
# 20 minutes. Needs varnish and varnish-modules. Reports only; see benchmarks/README.md.
benchmark: install-test messages
	$(PY) benchmarks/run.py
