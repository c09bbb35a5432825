"""The foreground runner: ``python -m exportctl.sandbox`` and the reusable pieces behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

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
