"""The foreground runner: ``python -m exportctl.sandbox`` and the reusable pieces behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from exportctl.sandbox import Sandbox
from exportctl.sandbox import __main__ as sandbox_main
from exportctl.sandbox.__main__ import main
from exportctl.sandbox.cli import build, env_lines


def test_build_applies_and_validates_faults() -> None:
    sb = build(throttle_rate=0.25, page_size=5, latency=0.1, seed=3)
    assert (sb.faults.throttle_rate, sb.faults.page_size, sb.faults.latency) == (0.25, 5, 0.1)
    assert sb.seed == 3
    with pytest.raises(ValueError):
        build(error_rate=1.5)
    with pytest.raises(ValueError):
        build(page_size=0)


def test_env_lines_point_tools_at_the_server() -> None:
    with build() as sb:
        env = sb.env()
        assert env["AWS_ENDPOINT_URL"] == sb.url
        assert env["AWS_DEFAULT_REGION"] == env["AWS_REGION"] == "us-east-1"
        assert env["AWS_EC2_METADATA_DISABLED"] == "true"
        assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(env)
        assert f"export AWS_ENDPOINT_URL={sb.url}" in env_lines(sb)


def test_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "--throttle-rate" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # int() and float() read these: any script's digits, digit groups, nan, inf.
        (["--seed", "٣"], "argument --seed: '٣' is not a whole number"),
        (["--port", "1_0"], "argument --port: '1_0' is not a whole number"),
        (["--page-size", "abc"], "argument --page-size: 'abc' is not a whole number"),
        (["--accounts", "１０"], "argument --accounts: '１０' is not a whole number"),
        (["--logs-tasks", "٣"], "argument --logs-tasks: '٣' is not a whole number"),
        (["--drop-rate", "nan"], "argument --drop-rate: 'nan' is not a number"),
        (["--latency", "inf"], "argument --latency: 'inf' is not a number"),
        (["--latency", "1e400"], "argument --latency: '1e400' is too large a number"),
        (["--error-rate", "0.٥"], "argument --error-rate: '0.٥' is not a number"),
    ],
)
def test_a_number_that_is_none_is_refused_as_exportctl_sandbox_refuses_it(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    said: str,
) -> None:
    # argparse's int and float took them: a sandbox on port 10, a seed of 3.
    def served(sandbox: Sandbox) -> None:
        sandbox.stop()
        raise AssertionError(f"a sandbox was started of {args}")

    monkeypatch.setattr(sandbox_main, "run", served)
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith(said)


def test_module_runs_in_the_foreground() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "exportctl.sandbox", "--port", "0", "--page-size", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:")
        url = first.split("=", 1)[1]
        with urllib.request.urlopen(url + "/_sandbox/faults", timeout=5) as response:
            assert json.loads(response.read())["page_size"] == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
