"""--org-role with no default region (no --region, AWS_REGION, AWS_DEFAULT_REGION or
profile region): references that name their region, or an ARN, say where the
organization's own calls (ListAccounts, AssumeRole) go, as they say where the job is
read without --org-role."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from board_support import Run
from click.testing import Result

from exportctl.sandbox import Sandbox

ROLE = ("--org-role", "exportctl-reader")
MEMBER = "345678901234"


Bare = Callable[..., Result]


@pytest.fixture
def bare(run: Run) -> Bare:
    """The command as a user with no region configured runs it (conftest: no profile)."""

    def bare(*args: str) -> Result:
        return run(*args, AWS_REGION=None, AWS_DEFAULT_REGION=None)

    return bare


def _member_jobs(run: Run, *args: str) -> list[dict[str, Any]]:
    """The jobs of one member account in eu-west-1, listed with a default region."""
    records = run.records(*ROLE, "--accounts", MEMBER, "--region", "eu-west-1", "list", *args)
    assert records and {(r["account"], r["region"]) for r in records} == {(MEMBER, "eu-west-1")}
    return records


def _json(done: Result) -> Any:
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_status_of_refs_and_arns_that_name_their_region(run: Run, bare: Bare) -> None:
    listed = _member_jobs(run, "--status", "completed")
    compact = next(r for r in listed if not r["arn"])
    arn = next(r for r in listed if r["arn"])
    read = _json(bare(*ROLE, "status", compact["ref"], arn["arn"], "--json"))
    assert [(r["ref"], r["account"]) for r in read] == [
        (compact["ref"], MEMBER),
        (arn["ref"], MEMBER),
    ]
    # Without its account: the organization's accounts are listed, in its region.
    region_only = compact["ref"].replace(f":{MEMBER}:", ":")
    found = _json(bare(*ROLE, "--accounts", MEMBER, "status", region_only, "--json"))
    assert found["ref"] == compact["ref"]


def test_cancel_and_rerun_by_reference(run: Run, bare: Bare, sandbox: Sandbox) -> None:
    running = next(r for r in _member_jobs(run, "-s", "rds", "--status", "running"))
    cancelled = _json(bare(*ROLE, "cancel", running["ref"], "--json"))
    assert cancelled["ref"] == running["ref"] and cancelled["status"] == "CANCELING"
    done = next(r for r in _member_jobs(run, "-s", "rds", "--status", "completed"))
    made = _json(bare(*ROLE, "rerun", done["ref"], "-o", "json"))
    assert made["account"] == MEMBER and made["region"] == "eu-west-1"


def test_list_with_region_given(bare: Bare) -> None:
    only = ("--accounts", f"{MEMBER},210987654321")
    listed = _json(bare(*ROLE, *only, "--region", "eu-west-1", "list", "-s", "rds", "--json"))
    assert {(r["account"], r["region"]) for r in listed} == {(MEMBER, "eu-west-1")}


def test_refs_of_two_partitions_are_one_line(bare: Bare) -> None:
    refs = ("logs:eu-west-1:0123", "logs:cn-north-1:0123")
    done = bare(*ROLE, "status", *refs)
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and "different partitions" in done.stderr, done.stderr
    assert done.stderr.startswith("exportctl: error: --org-role: the references name regions")
    assert done.stderr.endswith("give one partition's references at a time, or pass --region\n")
    assert "eu-west-1 in aws" in done.stderr and "cn-north-1 in aws-cn" in done.stderr


def test_a_ref_without_its_region_still_needs_one(run: Run, bare: Bare) -> None:
    job = _member_jobs(run, "-s", "rds")[0]
    alone = bare(*ROLE, "status", f"rds:{job['id']}")
    assert alone.exit_code == 2 and "no AWS region" in alone.stderr, alone.stderr
    # Beside a reference that names its region: that one is read, this one refused.
    both = bare(*ROLE, "status", job["ref"], f"rds:{job['id']}", "--json")
    assert both.exit_code == 2 and "no AWS region" in both.stderr, both.stderr
    assert json.loads(both.stdout)[0]["ref"] == job["ref"]


def test_wait_on_refs_that_name_their_region(run: Run, bare: Bare) -> None:
    refs = [r["ref"] for r in _member_jobs(run, "--status", "completed")[:2]]
    waited = _json(bare(*ROLE, "wait", *refs, "--timeout", "30s", "--json"))
    assert [r["ref"] for r in waited] == refs


def test_wait_without_org_role_on_a_ref_that_names_its_region(run: Run, bare: Bare) -> None:
    own = run.records("--region", "eu-west-1", "list", "-s", "rds", "--status", "completed")
    waited = _json(bare("wait", own[0]["ref"], "--timeout", "30s", "--json"))
    assert waited["id"] == own[0]["id"] and waited["region"] == "eu-west-1"
