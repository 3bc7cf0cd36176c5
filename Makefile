# Two commands do all set-up on a fresh machine (Python 3.11+ and make are the only prerequisites):
#   make run   — virtualenv, install, migrate, translations, demo community, serve :8000
#   make test  — virtualenv, install, the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install translations messages lint format bench screenshots clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Soglasie needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiles the committed .po files to .mo with polib, so GNU gettext need not be installed.
translations: install
	$(PY) -c 'import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix(".mo"))) for p in pathlib.Path("config/locale").glob("*/LC_MESSAGES/*.po")]'

run: translations
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Serving http://$(HOST)/ (Ctrl+C stops). Demo logins are listed in README.md."
	@# `advance` moves amendments past their deadlines every minute, as cron does in production.
	@# Both run in the background of one shell that waits for them: a shell waiting on a
	@# foreground command would run its trap only after that command ended, so SIGTERM (which
	@# make passes on to this shell) would leave the server and `advance` running.
	@export DEBUG=1 $(if $(ALLOWED_HOSTS),ALLOWED_HOSTS=$(ALLOWED_HOSTS)); \
	  $(PY) manage.py advance --loop 60 & ADVANCE=$$!; \
	  $(PY) manage.py runserver $(HOST) & SERVER=$$!; \
	  trap 'kill $$SERVER $$ADVANCE 2>/dev/null; wait; exit 0' INT TERM; \
	  wait $$SERVER; kill $$ADVANCE 2>/dev/null

test: translations
	$(PY) -m pytest $(PYTEST_ARGS)

# Throughput under gunicorn and wrk against PostgreSQL (docs/performance.md); needs wrk.
# Its own database only (soglasie_bench…); options: make bench BENCH_ARGS="--reuse --scale 1".
bench: translations
	bench/run $(BENCH_ARGS)

# Photographs every page type (tests/browser/pages.py) at 390 and 1280 px in English and Russian
# into docs/screenshots/, during the accessibility test's own visit. Needs chromium.
screenshots: translations
	rm -f docs/screenshots/*.png
	SCREENSHOTS_DIR=docs/screenshots REQUIRE_BROWSER=1 $(PY) -m pytest -q tests/browser/test_accessibility.py

# Extract strings into config/locale/*/LC_MESSAGES/django.po (needs GNU gettext's xgettext).
messages: install
	$(PY) manage.py makemessages --locale ru --no-obsolete --ignore '.venv/*' --ignore 'bench/*'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Everything the commands above create, and nothing else: the committed files stay.
clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* test-db.sqlite3 test-db.sqlite3-* staticfiles \
	  config/locale/*/LC_MESSAGES/*.mo *.egg-info .ruff_cache .pytest_cache test-artifacts \
	  celerybeat-schedule*
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
