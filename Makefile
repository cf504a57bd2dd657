# Two entry points: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint format bench clean system-test-packages

# Debian packages first (only those missing): the venv module, Pango, and for the tests
# Chromium, PostgreSQL, nginx, systemd-analyze, Node.js (deploy/debian-packages).
$(STAMP): pyproject.toml
	sh deploy/debian-packages run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Demo data only for the default database: one given in DATABASE_URL shows what was loaded.
run: $(STAMP)
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m ingest demo --if-empty; fi
	$(BIN)/streamlit run dashboard/server.py --server.port=$(PORT) --browser.gatherUsageStats=false

# The suite runs twice: on SQLite, then on a throwaway PostgreSQL server that the test setup
# starts itself (tests/pg_server.py). The browser tests and the page crawl, which only drive
# the app, run once.
PG_TEST_ARGS ?= -m "not browser and not crawl"
# Two test processes, each taking whole files (a file's fixtures, servers and order stay
# together); PARALLEL= runs them in one.
PARALLEL ?= -n 2 --dist loadfile

system-test-packages:
	sh deploy/debian-packages test

# axe-core for the accessibility tests, exactly as pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

test: system-test-packages $(STAMP) node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --db sqlite $(PARALLEL)
	$(BIN)/python -m pytest --db postgresql $(PG_TEST_ARGS) $(PARALLEL)

lint format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache node_modules
