# Two commands on a new machine: `make run` and `make test` (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1:8000
export DEBUG ?= 1
export DEMO_PASSWORD ?= demo-pass-2026

.PHONY: run test lint venv venv-dev migrate demo stack clean lock

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Exact versions with hashes from the locks (README "Dependencies"); the project itself is
# installed editable without resolving anything again.
# What the product needs to run (`make run`, `make stack`): no test tools.
$(RUN_STAMP): pyproject.toml requirements.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

# The test tools too (`make test`, `make lint`): pytest, Playwright, schemathesis...
$(DEV_STAMP): pyproject.toml requirements-dev.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUN_STAMP) $(DEV_STAMP)

venv: $(RUN_STAMP)

venv-dev: $(DEV_STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# `make run`: the whole product on one machine with nothing to install but Python: the
# development server, a Celery worker and beat (alerts, reminders, month-end on their
# schedule). Their broker is Kombu's filesystem transport: messages are files under
# var/broker/ (README "Two commands" says why not SQLite); with REDIS_URL set, Redis.
# Ctrl-C stops all three together: the terminal sends SIGINT to the whole group and the
# recipe's trap TERMs each job (a SIGTERM to make alone works too, make forwards it; GNU make
# does not forward a SIGINT sent to it alone). tests/test_make_run.py checks no process is left.
RUN_DIR := var
RUN_WORKER := $(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 \
	--without-gossip --without-mingle --without-heartbeat
RUN_BEAT := $(BIN)/celery -A config beat --loglevel=INFO --schedule=$(RUN_DIR)/celerybeat-schedule
run: SHELL := /bin/bash
run: export CELERY_BROKER_URL := $(or $(CELERY_BROKER_URL),$(REDIS_URL),filesystem://localhost/)
# Worker and beat log through Django's LOGGING (config/celery.py), whose level is LOG_LEVEL:
# INFO shows each task received and done, and beat's sends.
run: export LOG_LEVEL := $(or $(LOG_LEVEL),INFO)
run: demo
	@mkdir -p $(RUN_DIR)
	@echo "Home page: http://$(HOST)/   (also /admin/ and /api/docs/)"
	@echo "Demo logins (password: $(DEMO_PASSWORD)): clerk leader director prodmgr proddir execgm gm qc tech keeper whsup mc mcsup finance auditor admin"
	@echo "Web, Celery worker and beat (broker $$CELERY_BROKER_URL): Ctrl-C stops all three"
	@trap 'trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(RUN_WORKER) & \
	$(RUN_BEAT) & \
	$(BIN)/python manage.py runserver $(HOST) & \
	wait -n

# Production-like on this machine (README "Production"): gunicorn + Celery worker + beat
# against PostgreSQL and Redis, in the foreground; Ctrl-C stops all three together.
# Without SECRET_KEY it uses a dev-only key (>= 50 characters, as settings require with DEBUG
# off); tests/test_deploy_files.py runs these settings through `check --deploy`.
STACK_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/matreturns)
STACK_HOSTS := 127.0.0.1,localhost
stack: SHELL := /bin/bash
stack: export DATABASE_URL := $(STACK_DATABASE_URL)
stack: export REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
stack: export DEBUG := 0
stack: export SECRET_KEY := $(or $(SECRET_KEY),dev-only-make-stack-key-plain-http-never-use-in-production)
stack: export SECURE_SSL_REDIRECT := $(or $(SECURE_SSL_REDIRECT),0)
stack: export ALLOWED_HOSTS := $(or $(ALLOWED_HOSTS),$(STACK_HOSTS))
stack: export LOG_LEVEL := $(or $(LOG_LEVEL),INFO)
stack: export WEB_CONCURRENCY := $(or $(WEB_CONCURRENCY),2)
stack: venv
	psql "$$DATABASE_URL" -tAc 'SELECT 1' >/dev/null 2>&1 \
		|| createdb --maintenance-db="$${DATABASE_URL%/*}/postgres" "$${DATABASE_URL##*/}"
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Stack on http://$(HOST)/ (DEBUG=0, plain HTTP): Ctrl-C stops web, worker and beat"
	@trap 'trap - INT TERM EXIT; kill $$(jobs -p) 2>/dev/null; wait' INT TERM EXIT; \
	$(BIN)/gunicorn -c gunicorn.conf.py config.wsgi:application --bind $(HOST) & \
	$(BIN)/celery -A config worker -l info & \
	$(BIN)/celery -A config beat -l info --schedule $(VENV)/celerybeat-schedule & \
	wait -n

test: venv-dev
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Refresh the lock files after a change to pyproject.toml's dependencies (README
# "Dependencies"): requirements.lock (runtime: the image) and requirements-dev.lock (runtime
# pins plus the dev extras: `make test`, CI), with hashes, from the public index only (not
# this machine's local wheel folders). Existing pins are kept unless
# `make lock LOCK_ARGS=--upgrade` asks for the newest allowed versions.
LOCK_ARGS ?=
PIP_COMPILE = env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL \
	PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: venv
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4,<8'
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles $(RUN_DIR)
