# Two commands do all the set-up on a fresh machine with only python3: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?= -n 4
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint bench venv dev-venv migrate demo load clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements.txt requirements-dev.txt $(BIN)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed
dev-venv: $(BIN)/.installed-dev

migrate: venv
	$(FLASK) db upgrade

run: venv migrate
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: dev-venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: dev-venv
	$(BIN)/python -m bench $(BENCH_ARGS)

load: dev-venv
	$(BIN)/python -m bench.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
