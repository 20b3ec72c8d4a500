# `make run`: set up .venv and code the bundled sample articles into ./dotterel.db.
# `make test`: set up .venv and run the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLES := src/dotterel/samples/articles.jsonl

.PHONY: install run test lint bench evaluate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/dotterel ingest $(SAMPLES) --db dotterel.db
	$(BIN)/dotterel events --db dotterel.db

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

evaluate: $(STAMP)
	$(BIN)/dotterel evaluate ../shared/gold/dev.jsonl

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) dotterel.db dotterel.db-wal dotterel.db-shm
