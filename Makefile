PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: venv demo test lint check clean completions bench

$(BIN)/exportctl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/exportctl

# The main job against the embedded sandbox: no AWS account, no configuration.
demo: venv
	$(BIN)/exportctl --sandbox list
	$(BIN)/exportctl --sandbox status pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9
	$(BIN)/exportctl --sandbox list --service discovery --json
	$(BIN)/exportctl --sandbox wait --timeout 2m \
		pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9 \
		discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf

test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

# Shell completion scripts, generated from the command tree; a test fails when stale.
completions: venv
	$(BIN)/exportctl completion bash > completions/exportctl.bash
	$(BIN)/exportctl completion zsh > completions/exportctl.zsh
	$(BIN)/exportctl completion fish > completions/exportctl.fish

# exportctl against the AWS CLI, both against the sandbox; by hand, not in CI.
BENCH_VENV ?= /tmp/benchvenv
bench: venv
	test -x $(BENCH_VENV)/bin/aws || ($(PYTHON) -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/python -m pip install --quiet 'awscli>=1.36')
	$(BIN)/python benchmarks/cli_bench.py --aws $(BENCH_VENV)/bin/aws

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
