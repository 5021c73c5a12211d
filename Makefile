# Who Benefits: `make run` to try it, `make test` to check it. Both are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL the suite also runs on; pytest-django creates and drops test_whobenefits.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/whobenefits
PYTEST_ARGS ?=
# Each pass spreads its tests over every core (pytest-xdist); `auto` is one worker a core.
PYTEST_WORKERS ?= auto
# gunicorn's workers for `make serve` (gunicorn.conf.py reads the same variable).
WEB_CONCURRENCY ?= 2

# A Python 3.12 or newer: python3.13, python3.12, or what pyenv picks from .python-version.
PYTHON := $(shell for c in python3.13 python3.12 python3 python; do \
	$$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& { $$c -c 'import sys; print(sys.executable)'; break; }; done)

.PHONY: help run serve static install install-dev migrate seed lint test test-sqlite test-postgres browser vnu clean

help:
	@echo "make run    install, migrate, seed demo data, serve on http://$(HOST):$(PORT)/ with a task worker"
	@echo "make serve  the same in production mode: gunicorn, DEBUG off, compressed static files"
	@echo "make test   lint and the whole suite, on SQLite and on PostgreSQL"

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "Who Benefits needs Python 3.12 or newer: install python3.13 (or run 'pyenv install 3.13')."; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

# The task worker (imports run in it) starts beside the web server; Ctrl-C stops both, and
# so does the server stopping on its own (the trap ends the worker whatever ends the recipe).
run: seed
	@echo "Serving Who Benefits on http://$(HOST):$(PORT)/ with a task worker beside it (Ctrl-C stops both)."
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py db_worker & worker=$$!; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production mode on this machine: DEBUG off, a secret of its own kept in var/ (sessions
# survive a restart), loopback hosts only, so settings.py allows plain HTTP and nothing else.
SERVE_ENV = DEBUG=false SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" WEB_CONCURRENCY=$(WEB_CONCURRENCY)

var/secret_key: | $(PY)
	@mkdir -p var && umask 077 && $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

static: install var/secret_key
	@$(SERVE_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0

# gunicorn (gunicorn.conf.py) and the task worker beside it, stopped together as in `run`.
# The worker exits when it loses the database; like a supervisor, the loop starts it again.
serve: seed static
	@echo "Serving Who Benefits in production mode on http://$(HOST):$(PORT)/: gunicorn with $(WEB_CONCURRENCY) workers, a task worker beside it (Ctrl-C stops both)."
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	( trap 'kill $$task 2>/dev/null; exit' INT TERM; while :; do \
		$(SERVE_ENV) $(PY) manage.py db_worker --no-reload & task=$$!; wait $$task; \
		echo "The task worker stopped; it starts again in 5 s."; sleep 5; done ) & worker=$$!; \
	$(SERVE_ENV) $(VENV)/bin/gunicorn --bind $(HOST):$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# Browser tests drive Debian's Chromium. Install it where we may (root with apt, as in CI).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Browser tests will be skipped: run 'sudo apt-get install -y chromium' to enable them."; \
	fi

# The Nu HTML checker for tests/test_html_validity.py: npm's vnu-jar ships the jar, Java runs
# it. Installed into the virtualenv, never committed; its postinstall (a Java download) is skipped.
VNU_VERSION := 26.9.27
VNU_JAR := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu:
	@if [ -f $(VNU_JAR) ] && grep -q '"version": "$(VNU_VERSION)"' $(VENV)/vnu/node_modules/vnu-jar/package.json; then :; \
	elif command -v npm >/dev/null && command -v java >/dev/null; then \
		echo "Installing the Nu HTML checker (vnu-jar $(VNU_VERSION))..."; \
		npm install --no-save --no-audit --no-fund --ignore-scripts --silent \
			--prefix $(VENV)/vnu vnu-jar@$(VNU_VERSION); \
	else \
		echo "The HTML validity test will be skipped: it needs npm and Java (sudo apt-get install -y npm default-jre-headless)."; \
	fi

test-sqlite: install-dev browser vnu
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-postgres: install-dev browser
	@if $(PY) -c 'import sys, psycopg; psycopg.connect(sys.argv[1], dbname="postgres", connect_timeout=3).close()' \
		"$(TEST_POSTGRES_URL)" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL ($(TEST_POSTGRES_URL)) =="; \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS); \
	elif [ "$$CI" = true ]; then \
		echo "PostgreSQL at $(TEST_POSTGRES_URL) is unreachable, and CI must test on it."; exit 1; \
	else \
		echo "PostgreSQL at $(TEST_POSTGRES_URL) is unreachable: skipped. Set TEST_POSTGRES_URL or start it."; \
		echo "skipped" > $(VENV)/.postgres-skipped; \
	fi

test: lint
	@rm -f $(VENV)/.postgres-skipped
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres
	@if [ -f $(VENV)/.postgres-skipped ]; then echo "Tested on: SQLite only (PostgreSQL unreachable)."; \
	else echo "Tested on: SQLite and PostgreSQL."; fi

clean:
	rm -rf $(VENV) var staticfiles
