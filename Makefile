# portal: `make run` serves a demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_WORKERS ?= 2
HTMX := static/vendor/htmx.min.js

export PORTAL_PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: run test soak lint worker bench vendor clean

run: $(VENV)/.installed-run $(HTMX)
	@$(FLASK) portal init
	@$(FLASK) portal seed-demo
	@key=$$($(FLASK) portal create-api-key --name "make run" --replace | tail -n 1); \
	client=$$($(FLASK) portal init | sed -n 's/.*Client ID: //p'); \
	echo; \
	echo "  portal is running at $(PORTAL_PUBLIC_URL)"; \
	echo "  WORKOS_BASE_URL=$(PORTAL_PUBLIC_URL)"; \
	echo "  WORKOS_CLIENT_ID=$$client"; \
	echo "  WORKOS_API_KEY=$$key"; \
	echo "  Dashboard sign-in: make a user with"; \
	echo "    $(BIN)/portal create-user --email you@example.com --password 'a long passphrase'"; \
	echo; \
	exec $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test $(HTMX)
	@bash .ci/ensure-services
	@bash .ci/ensure-tools
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The long runs (generated requests, faults, load) at full size; `make test` runs them small.
soak: $(VENV)/.installed-test $(HTMX)
	@bash .ci/ensure-services
	@bash .ci/ensure-tools
	PORTAL_SOAK=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(VENV)/.installed-run
	$(FLASK) portal worker

bench: $(VENV)/.installed-test $(HTMX)
	@bash .ci/ensure-services
	$(BIN)/python -m bench

vendor: $(HTMX)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-run

# npm writes node_modules/.package-lock.json; its absence means node_modules is gone (axe-core too).
NODE_MODULES := node_modules/.package-lock.json

$(NODE_MODULES): package.json package-lock.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

$(HTMX): $(NODE_MODULES)
	@mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

clean:
	rm -rf $(VENV) node_modules static/vendor instance
