# evalsheets: two commands do all the set-up on a fresh Debian 12 machine (as root).
#   make run   – install, migrate, load the demo data, start a task worker, serve :8000
#   make test  – install, run the whole test suite (SQLite; PostgreSQL with DATABASE_URL)
# Both are idempotent. DATABASE_URL=postgres://postgres@127.0.0.1:5432/evalsheets uses PostgreSQL.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

# System packages: Pango/HarfBuzz for WeasyPrint, the IPAex Japanese fonts, Debian's
# chromium for the browser tests, poppler-utils (pdftoppm/pdftotext) for PDF checks,
# postgresql-client (pg_dump/pg_restore, the same major version as Debian's server) for
# manage.py backup / restore on PostgreSQL; libreoffice-calc-nogui (soffice --headless) for
# the test that converts the exported workbook to PDF (tests/transfer; skipped without it;
# on a fresh CI image 56 packages, about 84 MB to download, 260 MB installed).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-ipaexfont \
                   chromium poppler-utils postgresql-client libreoffice-calc-nogui

.PHONY: run test smoke setup system-deps venv db demo worker lint check clean

run: setup db demo
	@echo "Serving http://$(HOST):$(PORT)/ (Ctrl-C to stop). A task worker runs alongside."
	@DEBUG=1 $(PY) manage.py db_worker --queue-name '*' > var/worker.log 2>&1 & \
	  worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP)
	@mkdir -p var

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if ! $(PYTHON) -m venv --help >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	touch $(STAMP)

db: setup
	DEBUG=1 $(PY) manage.py ensure_database
	DEBUG=1 $(PY) manage.py migrate --no-input -v0

demo: db
	DEBUG=1 $(PY) manage.py load_demo

worker: db
	DEBUG=1 $(PY) manage.py db_worker --queue-name '*'

# The deployed shape (gunicorn, DEBUG=0, PostgreSQL, WhiteNoise, one db_worker) checked over
# HTTP: .ci/smoke (docs/deploy.md, "Checking a deployment").
smoke: setup
	.ci/smoke

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 var media test-artifacts
