# Encuentro: `make run` serves the app with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
# Test processes (pytest-xdist); each gets its own SQLite and PostgreSQL databases.
TEST_PROCESSES ?= 2

.PHONY: run test lint fmt bench i18n migrate clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/encuentro migrate
	$(BIN)/encuentro seed-demo
	$(BIN)/encuentro serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

migrate: $(STAMP)
	$(BIN)/encuentro migrate

test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(TEST_PROCESSES)

lint: $(STAMP)
	$(BIN)/ruff check app activities surveys tests bench
	$(BIN)/mypy app activities surveys

fmt: $(STAMP)
	$(BIN)/ruff format app activities surveys tests
	$(BIN)/ruff check --fix app activities surveys tests

bench: $(STAMP)
	@if [ -f bench/run.py ]; then $(BIN)/python bench/run.py; else echo "No benchmarks yet (they arrive with the benchmark issue)."; fi

# Extract translatable strings, merge them into the catalogues, compile.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -D messages --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/locale -D messages

clean-venv:
	rm -rf $(VENV)
