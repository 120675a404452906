# Stage: `make run` brings the platform up, `make test` runs the tests. Every target is idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# Apps are served on <label>.$STAGE_APPS_DOMAIN (default localhost) by this same server, on this port.
APPS_PORT = STAGE_APPS_PORT=$${STAGE_APPS_PORT:-$(PORT)}
# Every process of one instance (web workers, the Celery worker) writes its metric samples here and /metrics sums
# them; emptied when the instance starts (one directory per port, so two instances on one host keep theirs apart).
PROMETHEUS_MULTIPROC_DIR ?= $(CURDIR)/.run/metrics-$(PORT)
FRESH_METRICS = rm -rf "$(PROMETHEUS_MULTIPROC_DIR)" && mkdir -p "$(PROMETHEUS_MULTIPROC_DIR)"
METRICS_ENV = PROMETHEUS_MULTIPROC_DIR="$(PROMETHEUS_MULTIPROC_DIR)"
# The host's backend runtime (published_api/runtime_host.py) beside the web processes, stopped with them; web
# processes start it themselves should it stop (or when STAGE_RUNTIME=process, none is needed).
START_RUNTIME = pids=""; if [ "$${STAGE_RUNTIME:-host}" = host ]; then \
	$(METRICS_ENV) $(BIN)/python manage.py runtime_host & pids="$$!"; fi

.PHONY: install run serve test lint format migrate worker

install: $(VENV)/.installed $(VENV)/.sdk-installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The SDK and the `stage` CLI (sdk/), editable so .venv/bin/stage always runs the checkout's code.
$(VENV)/.sdk-installed: $(VENV)/.installed sdk/pyproject.toml
	$(BIN)/pip install --quiet -e sdk
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py bootstrap --base-url http://$(HOST):$(PORT)
	@$(FRESH_METRICS)
	@$(START_RUNTIME); \
	if [ -n "$$REDIS_URL" ]; then \
		echo "Starting a Celery worker beside the web process (REDIS_URL is set)"; \
		$(METRICS_ENV) $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & pids="$$pids $$!"; \
	fi; \
	trap "kill $$pids 2>/dev/null" EXIT INT TERM; \
	$(METRICS_ENV) $(APPS_PORT) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production profile: gunicorn with uvicorn workers (ASGI) on $(HOST):$(PORT), $$WEB_CONCURRENCY workers
# (default: one per core), settings from the environment (DJANGO_DEBUG, DATABASE_URL, ...); with REDIS_URL set, a
# Celery worker beside it (SERVE_WORKER=no when workers run elsewhere). Refuses to start when the system checks fail (an apps domain that shares a site with
# the platform, a sandbox that STAGE_REQUIRE_SANDBOX requires and the host lacks).
serve: migrate
	$(BIN)/python manage.py check --fail-level ERROR
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@$(FRESH_METRICS)
	@$(START_RUNTIME); \
	if [ -n "$$REDIS_URL" ] && [ "$$SERVE_WORKER" != "no" ]; then \
		$(METRICS_ENV) $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 & pids="$$pids $$!"; \
	fi; \
	trap "kill $$pids 2>/dev/null" EXIT INT TERM; \
	$(METRICS_ENV) $(APPS_PORT) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c config/gunicorn.conf.py config.asgi

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
