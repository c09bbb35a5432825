PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: venv demo test lint check clean completions readme bench

# Two installs into one virtual environment, each with its own stamp: what a user
# needs (runtime and the sandbox extra, for `make demo`) and what development
# needs on top (the test extra: pytest, moto, ruff, mypy, for test and lint).
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[sandbox]'
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.dev

# The main job against the embedded sandbox: no AWS account, no configuration.
# The wait runs on a sandbox clock 6 times faster than real time, so that the
# two jobs it waits for (done 25 and 40 scenario seconds in) end in seconds.
DEMO_PINPOINT := pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9
DEMO_DISCOVERY := discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf
# It starts from a fresh sandbox world: its jobs where the README shows them.
demo: $(VENV)/.runtime
	$(BIN)/exportctl sandbox --reset
	@echo '# Every export job of every service, newest first (the sandbox: no AWS account needed)'
	$(BIN)/exportctl --sandbox list
	@echo
	@echo '# Why the failed ones failed'
	$(BIN)/exportctl --sandbox list --status failed
	@echo
	@echo '# One job, every field'
	$(BIN)/exportctl --sandbox status $(DEMO_PINPOINT)
	@echo
	@echo '# Discovery jobs as JSON, for scripts'
	$(BIN)/exportctl --sandbox list --service discovery --json --limit 2
	@echo
	@echo '# Waiting for a Pinpoint and a Discovery job to complete: about ten seconds'
	@echo '# (EXPORTCTL_SANDBOX_SPEED=6: the sandbox clock runs six times faster here)'
	EXPORTCTL_SANDBOX_SPEED=6 $(BIN)/exportctl --sandbox wait --interval 1s --max-interval 2s \
		--timeout 1m $(DEMO_PINPOINT) $(DEMO_DISCOVERY)
	@echo
	@echo 'Next: run exportctl from the virtual environment, against the sandbox or your AWS account'
	@echo '  . $(VENV)/bin/activate                   # then exportctl is on your PATH: exportctl --help'
	@echo '  exportctl --sandbox watch              # a live board of running jobs (Ctrl-C ends it)'
	@echo '  exportctl --sandbox list -o wide       # every column, nothing cut'
	@echo '  exportctl --sandbox download arn:aws:personalize:us-east-1:123456789012:dataset-export-job/items-catalog items'
	@echo '  exportctl list                         # your own jobs: the AWS CLI'"'"'s profile and region settings'
	@echo 'Or install it for your user, outside this directory: pipx install .  (pipx install ".[sandbox]" for the sandbox'"'"'s S3)'
	@echo 'More: README.md (usage), docs/ (design, benchmarks, contributing)'

# Two pytest workers a core: about half of a test's time is spent waiting on the
# processes and servers it starts (on 2 cores: 92 s with 2 workers, 68 s with 4).
# A file's tests stay on one worker, so the servers a module shares start once.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1))')
test: venv
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(TEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: lint test

# The outputs README.md shows under its examples, from real runs of them (against a
# fresh sandbox world, on a fixed clock, at 100 columns); a test fails when stale.
readme: venv
	$(BIN)/python tests/readme_outputs.py

# Shell completion scripts, generated from the command tree; a test fails when stale.
completions: venv
	$(BIN)/exportctl completion bash > completions/exportctl.bash
	$(BIN)/exportctl completion zsh > completions/exportctl.zsh
	$(BIN)/exportctl completion fish > completions/exportctl.fish

# exportctl against the AWS CLI and a bare botocore script, all against the sandbox;
# rewrites the benchmark table of docs/BENCHMARKS.md. By hand, not in CI (BENCH_ARGS="--runs 3" for a quick look).
# The AWS CLI pins its own botocore, so it has a virtual environment of its own;
# exportctl is measured as users install it (pip install ., not editable: the
# editable install's import hook costs every start); pip reinstalls a checkout every time.
BENCH_VENV ?= /tmp/benchvenv
BENCH_EXPORTCTL_VENV ?= /tmp/benchvenv-exportctl
bench: venv
	test -x $(BENCH_VENV)/bin/aws || ($(PYTHON) -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/python -m pip install --quiet 'awscli>=1.36')
	test -x $(BENCH_EXPORTCTL_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_EXPORTCTL_VENV)
	$(BENCH_EXPORTCTL_VENV)/bin/python -m pip install --quiet .
	$(BIN)/python benchmarks/cli_bench.py --aws $(BENCH_VENV)/bin/aws \
		--exportctl $(BENCH_EXPORTCTL_VENV)/bin/exportctl --readme docs/BENCHMARKS.md $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
