# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PORT ?= 8000

.PHONY: run test install messages postgres-test

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (Django 6); set PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e '.[test]'

messages: install
	$(MANAGE) compilemessages --ignore=.venv -v0

.local-secret-key: $(PY)
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# Sets up the site on SQLite with the seeded content and serves it on PORT.
run: install messages .local-secret-key
	DJANGO_SECRET_KEY=$$(cat .local-secret-key) $(MANAGE) migrate -v0
	DJANGO_SECRET_KEY=$$(cat .local-secret-key) $(MANAGE) loadcontent
	DJANGO_SECRET_KEY=$$(cat .local-secret-key) $(MANAGE) collectstatic --noinput -v0
	DJANGO_SECRET_KEY=$$(cat .local-secret-key) $(MANAGE) runserver $(PORT)

# The whole suite: on SQLite, then on a throwaway PostgreSQL server when one can be started.
test: install messages
	DJANGO_SECRET_KEY=test-only-secret-key $(MANAGE) makemigrations --check --dry-run -v0
	$(PY) -m pytest
	tests/with-postgres.sh $(PY) -m pytest
