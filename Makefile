# The two set-up commands of README.md: `make run` and `make test` (the JavaScript tests need
# Node.js 18+: `node --test`, no npm packages).
# Each creates .venv/ and installs what it needs on first use (again when requirements change).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
PORT ?= 8501

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): requirements.txt requirements-dev.txt $(RUNTIME)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# One malloc arena: Streamlit runs every page run in a fresh thread, and with glibc's default
# (8 arenas a core) the pages freed in one arena were seldom reused by the next run; six
# sessions and six trainings left about 50 MB more resident, and a second arena 13 MB more at
# the peak (README, "Hostile input"). The benchmarks start their servers the same way.
run: $(RUNTIME)
	MALLOC_ARENA_MAX=1 $(BIN)/python -m streamlit run app.py --server.port $(PORT)

# The browser tests' one npm package (axe-core, the accessibility checker), exactly as
# package-lock.json pins it, checked against its integrity hash; again when either file changes.
NODE_TOOLS := node_modules/.installed
$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(DEV) $(NODE_TOOLS)
	scripts/ensure-chromium
	node --test tests/js/
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(DEV)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
