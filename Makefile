# Q Library: `make run` serves the app on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fmt install lock migrate seed open-data checks clean validators

# Installs exactly what requirements-dev.lock pins, hashes checked. The project itself is not a
# package (the apps run from this folder), so nothing else is installed.
$(STAMP): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed_library

# The day's open-data downloads, for /data/ (the scheduler makes them daily in production).
open-data: seed
	$(BIN)/python manage.py export_open_data

# The periodic checks that the scheduler runs in production, once: they visit the sources' links
# and ask Crossref about their DOIs (over the internet), and send what e-mail is due.
checks: migrate
	$(BIN)/python manage.py send_queued_email
	$(BIN)/python manage.py check_links
	$(BIN)/python manage.py check_retractions
	$(BIN)/python manage.py send_digests
	$(BIN)/python manage.py export_open_data

# The task worker (e-mail, archive requests) runs in the background while the server runs, and
# stops with it. The periodic checks reach the internet: `make checks` runs them when you wish.
run: open-data
	@echo "Periodic checks (links, retractions, digests) are not run by make run: run make checks."
	$(BIN)/python manage.py db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The Nu HTML checker (the W3C's validator), which tests/test_valid_html.py runs over every
# template; it needs Java 17 and npm. Its install script (a Java download) is not run.
VNU_VERSION := 26.9.27
VNU_JAR := .validators/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	npm install --prefix .validators --no-save --no-audit --no-fund --ignore-scripts \
		vnu-jar@$(VNU_VERSION)

validators: $(VNU_JAR)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pins every dependency within pyproject.toml's ranges: run after changing them, commit both locks.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --upgrade \
		--output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --upgrade \
		--extra dev --output-file requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .validators
