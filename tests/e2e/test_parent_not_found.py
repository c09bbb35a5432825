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
