# Link API — the commands a developer needs. `make help` lists them.

CARGO ?= cargo
PYTHON ?= python3
SDK_VENV := target/sdk-venv
# PostgreSQL tests run when this is set, e.g. postgres://postgres@127.0.0.1:5432/postgres
LINK_TEST_POSTGRES_URL ?=
export LINK_TEST_POSTGRES_URL

WEB_DEPS := web/node_modules/.installed
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: help run build test test-rust test-sdk test-web fuzz-api bench lint openapi deps-rule web web-check web-screenshots

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## Start the service on the embedded SQLite store (./link-api.db); prints the first API key
	$(CARGO) run -p link-api -- serve

build: ## Build everything, tests included
	$(CARGO) build --workspace --all-targets

test: test-rust test-sdk test-web ## Run every test: Rust unit, property and HTTP tests, the Codat SDK tests, then the journey in a real browser

test-rust:
ifeq ($(strip $(LINK_TEST_POSTGRES_URL)),)
	@echo "note: LINK_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite is skipped."
	@echo "      Set it to run it, e.g. LINK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres make test"
	$(call run_rust_tests,not test(/postgres/))
else
	$(call run_rust_tests,all())
endif

# Runs the Rust tests with nextest when it is installed, else with cargo test.
define run_rust_tests
	@if command -v cargo-nextest >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast -E '$(1)'; \
	else \
		$(CARGO) test --workspace --no-fail-fast $(if $(filter all(),$(1)),,-- --skip postgres); \
	fi
endef

test-sdk: $(SDK_VENV)/.installed ## Drive the server with Codat's official Python SDK
	$(CARGO) build --workspace --all-targets --quiet
	$(SDK_VENV)/bin/python -m pytest -q sdk-tests

$(SDK_VENV)/.installed: sdk-tests/requirements.txt
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/pip install --quiet --disable-pip-version-check -r sdk-tests/requirements.txt
	touch $@

# The browser tests need Node.js and Chromium; without them they are skipped
# with a note, except in CI, where .ci/run installs both and a gap fails.
test-web: ## Drive the hosted journey in Chromium (playwright-core) against the real server
	@if ! command -v node >/dev/null 2>&1 || [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$(CI)" = "true" ]; then echo "test-web: Node.js and $(CHROMIUM) are required in CI" >&2; exit 1; fi; \
		echo "note: Node.js or $(CHROMIUM) is missing: the browser tests are skipped (apt-get install nodejs npm chromium)."; \
	else \
		$(MAKE) --no-print-directory $(WEB_DEPS) && $(CARGO) build -p link-api --quiet && cd web && node --test test/*.test.mjs; \
	fi

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: $(WEB_DEPS) ## Rebuild the journey's bundle (web/dist) from web/src; commit the result
	cd web && node build.mjs

web-screenshots: test-web ## Refresh the screenshots the README shows (web/screenshots) from a browser test run
	mkdir -p web/screenshots
	for shot in 1-landing 2-categories 3-consent 4-platforms 7-credentials-errors 5-linked 6-done 10-shared 17-disconnect 18-leave 20-remind-me 19-desktop-waiting 11-invitation 8-platforms-phone 9-categories-dark 16-landing-rtl 23-offline-fr 24-unreachable-fr 31-credentials-refused 32-credentials-saved 36-consent-ar e1-modal-landing e2-inline; do \
		cp target/web-screenshots/$$shot.png web/screenshots/; \
	done

web-check: ## Type-check web/src and fail if web/dist differs from what it builds
	@if ! command -v node >/dev/null 2>&1; then \
		if [ "$(CI)" = "true" ]; then echo "web-check: Node.js is required in CI" >&2; exit 1; fi; \
		echo "note: Node.js is missing: web/dist is not checked against web/src."; \
	else \
		$(MAKE) --no-print-directory $(WEB_DEPS) && cd web && ./node_modules/.bin/tsc --noEmit -p . && node build.mjs --check; \
	fi

fuzz-api: ## Fuzz a running server against openapi.yaml with schemathesis (FUZZ_EXAMPLES cases per operation, default 100)
	fuzz/run

bench: ## Benchmarks on PostgreSQL at 10 000 and 1 000 000 companies, beside pgbench (BENCH_ARGS="--store sqlite" for SQLite); writes bench/results/
	$(CARGO) build --release -p link-api -p link-bench
	target/release/link-bench $(BENCH_ARGS)

lint: deps-rule web-check ## Formatting, clippy on all targets (warnings are errors), the dependency rule, and web/dist against web/src
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

deps-rule: ## domain knows no HTTP, SQL or runtime; app no HTTP, SQL, OpenAPI or email transport; persistence no HTTP; no import circle; only routes/, openapi.rs and startup.rs use routes (scripts/module_rules.py)
	@! $(CARGO) tree -p domain -e normal --prefix none | grep -E '^(sqlx|actix|utoipa|tokio|reqwest)[ -]' \
		|| (echo "domain must not depend on the crates above" && false)
	@! $(CARGO) tree -p app -e normal --prefix none | grep -E '^(sqlx|actix|utoipa|reqwest|lettre|hyper|persistence|link-api)[ -]' \
		|| (echo "app must not depend on the crates above" && false)
	@! $(CARGO) tree -p persistence -e normal --prefix none | grep -E '^(actix|utoipa|reqwest)[ -]' \
		|| (echo "persistence must not depend on the crates above" && false)
	@echo "dependency rule: ok"
	@python3 scripts/module_rules.py

openapi: ## Regenerate openapi.yaml from the code
	$(CARGO) run -q -p link-api -- openapi > openapi.yaml.tmp && mv openapi.yaml.tmp openapi.yaml
