"""`exportctl sandbox` in the foreground: any AWS tool can use what it prints."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import boto3
import pytest
from e2e_support import console_script, exportctl

pytestmark = pytest.mark.e2e


def test_prints_an_environment_that_boto3_and_exportctl_use() -> None:
    proc = subprocess.Popen(
        [console_script(), "sandbox", "--port", "0", "--page-size", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C reaches it as in a terminal, even when these tests run as a
        # background job (which ignores SIGINT, and so would what it starts).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        env: dict[str, str] = {}
        for line in proc.stdout:
            if line.startswith("#"):
                break
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = value
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        client = boto3.client(
            "discovery",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        page = client.describe_export_tasks()
        assert len(page["exportsInfo"]) == 2 and page["nextToken"]  # the page-size cap
        listed = exportctl(None, "list", "-s", "discovery", "--json", **env)
        assert listed.returncode == 0
        assert len(json.loads(listed.stdout)) > 2
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=10)
    assert code == 0
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_bad_fault_option_is_a_usage_error() -> None:
    done = exportctl(None, "sandbox", "--throttle-rate", "3")
    assert done.returncode == 2 and "Traceback" not in done.stderr
