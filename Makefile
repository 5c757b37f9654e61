# Everything a fresh machine with Python 3.11+ needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUM := $(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run` needs the service only; tests and lint add the dev extras on top.
RUNTIME := $(VENV)/.runtime-$(SUM)
DEV := $(VENV)/.dev-$(SUM)

.PHONY: run test lint openapi install clean ts-smoke

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "bdtx-api needs Python 3.11 or newer (set PYTHON=python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.installed-* $(VENV)/.runtime-*
	@touch $(RUNTIME)

$(DEV): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.dev-*
	@touch $(DEV)

## Install the service with the dev extras (tests, lint, contract tools).
install: $(DEV)

## Install, migrate, load the demo province and serve on http://127.0.0.1:8000 (/docs).
run: $(RUNTIME)
	$(BIN)/bdtx seed-demo
	$(BIN)/bdtx serve

## Install and run the test suite (SQLite; PostgreSQL when BDTX_TEST_DATABASE_URL is set).
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app bench

## Regenerate the published contract openapi/openapi.json.
openapi: $(RUNTIME)
	$(BIN)/bdtx openapi

## The contract as a frontend uses it: generated types, tsc --strict, calls against a demo server.
ts-smoke: $(RUNTIME)
	BDTX_BIN=$(abspath $(BIN)) clients/typescript/run-smoke.sh

clean:
	rm -rf $(VENV) bdtx.db bdtx.db-wal bdtx.db-shm
