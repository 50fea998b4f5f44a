# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000

.PHONY: run test install install-dev translations browser-deps bench lint format messages clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations

# `flask run`'s request log shows personal links as /registrations/… (webapp/access_log.py).
run: install
	$(FLASK) db upgrade
	$(FLASK) demo-data --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

browser-deps:
	@bash scripts/install-browser-deps.sh

# The suite runs on every core (pytest-xdist), each worker on a PostgreSQL database of its own.
TEST_WORKERS ?= auto

test: install-dev browser-deps
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup

bench: install-dev
	$(PY) bench/run_all.py

lint: install-dev
	$(VENV)/bin/ruff check webapp tests bench config.py wsgi.py
	$(VENV)/bin/ruff format --check webapp tests bench config.py wsgi.py

format: install-dev
	$(VENV)/bin/ruff format webapp tests bench config.py wsgi.py

# Refresh the catalogues after changing user-facing strings.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .pytest_cache
