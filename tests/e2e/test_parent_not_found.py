"""A Pinpoint application given by id that does not exist: one line naming it and
the region, exit 3, and no claim that the listing was cut short."""

from __future__ import annotations

import json
import subprocess

import pytest
from e2e_support import exportctl, in_process

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

APP = "ae7689447ab57a683536c4499d863386"  # the sandbox's application in us-east-1
ROLE = "arn:aws:iam::123456789012:role/exportctl-export"


def said_once(done: subprocess.CompletedProcess[str], line: str) -> None:
    assert done.returncode == 3, done.stderr
    assert done.stderr == f"exportctl: error: {line}\n"


def test_a_listing_of_an_application_that_does_not_exist_names_it(sandbox: Sandbox) -> None:
    done = exportctl(sandbox, "list", "-s", "pinpoint", "--application-id", "nosuchapp")
    said_once(done, "Amazon Pinpoint: application nosuchapp not found in us-east-1")


def test_the_applications_that_exist_are_listed_whole_beside_it(sandbox: Sandbox) -> None:
    alone = in_process(sandbox, "list", "-s", "pinpoint", "--application-id", APP, "--json")
    assert alone.returncode == 0, alone.stderr
    for form in ("json", "ndjson"):
        done = in_process(
            sandbox, "list", "-s", "pinpoint", "-o", form, "--application-id", "nosuchapp",
            "--application-id", APP, "--application-id", "zz",
        )  # fmt: skip
        said_once(done, "Amazon Pinpoint: applications nosuchapp, zz not found in us-east-1")
        refs = (
            [job["ref"] for job in json.loads(done.stdout)]
            if form == "json"
            else [json.loads(line)["ref"] for line in done.stdout.splitlines()]
        )
        assert sorted(refs) == sorted(job["ref"] for job in json.loads(alone.stdout))


def test_over_regions_the_region_is_said_once(sandbox: Sandbox) -> None:
    done = in_process(
        sandbox, "list", "-s", "pinpoint", "--application-id", "nosuchapp",
        "--region", "us-east-1,eu-west-1",
    )  # fmt: skip
    said = "regions eu-west-1, us-east-1: Amazon Pinpoint: application nosuchapp not found"
    said_once(done, said)


def test_a_start_for_an_application_that_does_not_exist_names_it(sandbox: Sandbox) -> None:
    done = in_process(
        sandbox, "start", "pinpoint", "--application-id", "nosuchapp",
        "--to", "s3://exportctl-exports/x/", "--role-arn", ROLE,
    )  # fmt: skip
    said_once(done, "Amazon Pinpoint: application nosuchapp not found in us-east-1")
    assert not [op for (_, op) in sandbox.calls if op == "CreateExportJob"]


def _pinpoint_calls(sandbox: Sandbox) -> dict[str, int]:
    return {op: n for (service, op), n in sandbox.calls.items() if service == "pinpoint"}


def test_status_of_a_job_of_an_application_that_does_not_exist_names_it(
    sandbox: Sandbox,
) -> None:
    for ref in ("pinpoint:nosuchapp/job1", "pinpoint:us-east-1:nosuchapp/job1"):
        sandbox.reset_calls()
        done = in_process(sandbox, "status", ref, "--json")
        assert done.stdout == "null\n"
        said = "no Amazon Pinpoint application nosuchapp in us-east-1 (account 123456789012)"
        if ref.count(":") == 1:
            said += "; jobs in other regions need their region in the ref or --region"
        said_once(done, said)
        # One call more than the job's own, made because it was not found.
        assert _pinpoint_calls(sandbox) == {"GetExportJob": 1, "GetExportJobs": 1}


def test_a_job_not_found_in_an_application_that_exists_is_said_as_before(
    sandbox: Sandbox,
) -> None:
    done = in_process(sandbox, "status", f"pinpoint:us-east-1:{APP}/nosuchjob")
    said_once(
        done, f"no Amazon Pinpoint export job {APP}/nosuchjob in us-east-1 (account 123456789012)"
    )


def test_wait_for_jobs_of_an_application_that_does_not_exist_names_it(sandbox: Sandbox) -> None:
    done = in_process(sandbox, "wait", "pinpoint:nosuchapp/job1", "pinpoint:nosuchapp/job2")
    assert done.returncode == 3, done.stderr
    said = "not found: no Amazon Pinpoint application nosuchapp in us-east-1"
    for job in ("job1", "job2"):
        assert f"exportctl: error: pinpoint:nosuchapp/{job}: {said}" in done.stderr
    assert "export job" not in done.stderr
    # Both from the application's listing, which says it does not exist: no call more.
    assert _pinpoint_calls(sandbox) == {"GetExportJobs": 1}
