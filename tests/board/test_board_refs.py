"""References printed over several accounts go back into status and wait."""

from __future__ import annotations

import json

import pytest
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


def _statuses(sandbox: Sandbox, service: str) -> dict[tuple[str, str, str], str]:
    return {
        (j["account"], j["region"], j["id"]): j["status"]
        for j in sandbox.jobs(service, account=None)
        if j["kind"] == "export-task"
    }


def test_a_cancel_goes_to_the_account_its_reference_names(run: Run, sandbox: Sandbox) -> None:
    # Two accounts of the organization refuse on purpose: their lines do not matter here.
    listed = run(*ORG, "list", "-s", "rds", "--status", "running", "--json")
    running = [r for r in json.loads(listed.stdout) if r["account"] != "123456789012"]
    assert running, "the organization has a running RDS export outside the management account"
    job = running[0]
    before = _statuses(sandbox, "rds")
    done = run("--org-role", "exportctl-reader", "cancel", job["ref"], "--json")
    assert done.exit_code == 0, done.stderr
    cancelled = json.loads(done.stdout)
    # Said under its reference, which names its account: usable again as it is.
    assert cancelled["status"] == "CANCELING" and cancelled["ref"] == job["ref"]
    assert cancelled["account"] == job["account"]
    changed = {k for k, status in _statuses(sandbox, "rds").items() if before.get(k) != status}
    # That job, in that account, and no other of any account (ids repeat across them).
    assert [(a, r, i.rpartition(":")[2]) for a, r, i in changed] == [
        (job["account"], job["region"], job["id"])
    ]
    cancels = {a for (a, _, op), n in sandbox.account_calls.items() if op == "CancelExportTask"}
    assert cancels == {job["account"]}


def test_an_id_found_in_several_accounts_is_not_guessed(run: Run) -> None:
    listed = run(*ORG, "list", "-s", "rds", "--json")
    by_id: dict[str, list[dict[str, str]]] = {}
    for record in json.loads(listed.stdout):
        by_id.setdefault(f"{record['region']}:{record['id']}", []).append(record)
    region_id, records = next((k, v) for k, v in by_id.items() if len(v) > 1)
    region, _, job_id = region_id.partition(":")
    done = run("--org-role", "exportctl-reader", "--region", region, "status", f"rds:{job_id}")
    assert done.exit_code == 2, done.output
    # Each reference it could be, to pick from.
    assert all(r["ref"] in done.stderr for r in records), done.stderr
    one = run("--org-role", "exportctl-reader", "status", records[1]["ref"], "--json")
    assert one.exit_code == 0 and json.loads(one.stdout)["account"] == records[1]["account"]


