"""A user's tests of code that uses exportctl, against the sandbox the plugin serves."""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from exportctl import AsyncClient, Client, JobFailed, State

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def nightly_export(to: str) -> str:
    """The code under test: start an export and wait for it, as a pipeline would."""
    client = Client()
    job = client.start("dynamodb", table=TABLE, to=to)
    [done] = client.wait(job, timeout=3600)
    return done.ref


def test_the_pipeline_exports(exportctl_sandbox):
    ref = nightly_export("s3://nightly-exports/orders/")
    assert Client().get(ref).state is State.COMPLETED


def test_the_pipeline_says_why_it_failed(exportctl_sandbox):
    with pytest.raises(JobFailed) as failed:
        nightly_export("s3://nightly-denied/orders/")
    assert "S3AccessDenied" in failed.value.jobs[0].message


def test_the_command_reads_the_same_sandbox(exportctl_sandbox):
    job = exportctl_sandbox.add_job("discovery")
    command = Path(sys.executable).with_name("exportctl")
    shown = subprocess.run(
        [str(command), "status", "--json", job.ref], capture_output=True, text=True, timeout=60
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["status"] == "IN_PROGRESS"
    exportctl_sandbox.advance(60)
    shown = subprocess.run(
        [str(command), "status", "--json", job.ref], capture_output=True, text=True, timeout=60
    )
    assert json.loads(shown.stdout)["state"] == "COMPLETED"


def test_an_event_loop_waits_too(exportctl_sandbox):
    async def main():
        client = AsyncClient()
        jobs = await asyncio.gather(*(client.start("discovery") for _ in range(5)))
        return await client.wait(jobs)

    assert {job.state for job in asyncio.run(main())} == {State.COMPLETED}


def test_its_endpoint_and_keys_reach_it_from_any_tool(exportctl_sandbox):
    import botocore.session

    creds = exportctl_sandbox.credentials
    session = botocore.session.get_session()
    discovery = session.create_client(
        "discovery",
        region_name=creds.region,
        endpoint_url=exportctl_sandbox.url,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
    )
    assert discovery.describe_export_tasks()["exportsInfo"]
