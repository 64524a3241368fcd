# Quick start:  make run   (set up and serve the app on http://localhost:8501)
#               make test  (set up and run the whole test suite, browser tests included)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
PORT ?= 8501
PYTEST_ARGS ?=
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

.PHONY: setup run test test-fast bench thumbnails clean

setup: $(STAMP)

# Re-runs only when a requirements file changed, so a second `make setup` takes seconds.
$(STAMP): requirements.txt requirements-dev.txt requirements-nodeps.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-nodeps.txt
	@# Browser tests use the system Chromium when there is one, else Playwright's own.
	@test -x /usr/bin/chromium || $(PY) -m playwright install chromium
	@touch $(STAMP)

run: setup
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Unit tests only: no TensorFlow, no browser.
test-fast: setup
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# Every bench/*.py, one row each in bench/RESULTS.md; the soak lasts SOAK_MINUTES (default 15): make bench SOAK_MINUTES=3
# (re-run some only: make bench BENCHMARKS="soak.py startup.py")
bench: setup
	$(PY) bench/run_all.py $(BENCHMARKS)

thumbnails: setup
	$(PY) scripts/make_thumbnails.py

clean:
	rm -rf $(VENV) .pytest_cache
