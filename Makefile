# The two set-up commands of README.md: `make run` and `make test` (the JavaScript tests need
# Node.js 18+: `node --test`; the browser tests, npm's axe-core from package-lock.json).
# Each creates .venv/ and installs the locked versions on first use, and again when a lock
# changes: requirements.lock (runtime) for `make run`, requirements-dev.lock (runtime and the
# test tools) for `make test`. Every file is checked against the hash in the lock, and the lock
# lists every dependency, so pip resolves nothing (--no-deps). The project itself is then
# installed editable (pyproject.toml), built by the locked setuptools (--no-build-isolation).
# Then two checks that need no network: `pip check` (the lock is complete) and a dry run of the
# ranges with no index (the lock still satisfies them; after editing them, run `make lock`).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
PORT ?= 8501

.PHONY: run test test-multiclass lint bench lock test-floor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt requirements-build.txt requirements.lock pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	$(PIP) install --quiet --no-index --dry-run -r requirements.txt -r requirements-build.txt
	touch $@

$(DEV): requirements.txt requirements-build.txt requirements-dev.txt requirements.lock requirements-dev.lock pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	$(PIP) install --quiet --no-index --dry-run -r requirements-dev.txt
	touch $@

# One malloc arena: Streamlit runs every page run in a fresh thread, and with glibc's default
# of several arenas a core the memory freed in one arena was seldom reused by the next run, so
# resident memory grew with sessions and trainings. The benchmarks start their servers the same
# way.
run: $(RUNTIME)
	MALLOC_ARENA_MAX=1 $(BIN)/python -m streamlit run app.py --server.port $(PORT)

# The browser tests' one npm package (axe-core, the accessibility checker), exactly as
# package-lock.json pins it, checked against its integrity hash; again when either file changes.
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The suite runs in TEST_PROCESSES pytest processes (pytest-xdist), each test file whole in one
# of them, so that a file's module fixtures (a trained detector, a server) are made once; the
# processes share one session cache, where one cold `python -m core report` in a fresh process
# trains the real detector once per run (tests/conftest.py).
# TEST_PROCESSES=0 runs it in this one process.
# The ten-class model's golden figures on the real MNIST need a cold training of 70 SGD fits,
# longer on two cores than the suite's whole budget, so `make test` leaves them out and
# `make test-multiclass` runs them (bench/RESULTS.md has the training's time).
TEST_PROCESSES ?= 3
test: $(DEV) $(NODE_TOOLS)
	scripts/ensure-chromium
	node --test tests/js/
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not multiclass_mnist" $(PYTEST_ARGS)

test-multiclass: $(DEV)
	$(BIN)/python -m pytest -n 0 -m multiclass_mnist $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(DEV)
	$(BIN)/python bench/run.py

# Regenerate the locks from requirements.txt and requirements-dev.txt, keeping every pin that
# still satisfies them; `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves
# them. The dev lock is constrained by the runtime lock so that both pin the same runtime.
# pip-compile resolves for the interpreter it runs on: run this with CPython 3.11 on Linux
# x86_64, where the project runs (the hashes cover every file of a pinned version).
LOCK_VENV := .venv-lock
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	$(LOCK_ARGS)

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check install --quiet pip-tools==7.7.0

lock: | $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) -o requirements.lock requirements.txt requirements-build.txt
	$(PIP_COMPILE) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

# The suite with every runtime requirement at its stated lower bound, in a venv of its own.
test-floor:
	scripts/test-floor $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-floor $(LOCK_VENV) .pytest_cache .ruff_cache test-artifacts node_modules
