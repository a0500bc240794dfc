# portal: `make run` serves a demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_WORKERS ?= 3
HTMX := static/vendor/htmx.min.js

run: export PORTAL_PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-fast soak lint worker bench bench-inprocess bench-peer vendor clean

# `make run PORT=5001 HOST=0.0.0.0` serves elsewhere; the API key "make run" is made once and kept.
run: $(VENV)/.installed-run $(HTMX)
	@$(BIN)/python -c "import socket; socket.create_server(('$(HOST)', $(PORT))).close()" 2>/dev/null \
	  || { echo "make run: $(HOST):$(PORT) is taken; choose another port, e.g. make run PORT=5001" >&2; exit 1; }
	@$(BIN)/portal init
	@$(BIN)/portal seed-demo
	@key=$$($(BIN)/portal create-api-key --name "make run" --if-missing | tail -n 1); \
	client=$$($(BIN)/portal init | sed -n 's/.*Client ID: //p'); \
	echo; \
	echo "  portal is starting at $(PORTAL_PUBLIC_URL)"; \
	echo "  WORKOS_BASE_URL=$(PORTAL_PUBLIC_URL)"; \
	echo "  WORKOS_CLIENT_ID=$$client"; \
	case "$$key" in sk_*) echo "  WORKOS_API_KEY=$$key";; *) echo "  $$key";; esac; \
	echo "  Dashboard sign-in: make a user with"; \
	echo "    $(BIN)/portal create-user --email you@example.com --password 'a long passphrase'"; \
	echo; \
	exec $(FLASK) run --host $(HOST) --port $(PORT)

# ensure-services prints the PostgreSQL URL the suite can use (its own role on a fresh machine).
test: $(VENV)/.installed-test $(HTMX)
	@url=$$(bash .ci/ensure-services) && bash .ci/ensure-tools && $(BIN)/ruff check . \
	  && TEST_POSTGRES_URL=$$url $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The inner loop: SQLite only, without the tests that start whole deployments.
test-fast: $(VENV)/.installed-test $(HTMX)
	@bash .ci/ensure-services >/dev/null
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --databases sqlite \
	  --ignore tests/deployment --ignore tests/faults $(PYTEST_ARGS)

# The long runs (generated requests, faults, load) at full size; `make test` runs them small.
soak: $(VENV)/.installed-test $(HTMX)
	@url=$$(bash .ci/ensure-services) && bash .ci/ensure-tools \
	  && TEST_POSTGRES_URL=$$url PORTAL_SOAK=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: $(VENV)/.installed-run
	$(FLASK) portal worker

# portal over HTTP as deployed (portal serve, portal worker, PostgreSQL, Redis), each figure
# beside its yardstick; the peer too once `make bench-peer` has installed it. Sizes: BENCH_*.
bench: $(VENV)/.installed-test $(HTMX)
	@url=$$(bash .ci/ensure-services) && bash .ci/ensure-tools \
	  && TEST_POSTGRES_URL=$$url $(BIN)/python -m bench.http_mode

# The earlier in-process medians (hot paths, SAML is_valid, SCIM ingest at 10,000 users).
bench-inprocess: $(VENV)/.installed-test $(HTMX)
	@url=$$(bash .ci/ensure-services) && TEST_POSTGRES_URL=$$url $(BIN)/python -m bench

# The peer of the SCIM bench, BoxyHQ SAML Jackson, installed outside the repo (never committed).
# npm does not run better-sqlite3's build here, so it is rebuilt from source (~5 min, g++).
BENCH_PEER_HOME ?= $(HOME)/.cache/portal-bench/jackson
JACKSON_VERSION ?= 26.2.0
bench-peer:
	@command -v node >/dev/null || { echo "make bench-peer: needs Node 20 and npm" >&2; exit 1; }
	@mkdir -p $(BENCH_PEER_HOME)
	@test -f $(BENCH_PEER_HOME)/package.json \
	  || echo '{"name": "portal-bench-peer", "private": true}' > $(BENCH_PEER_HOME)/package.json
	cd $(BENCH_PEER_HOME) && npm install --no-audit --no-fund --loglevel=error \
	  @boxyhq/saml-jackson@$(JACKSON_VERSION)
	cd $(BENCH_PEER_HOME) && { test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node \
	  || npm rebuild better-sqlite3 --foreground-scripts; }

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
