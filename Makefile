# Two commands do all set-up on a fresh machine (Python 3.11+ and make are the only prerequisites):
#   make run   — virtualenv, install, migrate, translations, demo community, serve :8000
#   make test  — virtualenv, install, the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install translations messages lint format bench clean

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
	DEBUG=1 $(PY) manage.py advance --loop 60 & ADVANCE=$$!; \
	  trap 'kill $$ADVANCE 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST)

test: translations
	$(PY) -m pytest $(PYTEST_ARGS)

# Extract strings into config/locale/*/LC_MESSAGES/django.po (needs GNU gettext's xgettext).
messages: install
	$(PY) manage.py makemessages --locale ru --no-obsolete --ignore '.venv/*' --ignore 'bench/*'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
