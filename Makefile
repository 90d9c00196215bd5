# Launch Control: `make run` starts the whole app; `make test` runs the suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= launchcontrol.settings

.PHONY: install run migrate demo test fuzz lint typecheck bench screenshot browser clean

# uv installs in seconds what pip takes a minute or more for (parallel downloads, a shared cache): the
# Makefile uses it when it is on PATH (https://docs.astral.sh/uv/), pip otherwise. Same packages either way.
UV := $(shell command -v uv 2>/dev/null)
# Test processes (pytest-xdist): `auto` is one per core. PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

$(STAMP): pyproject.toml
ifdef UV
	@test -x $(BIN)/python || $(UV) venv --quiet --python $(PY) $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[dev]'
else
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
endif
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The fuzz suite, longer: FUZZ_EXAMPLES examples per fuzz test (a few per endpoint run in `make test`).
FUZZ_EXAMPLES ?= 2000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -m fuzz --hypothesis-show-statistics $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

bench: install
	$(BIN)/python bench/warroom.py

screenshot: install
	$(BIN)/python manage.py screenshot_warroom --out docs/warroom.png

clean:
	rm -rf .var
