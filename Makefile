# Launch Control: `make run` starts the whole app; `make test` runs the suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export DJANGO_SETTINGS_MODULE ?= launchcontrol.settings

.PHONY: install app-install run migrate demo test fuzz lint typecheck bench bench-admin screenshot browser clean

# uv installs in seconds what pip takes a minute or more for (parallel downloads, a shared cache): the
# Makefile uses it when it is on PATH (https://docs.astral.sh/uv/), pip otherwise. Same packages either way.
UV := $(shell command -v uv 2>/dev/null)
# Test processes (pytest-xdist): `auto` is one per core. PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= auto

# Two stamps: `make run` needs only the app's packages (the first page sooner); the suite, the linters and
# the benchmarks need the [dev] extra too (pytest, Playwright, mypy...), installed on their first use.
$(STAMP): pyproject.toml
ifdef UV
	@test -x $(BIN)/python || $(UV) venv --quiet --python $(PY) $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -e .
else
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
endif
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
ifdef UV
	$(UV) pip install --quiet --python $(BIN)/python -e '.[dev]'
else
	$(BIN)/python -m pip install --quiet -e '.[dev]'
endif
	@touch $(DEV_STAMP)

install: $(DEV_STAMP)

app-install: $(STAMP)

migrate: app-install
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
	$(BIN)/python bench/admin.py

# The admin timings alone (docs/performance.md, "Admin"): every page and action on the demo plan.
bench-admin: install
	$(BIN)/python bench/admin.py

screenshot: install
	$(BIN)/python manage.py screenshot_warroom --out docs/warroom.png

clean:
	rm -rf .var
