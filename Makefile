# Every target works on a fresh machine with nothing but Python 3: the venv is made on demand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint typecheck pytest demo bench soak screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(wildcard src tests bench examples)

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

demo: $(STAMP)
	$(BIN)/rtm demo

# The console screenshots of docs/console.md, taken by its browser tests (needs chromium).
screenshots: $(STAMP)
	RTM_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/console/test_browser.py

# Benchmarks (not tests): one table, bench/results/latest.json, docs/img/fpnn-qps.png.
# BENCH_ARGS=--quick for a smoke run (~1 min) that leaves the committed results alone.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Long reliability runs (docs/reliability.md): faults, kills, 1,000 end users, durability,
# fuzzing; figures in build/soak/figures.json. Installs atheris when a wheel exists for this
# Python, else fuzz/run.py falls back to its built-in mutation fuzzer. About 7 minutes.
SOAK_ARGS ?=
soak: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris || echo "soak: atheris unavailable, using the built-in mutation fuzzer"
	$(BIN)/python tests/reliability/soak.py --out build/soak/figures.json $(SOAK_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
