# Launch Control: `make run` starts the whole app; `make test` runs the suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export DJANGO_SETTINGS_MODULE ?= launchcontrol.settings

.PHONY: install app-install run migrate demo test fuzz lint typecheck bench bench-admin screenshot browser clean

# uv installs in seconds what pip takes a minute or more for (parallel downloads, a shared cache, no
# ensurepip): the Makefile uses uv when it is on PATH (https://docs.astral.sh/uv/). When it is not, it
# fetches uv from PyPI with the interpreter's own pip into .venv/.uv (a few seconds), then creates the
# virtualenv without pip (ensurepip alone costs more than installing every package with uv). If that
# fails (no pip, no PyPI), or NO_UV=1, it falls back to plain pip. Same packages either way.
UV := $(shell command -v uv 2>/dev/null)
UV_HOME := $(VENV)/.uv
# Bytecode: every Python process the Makefile starts (the server, Celery, pytest and the workers and servers
# its tests start) reads compiled modules from .venv/pycache instead of compiling Django and the rest from
# source at each start (3 s of CPU a process; 1 s so). PYTHONDONTWRITEBYTECODE, set in some images, is
# dropped for them; the cache lives in the virtualenv, so the checkout stays free of __pycache__ folders.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX ?= $(CURDIR)/$(VENV)/pycache
# Test processes (pytest-xdist): one more than the cores, since a third of the suite's time is waiting (real
# Celery workers starting, outages, a browser's timers) that the extra process fills (on two cores: 4 min 9 s
# with two, 3 min 32 s with three, 3 min 30 s with four). PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1); echo $$((n + 1)))

# `installer` prints the uv to use (bootstrapping it the first time), or nothing for pip. `pkg_install`
# installs its argument with that uv, or with pip (ensurepip on first use) when there is none or uv fails.
define installer
$$( if [ -n "$(NO_UV)" ]; then :; \
    elif [ -n "$(UV)" ]; then echo "$(UV)"; \
    elif [ -x $(UV_HOME)/bin/uv ]; then echo $(UV_HOME)/bin/uv; \
    elif $(PY) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target $(UV_HOME) uv >&2 \
         && [ -x $(UV_HOME)/bin/uv ]; then echo $(UV_HOME)/bin/uv; \
    else echo "make: could not fetch uv with pip; installing with pip instead" >&2; fi )
endef
define pkg_install
uv="$(installer)"; \
if [ -n "$$uv" ] && UV_LINK_MODE=copy "$$uv" pip install --quiet --python $(BIN)/python $(1); then :; \
else \
  $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null; \
  $(BIN)/python -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $(1); \
fi
endef

# Two stamps: `make run` needs only the app's packages (the first page sooner); the suite, the linters and
# the benchmarks need the [dev] extra too (pytest, Playwright, mypy...), installed on their first use.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv --without-pip $(VENV)
	@$(call pkg_install,-e .)
	@touch $(STAMP)

# The suite's bytecode is compiled here, once, on every core (about 5 s on two), rather than by the first test
# processes and Celery workers of a fresh checkout's first `make test`, each compiling the same modules.
$(DEV_STAMP): $(STAMP)
	@$(call pkg_install,-e '.[dev]')
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	@$(BIN)/python -m compileall -q -j 0 -x '/\.' . >/dev/null || true
	@touch $(DEV_STAMP)

install: $(DEV_STAMP)

app-install: $(STAMP)

migrate: app-install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The first page sooner: the migrations and the demo in one process (starting Django costs seconds of CPU,
# most of a minute on a busy machine), and collectstatic, which needs no database, beside them and the
# server's start (with DEBUG on, as here, WhiteNoise serves from the apps' static folders anyway).
# The web server's port: `make run PORT=8080` (emails, calendar feeds and kiosk links follow, unless SITE_URL is set).
PORT ?= 8000
MIGRATE_AND_DEMO := import django; django.setup(); from django.core.management import call_command; \
	call_command("migrate", interactive=False); call_command("load_demo", base_url="http://127.0.0.1:$(PORT)/")
run: app-install
	@$(BIN)/python manage.py collectstatic --noinput --verbosity 0 & \
	$(BIN)/python -c '$(MIGRATE_AND_DEMO)'
	LC_PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=15 $(PYTEST_ARGS)

# The fuzz suite, longer: FUZZ_EXAMPLES examples per fuzz test (a few per endpoint run in `make test`).
FUZZ_EXAMPLES ?= 2000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -m fuzz --timeout=0 --hypothesis-show-statistics $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

bench: install
	$(BIN)/python bench/warroom.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/push.py
	$(BIN)/python bench/admin.py
	$(BIN)/python bench/db_pool.py
	$(BIN)/python bench/readings.py

# The admin timings alone (docs/performance.md, "Admin"): every page and action on the demo plan.
bench-admin: install
	$(BIN)/python bench/admin.py

screenshot: install
	$(BIN)/python manage.py screenshot_warroom --out docs/warroom.png

clean:
	rm -rf .var
