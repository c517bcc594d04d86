# Node Engine: `make run` starts the platform, `make test` runs the whole suite (style checks first),
# `make test-fast` the tests that need no Docker and no browser (the edit-test loop, under a minute).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/nodeengine
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint lint-python lint-types lint-django lint-frontend venv migrate demo-user check-services test-tools docker-engine \
	sandbox-image frontend frontend-test api-types lint-api-types

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -U pip
	$(PIP) install -q -c constraints.txt -e . --group dev
	@touch $(STAMP)

venv: $(STAMP)

# `make run` is local development in embedded mode: DEBUG on unless the environment says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-true}

migrate: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo-user: migrate
	@$(RUN_ENV) $(PY) manage.py create_demo_user

# daphne's WebSocket limit sits above WS_MESSAGE_BYTES so an oversized message gets the consumer's
# clear `too_large` error rather than a bare close.
# scripts/announce_ready.py says "Node Engine serves ..." once /readyz answers 200 (a warm
# sandbox included): asking it also starts the embedded pool before anyone opens the editor.
run: venv migrate demo-user sandbox-image frontend
	@echo "Node Engine: starting on http://$(HOST):$(PORT)/ ..."
	@$(PY) scripts/announce_ready.py http://$(HOST):$(PORT) & \
	$(RUN_ENV) $(VENV)/bin/daphne -b $(HOST) -p $(PORT) \
		--websocket-max-message-size 4194304 nodeengine.asgi:application

check-services:
	@scripts/check_services.sh "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"

# SANDBOX_RUNTIME=runc: the Docker tests' pools and servers start containers the faster way; the
# hostile-code, limit and isolation tests run under runc and runsc both (tests/docker_support.py).
TEST_ENV = DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL= TEST_REDIS_URL=$(TEST_REDIS_URL) DEBUG=false \
	SECRET_KEY=test-secret-key-not-for-production SANDBOX_RUNTIME=runc

# Style first (CI calls `make test`), then everything, in TEST_WORKERS processes (pytest-xdist):
# most Docker, server and browser tests wait on containers and sockets, so two share two cores
# well. --dist loadfile keeps a module's tests (and its module-scoped servers) in one process.
TEST_WORKERS ?= 2
test: lint venv check-services sandbox-image frontend frontend-test test-tools
	$(TEST_ENV) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The edit-test loop: Vitest and every pytest test not marked docker or browser, with the same
# Postgres and Redis as `make test`; it builds no image, starts no Docker engine, needs no Chromium.
test-fast: venv check-services frontend-test
	TEST_EXAMPLES_SCALE=0.2 $(TEST_ENV) $(VENV)/bin/pytest -m "not docker and not browser" $(PYTEST_ARGS)

# Chromium and compose for the tests (Playwright never downloads its own browser here).
test-tools:
	@scripts/ensure_test_tools.sh

# The Docker engine (started in the background when not running) and the sandbox image.
docker-engine:
	@scripts/ensure_docker.sh

sandbox-image: docker-engine
	@scripts/build_sandbox_image.sh

# Style: ruff (lint and format) and mypy for Python, Django's own checks; Biome (lint and
# format), tsc for the editor, and the API types current. `$(VENV)/bin/ruff format .` and `cd frontend && npm run format`
# fix what they report.
lint: lint-python lint-types lint-django lint-frontend lint-api-types

lint-python: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy's Django plugin and the checks below import the settings, which need a SECRET_KEY when
# DEBUG is off: a production-like environment of their own, whatever the caller's shell or .env
# says (a database in memory: makemigrations looks at the migration history, nothing is kept).
LINT_ENV = DEBUG=false HTTPS=true DATABASE_URL=sqlite://:memory: REDIS_URL= \
	SECRET_KEY=make-lint-only-this-key-signs-nothing-0123456789-abcdefghijklmnop

# Types (pyproject.toml, [tool.mypy]): strict for the compiler, execution/ and the sandbox's
# runner, standard elsewhere.
lint-types: venv
	$(LINT_ENV) $(VENV)/bin/mypy

# Models and migrations agree; a production configuration passes Django's deployment checks
# (warnings included: the ones that do not apply are silenced in nodeengine/settings.py).
lint-django: venv
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(LINT_ENV) $(PY) manage.py check --deploy --fail-level WARNING

lint-frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run lint
	cd frontend && npm run typecheck

# The editor's API types (frontend/src/lib/api-schema.ts) are generated from the server's OpenAPI
# schema: `make api-types` (and so `make frontend`) writes them when the schema changed, and lint
# fails while the committed file differs from what the schema gives (scripts/api_types.sh).
api-types: venv frontend/node_modules/.package-lock.json
	PY=$(PY) scripts/api_types.sh

lint-api-types: venv frontend/node_modules/.package-lock.json
	PY=$(PY) scripts/api_types.sh --check

# The editor: npm ci when the lock file changed, vite build when a source is newer than
# the build; both are skipped otherwise, so `make run` stays fast.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/package.json frontend/package-lock.json \
	frontend/vite.config.ts frontend/tsconfig.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build
	@touch $@

# api-types first: the build compiles against the schema of the server it ships with.
frontend: api-types frontend/dist/index.html

frontend-test: frontend/node_modules/.package-lock.json
	cd frontend && npx vitest run
