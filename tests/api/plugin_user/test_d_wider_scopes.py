"""The sandbox in fixtures of a wider scope: a module's jobs, made and waited for
once, and a subprocess of the user's own pointed at it (the user's profile and a
proxy still exported around it)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exportctl import Client, State


@pytest.fixture(scope="module")
def done(exportctl_sandbox_server):
    handle = exportctl_sandbox_server
    handle.start_s3()
    job = handle.add_job("discovery")
    [done] = handle.client().wait(job, timeout=600)
    return done


@pytest.fixture(scope="module")
def done_pointed(exportctl_sandbox_server):
    with exportctl_sandbox_server.pointed():
        client = Client()
        [done] = client.wait(client.start("discovery"), timeout=600)
    return done


def test_a_modules_jobs_are_waited_for_once(done, done_pointed):
    assert done.state is State.COMPLETED
    assert done_pointed.state is State.COMPLETED


def test_a_subprocess_of_the_users_is_pointed_by_environ(exportctl_sandbox_server, done):
    assert os.environ["AWS_PROFILE"] == "myprof" and os.environ["HTTP_PROXY"]
    command = Path(sys.executable).with_name("exportctl")
    shown = subprocess.run(
        [str(command), "status", "--json", done.ref],
        env=exportctl_sandbox_server.environ(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["state"] == "COMPLETED"


def test_its_s3_is_pointed_at_in_a_fixtures_test(exportctl_sandbox, done):
    assert os.environ["AWS_ENDPOINT_URL_S3"] == exportctl_sandbox.env["AWS_ENDPOINT_URL_S3"]
