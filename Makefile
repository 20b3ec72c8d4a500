# `make run`: set up .venv and code the bundled sample articles into ./dotterel.db.
# `make test`: set up .venv and run the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLES := src/dotterel/samples/articles.jsonl
# The stages, compiled with mypyc by setup.py; rebuilt when a source changes.
STAGES := $(wildcard src/dotterel/stages/*.py)
COMPILED := src/dotterel/stages/_compiled.json

.PHONY: install run test lint bench evaluate clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(COMPILED): $(STAGES) setup.py | $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps -e .

install: $(STAMP) $(COMPILED)

run: $(STAMP) $(COMPILED)
	$(BIN)/dotterel ingest $(SAMPLES) --db dotterel.db
	$(BIN)/dotterel events --db dotterel.db

test: $(STAMP) $(COMPILED)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

evaluate: $(STAMP) $(COMPILED)
	$(BIN)/dotterel evaluate ../shared/gold/dev.jsonl

bench: $(STAMP) $(COMPILED)
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) build src/dotterel/stages/*.so $(COMPILED) dotterel.db dotterel.db-wal dotterel.db-shm
