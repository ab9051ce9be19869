# KCC Hub — the two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
SPECTRAL := $(TOOLS)/node/node_modules/.bin/spectral
UV_VERSION := 0.13.9
SPECTRAL_VERSION := 6.16.3
AXE := $(TOOLS)/node/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1

export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# Test services: reuse running ones, otherwise scripts/test-services.sh starts private ones.
export DATABASE_URL_TEST ?= postgresql+psycopg://postgres@127.0.0.1:$(or $(KCC_TEST_PG_PORT),5432)/kcc_hub_test
export REDIS_URL_TEST ?= redis://127.0.0.1:$(or $(KCC_TEST_REDIS_PORT),6379)/15

.PHONY: help
help: ## Show the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"

$(BIN)/kcc-hub: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --extra dev --python $(PYTHON) -q
	@touch $@

.PHONY: env
env: $(BIN)/kcc-hub ## Create .venv from the lock file

$(SPECTRAL):
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null; }
	mkdir -p $(TOOLS)/node
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/node "@stoplight/spectral-cli@$(SPECTRAL_VERSION)"

# axe-core (accessibility rules) is injected into every page by the browser tests.
$(AXE):
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm >/dev/null; }
	mkdir -p $(TOOLS)/node
	npm install --silent --no-audit --no-fund --prefix $(TOOLS)/node "axe-core@$(AXE_VERSION)"

.PHONY: demo
demo: env ## Run the hub, worker, scheduler and test doubles in one process (gemeente 9999)
	$(BIN)/kcc-hub demo

.PHONY: lint
lint: env ## ruff and mypy (strict on hub/ and plugins/)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

.PHONY: test
test: env $(SPECTRAL) $(AXE) ## Start missing services (and Chromium), run lint and the whole test suite
	@trap 'scripts/test-services.sh down' EXIT; \
	scripts/test-services.sh up; \
	$(BIN)/python scripts/create-test-database.py "$$DATABASE_URL_TEST"; \
	$(MAKE) --no-print-directory lint; \
	KCC_SPECTRAL="$(abspath $(SPECTRAL))" KCC_AXE="$(abspath $(AXE))" $(BIN)/pytest -q -p no:randomly

.PHONY: scale-test
scale-test: env ## Only the scale-out run: 2 APIs, 2 workers, a scheduler; a worker kill -9, a Redis restart
	@trap 'scripts/test-services.sh down' EXIT; \
	scripts/test-services.sh up; \
	$(BIN)/pytest -q -p no:randomly -m scale -s tests/scale

.PHONY: bench
bench: env ## Run the benchmarks in bench/ (prints ratios against in-run baselines)
	$(BIN)/python bench/run_all.py

.PHONY: clean
clean: ## Remove environments and local state
	rm -rf $(VENV) $(TOOLS) var .mypy_cache .ruff_cache
