PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: venv demo test lint check clean

$(BIN)/exportctl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/exportctl

demo: venv
	$(BIN)/exportctl --help

test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check exportctl tests benchmarks
	$(BIN)/ruff format --check exportctl tests benchmarks
	$(BIN)/mypy

check: lint test

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
