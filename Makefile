# Two commands on a new machine: `make run` and `make test` (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
export DEBUG ?= 1
export DEMO_PASSWORD ?= demo-pass-2026

.PHONY: run test lint venv migrate demo stack clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo "Demo logins (password: $(DEMO_PASSWORD)): clerk leader director prodmgr proddir execgm gm qc tech keeper mc finance auditor admin"
	@echo "Open http://$(HOST)/admin/ and http://$(HOST)/api/docs/"
	$(BIN)/python manage.py runserver $(HOST)

test: venv
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
