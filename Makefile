# Quick start:  make run   (set up and serve the app on http://localhost:8501)
#               make test  (set up and run the test suite, browser tests included, across the cores)
#               make test-load  (the load and soak tests, about 10 minutes)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
PORT ?= 8501
PYTEST_ARGS ?=
# pytest-xdist workers for make test: one per core (browser modules stay on one worker each).
WORKERS ?= auto
# glibc's heap fragments under training runs beside a webcam stream: the server's memory
# crept up 1-2 MB a minute (bench/soak.py) and stayed flat under jemalloc, so the app, the
# tests and the benchmarks run under it when it is installed (Debian: libjemalloc2).
JEMALLOC ?= $(firstword $(wildcard /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2))
ifneq ($(JEMALLOC),)
export LD_PRELOAD := $(JEMALLOC) $(LD_PRELOAD)
endif
# Without jemalloc: glibc gives each new thread its own arena, and with a training thread
# per job the memory crept up ~5 MB a run; two arenas keep that down.
export MALLOC_ARENA_MAX ?= 2

.PHONY: setup lock lint run test test-load test-fast bench thumbnails clean

setup: $(STAMP)

# Installs the exact versions and hashes of the lock files; re-runs only when one changed, so a
# second `make setup` takes seconds.
$(STAMP): requirements.lock requirements-nodeps.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-nodeps.lock
	@# Browser tests use the system Chromium when there is one, else Playwright's own.
	@test -x /usr/bin/chromium || $(PY) -m playwright install chromium
	@touch $(STAMP)

# The lock follows the ranges declared in requirements*.txt: run after changing one of them.
lock: setup
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		-o requirements.lock requirements.txt requirements-dev.txt
	@echo "requirements-nodeps.lock pins requirements-nodeps.txt by hand: pip hash the downloaded wheel"

# The code's shape: ruff lint and format, and the import contracts in pyproject.toml.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Every test but the load tests, across the cores; prints how long it took.
test: lint
	@start=$$(date +%s); $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS); status=$$?; \
		echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

# The load and soak tests (marked `load`): several browser sessions and their jobs on one server,
# session TTLs and memory returning. One at a time, each on its own server; prints how long it took.
test-load: setup
	@start=$$(date +%s); $(PY) -m pytest -m load $(PYTEST_ARGS); status=$$?; \
		echo "make test-load: $$(( $$(date +%s) - start )) s"; exit $$status

# Unit tests only: no TensorFlow, no browser.
test-fast: setup
	$(PY) -m pytest -n $(WORKERS) tests/unit $(PYTEST_ARGS)

# Every bench/*.py, one row each in bench/RESULTS.md; the soak lasts SOAK_MINUTES (default 15): make bench SOAK_MINUTES=3
# (re-run some only: make bench BENCHMARKS="soak.py startup.py")
bench: setup
	$(PY) bench/run_all.py $(BENCHMARKS)

# The home cards drawn from the engine; the other cards are screenshots of their pages.
thumbnails: setup
	for script in scripts/thumb*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
