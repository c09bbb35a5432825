"""References printed over several accounts go back into status and wait."""

from __future__ import annotations

import json

from board_support import REGIONS, Run, seen

from exportctl.sandbox import Sandbox

ORG = ("--org-role", "exportctl-reader", "--region", ",".join(REGIONS))


def test_refs_from_every_account_round_trip_through_status(run: Run, sandbox: Sandbox) -> None:
    listed = run.records(*ORG, "list")
    assert {r["account"] for r in listed} == {"123456789012", "210987654321", "345678901234"}
    compact = [r for r in listed if not r["arn"]]
    # A job without an ARN names its account and region: pinpoint:ACCOUNT:REGION:APP/JOB.
    assert compact and all(r["ref"].split(":")[1] == r["account"] for r in compact)
    assert all(r["ref"].split(":")[2] == r["region"] for r in compact)
    sandbox.reset_calls()
    # Without --region: the references say where each job is.
    result = run("--org-role", "exportctl-reader", "status", *[r["ref"] for r in listed], "--json")
    assert result.exit_code == 0, result.stderr
    read = json.loads(result.stdout)
    assert [r["ref"] for r in read] == [r["ref"] for r in listed]
    assert [seen(r) for r in read] == [seen(r) for r in listed]
    # Each job read where its reference points: no account listing, no region searched.
    assert ("organizations", "ListAccounts") not in sandbox.calls
    assert sum(n for (s, op), n in sandbox.calls.items() if s != "sts") <= len(listed)


def test_profile_refs_find_their_profile(run: Run, profiles: list[str]) -> None:
    listed = run.records(
        "--profile", "management,analytics", "--region", ",".join(REGIONS),
        "list", "-s", "discovery",
    )  # fmt: skip
    assert {r["account"] for r in listed} == {"123456789012", "210987654321"}
    refs = [r["ref"] for r in listed]
    result = run("--profile", "management,analytics,retail", "status", *refs, "--json")
    assert result.exit_code == 0, result.stderr
    assert [r["ref"] for r in json.loads(result.stdout)] == refs


def test_old_refs_and_bare_ids_are_looked_for_in_each_region(run: Run) -> None:
    listed = run.records("--region", "us-east-1,eu-west-1", "list", "-s", "pinpoint")
    eu = next(r for r in listed if r["region"] == "eu-west-1")
    app, job = eu["details"]["application_id"], eu["id"]
    # An old reference without its region, and a bare id: each region is asked.
    for ref in (f"pinpoint:{app}/{job}", f"{app}/{job}"):
        found = run("--region", "us-east-1,eu-west-1", "status", "-s", "pinpoint", ref, "--json")
        assert found.exit_code == 0, found.stderr
        assert json.loads(found.stdout)["ref"] == eu["ref"]
    missing = run("--region", "us-east-1,eu-west-1", "status", f"pinpoint:{app}/{'0' * 32}")
    assert missing.exit_code == 3
    assert "looked in 2 account and region pairs" in missing.stderr


def test_wait_over_accounts(run: Run, sandbox: Sandbox) -> None:
    # Named, a service must answer in every account: these two have a home region.
    two = ("--accounts", "123456789012,210987654321")
    listed = run.records(*ORG, *two, "list", "--status", "completed", "-s", "discovery")
    refs = [r["ref"] for r in listed]
    assert len({r["account"] for r in listed}) == 2
    result = run("--org-role", "exportctl-reader", "wait", *refs, "--timeout", "30s", "--json")
    assert result.exit_code == 0, result.stderr
    assert sorted(r["ref"] for r in json.loads(result.stdout)) == sorted(refs)