@pytest.mark.parametrize("service", ["rds", "ec2"])
def test_a_rerun_starts_in_the_account_of_the_job_it_reruns(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    listed = run(*ORG, "list", "-s", service, "--status", "completed", "--json")
    job = next(r for r in json.loads(listed.stdout) if r["account"] != "123456789012")
    done = run("--org-role", "exportctl-reader", "rerun", job["ref"], "-o", "json")
    assert done.exit_code == 0, done.stderr
    # EC2's create answer describes the job: that account's too.
    made = json.loads(done.stdout)
    assert made["account"] == job["account"]
    new = made["ref"]
    # Its reference names that account, and reads back there.
    assert new.split(":")[1] == job["account"]
    read = run("--org-role", "exportctl-reader", "status", new, "--json")
    assert json.loads(read.stdout)["account"] == job["account"]
    creates = {"StartExportTask", "ExportImage", "CreateInstanceExportTask"}
    starts = {a for (a, _, op), n in sandbox.account_calls.items() if op in creates}
    assert starts == {job["account"]}


def test_a_start_over_several_accounts_names_the_one_it_goes_to(run: Run, sandbox: Sandbox) -> None:
    start = ("start", "discovery", "--region", "us-west-2")
    unsaid = run("--org-role", "exportctl-reader", *start)
    assert unsaid.exit_code == 2 and "--accounts" in unsaid.stderr
    said = run("--org-role", "exportctl-reader", "--accounts", "210987654321", *start)
    assert said.exit_code == 0, said.stderr
    assert said.stdout.strip().split(":")[1] == "210987654321"
    assert {a for (a, _, op), _ in sandbox.account_calls.items() if op == "StartExportTask"} == {
        "210987654321"
    }


def test_a_dry_run_over_several_accounts_says_the_account(run: Run, sandbox: Sandbox) -> None:
    start = ("start", "discovery", "--region", "us-west-2", "--dry-run")
    said = run("--org-role", "exportctl-reader", "--accounts", "210987654321", *start)
    assert said.exit_code == 0, said.stderr
    # "what would be sent, and where": the account is where too.
    assert json.loads(said.stdout)["account"] == "210987654321"
    one = run("--region", "us-west-2", *start[:-3], "--dry-run")
    assert "account" not in json.loads(one.stdout)


def test_json_stays_json_when_the_organization_cannot_be_listed(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"organizations"}
    done = run(*ORG, "list", "--json")
    assert done.exit_code == 4, done.stderr
    assert json.loads(done.stdout) == []


def test_backups_of_an_export_job_are_read_in_its_account(run: Run, sandbox: Sandbox) -> None:
    listed = run(*ORG, "list", "-s", "backupsearch", "--json")
    job = next(r for r in json.loads(listed.stdout) if r["account"] != "123456789012")
    done = run("--org-role", "exportctl-reader", "backups", job["ref"], "--json")
    assert done.exit_code == 0, done.stderr
    search = json.loads(done.stdout)["search_job"]
    assert f":{job['account']}:" in search["arn"]
    gets = {a for (a, _, op), _ in sandbox.account_calls.items() if op == "GetSearchJob"}
    assert gets == {job["account"]}
    # Its ARN names that account: without a way in, not another account's of that id.
    alone = run("backups", search["arn"])
    assert alone.exit_code == 3, alone.output


def test_a_reference_of_another_account_is_not_found_here_whatever_the_service(
    run: Run,
) -> None:
    listed = run(*ORG, "list", "-s", "discovery", "--json")
    job = next(r for r in json.loads(listed.stdout) if r["account"] != "123456789012")
    # Without --org-role: these credentials are the management account's, where
    # Discovery has no home region in that region; the reference's account says more.
    done = run("status", job["ref"], "--json")
    assert done.exit_code == 3, done.stderr
    assert json.loads(done.stdout) is None
    assert f"names account {job['account']}" in done.stderr and "--org-role" in done.stderr


def test_an_unreadable_assume_role_answer_is_said_once_an_account(
    run: Run, sandbox: Sandbox
) -> None:
    sandbox.faults.garble = {"sts": "shape"}
    done = run(*ORG, "list", "--json")
    assert done.exit_code == 5, done.stderr
    assert json.loads(done.stdout) == []
    lines = done.stderr.splitlines()
    said = [line for line in lines if "sts:AssumeRole answered with what cannot be read" in line]
    # One line an account, not one for each of its services and regions.
    assert len(said) == len({line.split()[3] for line in said}) >= 3
    assert not any("Amazon EC2" in line or "Amazon RDS" in line for line in lines)


@pytest.mark.parametrize(
    ("service", "said"),
    [
        ("sts", "sts:AssumeRole answered with what cannot be read"),
        ("organizations", "ListAccounts"),
    ],
)
def test_the_organizations_broken_answers_name_where_the_endpoint_was_set(
    run: Run, sandbox: Sandbox, service: str, said: str
) -> None:
    # They named --endpoint-url, where AWS_ENDPOINT_URL (the runs') had sent the calls.
    sandbox.faults.garble = {service: "html"}
    done = run(*ORG, "list", "-s", "rds")
    assert done.exit_code == 5, done.stderr
    lines = [line for line in done.stderr.splitlines() if said in line]
    assert lines and all("; check the network and AWS_ENDPOINT_URL" in line for line in lines)
    assert "--endpoint-url" not in done.stderr


def test_the_slot_holder_a_refused_start_names_is_in_its_account(
    run: Run, sandbox: Sandbox
) -> None:
    # Some accounts of the organization deny the role or the service: the others list.
    listed = json.loads(run(*ORG, "list", "-s", "logs", "--status", "running", "--json").stdout)
    # PENDING_CANCEL is running too, but holds no slot.
    held = next(r for r in listed if r["account"] != "123456789012" and r["status"] == "RUNNING")
    group = held["details"]["log_group_name"]
    busy = run(
        "--org-role", "exportctl-reader", "--accounts", held["account"], "--region", held["region"],
        "start", "logs", "--log-group", group, "--start-time", "1d", "--bucket", "b",
    )  # fmt: skip
    assert busy.exit_code == 5, busy.stderr
    # The holder's reference names its account: it goes back into cancel as it is,
    # through the organization the start went through.
    reach = f"--accounts {held['account']} --org-role exportctl-reader"
    assert f"(exportctl {reach} cancel {held['ref']})" in busy.stderr, busy.stderr
    assert held["ref"].split(":")[1] == held["account"]
