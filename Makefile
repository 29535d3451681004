# Carefile: the front door. `make run` serves the demo; `make test` runs everything CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
ASSETS := assets/build/css/carefile.css
PYTEST_WORKERS ?= 2

.PHONY: help setup run test test-suite test-embedded lint format migrations-check bench \
        system-packages assets clean

help:
	@echo "make run               set up and serve the demo on http://127.0.0.1:8000"
	@echo "make test              lint, then the whole suite on a throwaway PostgreSQL and Redis"
	@echo "make lint              ruff, mypy and the migrations check"
	@echo "make bench             benchmarks, with figures (BENCH_SCALE=county for the big data)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

$(ASSETS): node_modules/.package-lock.json assets/scss/carefile.scss
	npm run --silent build

assets: $(ASSETS)

setup: $(STAMP) $(ASSETS)

# Debian packages the tests need: PostgreSQL and Redis servers, Chromium, fonts for PDFs.
system-packages:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	dpkg -s fonts-liberation >/dev/null 2>&1 || missing="$$missing fonts-liberation"; \
	{ command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } \
	  || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(BIN)/python scripts/run_embedded.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(MAKE) --no-print-directory migrations-check

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: setup
	$(PY) manage.py makemigrations --check --dry-run

test: setup system-packages
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-embedded
	$(MAKE) --no-print-directory test-suite

test-suite: setup system-packages
	$(PY) scripts/testenv.py -- $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-embedded: setup
	$(PY) scripts/smoke_embedded.py

# BENCH_SCALE=county for 200,000 people and 4,000,000 items (generation takes minutes).
BENCH_SCALE ?= small
bench: setup system-packages
	$(PY) scripts/testenv.py -- $(PY) bench/run.py --scale $(BENCH_SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules assets/build staticfiles
