"""`exportctl backups` against the sandbox over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _reset(sandbox: Sandbox) -> Iterator[None]:
    sandbox.reset_calls()
    yield
    sandbox.faults.page_size = None


def run(sb: Sandbox, *args: str, **more: str) -> Result:
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", **more}
    return CliRunner().invoke(
        cli, ["--endpoint-url", sb.url, "--region", "us-east-1", *args], env=env
    )


def first(sb: Sandbox, kind: str, status: str = "COMPLETED") -> dict[str, Any]:
    return next(
        j
        for j in sb.jobs("backupsearch", "us-east-1")
        if j["kind"] == kind and j["status"] == status
    )


def test_the_table_counts_by_status_and_explains_what_was_not_searched(sandbox: Sandbox) -> None:
    sandbox.faults.page_size = 5
    export = first(sandbox, "export")
    result = run(sandbox, "backups", f"backupsearch:{export['id']}")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "12 backups in search job arn:aws:backup-search:us-east-1:" in out
    assert "10 COMPLETED, 1 FAILED, 1 STOPPED" in out
    notes = out.split("Not searched:\n", 1)[1].splitlines()
    assert notes[0].startswith("  FAILED arn:aws:backup:") and "kms:Decrypt denied" in notes[0]
    assert notes[1].startswith("  STOPPED ") and "recovery point expired" in notes[1]
    # 12 backups, 5 a page.
    assert sandbox.calls[("backupsearch", "ListSearchJobBackups")] == 3
    assert result.stderr == ""


def test_json_records_and_the_status_filter(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    result = run(sandbox, "backups", f"search-job:{search['id']}", "--status", "failed", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    (record,) = document["backups"]
    assert record["status"] == "FAILED"
    assert record["index_creation_time"] is None
    assert record["backup_creation_time"].endswith("Z")
    # A search job named by id alone: GetSearchJob tells its ARN.
    arn = f"arn:aws:backup-search:us-east-1:123456789012:search-job/{search['id']}"
    assert record["search_job_arn"] == arn == document["search_job"]["arn"]
    assert "kms:Decrypt" in record["status_message"]
    assert ("backupsearch", "GetSearchResultExportJob") not in sandbox.calls
    assert document["final"] is True and result.stderr == ""


def test_status_takes_a_comma_list_as_list_does(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    ref = f"search-job:{search['id']}"
    listed = run(sandbox, "backups", ref, "--status", "failed,stopped", "-o", "ndjson")
    repeated = run(
        sandbox, "backups", ref, "--status", "failed", "--status", "stopped", "-o", "ndjson"
    )
    assert listed.exit_code == 0, listed.output
    # No status holds a comma: matching "FAILED,STOPPED" whole found none.
    assert listed.stdout == repeated.stdout and listed.stdout.count("\n") >= 2


@pytest.mark.parametrize("value", ["", ",", " , "])
def test_a_status_that_names_no_word_is_refused_as_list_refuses_it(
    sandbox: Sandbox, value: str
) -> None:
    # An unset "$WANT": every backup shown would pass for the ones asked for.
    search = first(sandbox, "search-job")
    result = run(sandbox, "backups", f"search-job:{search['id']}", "--status", value, "--json")
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("exportctl: error: invalid value for '--status': ")
    assert sandbox.calls == {}


def test_status_takes_any_word_in_any_case(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    job = sandbox.scenario.find("backupsearch", search["id"], "search-job")
    assert job is not None
    row = job.attrs["_backups"][0]
    before = row["Status"]
    # A status word the model does not list (yet): shown as it comes, and filtered on.
    row["Status"] = "EXPIRED"
    try:
        ref = f"search-job:{search['id']}"
        result = run(sandbox, "backups", ref, "--status", "expired", "-o", "ndjson")
        mixed = run(sandbox, "backups", ref, "--status", "Stopped", "--status", "EXPIRED")
    finally:
        row["Status"] = before
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in records] == ["EXPIRED"]
    assert mixed.exit_code == 0, mixed.output
    assert "1 EXPIRED, 1 STOPPED" in mixed.stdout


def test_a_search_job_arn_and_fields(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    arn = f"arn:aws:backup-search:us-east-1:123456789012:search-job/{search['id']}"
    result = run(sandbox, "backups", arn, "--output", "csv", "--fields", "status,resource_type")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "status,resource_type" and len(lines) == 13
    assert "STOPPED,S3" in lines


def test_a_bare_search_job_id_is_found_after_the_export_lookup_fails(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    result = run(sandbox, "backups", search["id"], "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["backups"]) == 12


def test_a_bare_id_of_another_region_names_both_lookups_and_the_region(sandbox: Sandbox) -> None:
    export = next(j for j in sandbox.jobs("backupsearch", "eu-west-1") if j["kind"] != "search-job")
    result = run(sandbox, "backups", export["id"])
    assert result.exit_code == 3, result.output
    (line,) = result.stderr.splitlines()
    assert f"Search job {export['id']} does not exist" in line
    assert f"no AWS Backup Search export job {export['id']} in us-east-1" in line
    # --region named where to look: the line says where that was, not to give it.
    assert line.endswith(
        f"no AWS Backup Search export job {export['id']} in us-east-1 (account 123456789012)"
    )


def test_an_unknown_search_job_is_exit_3(sandbox: Sandbox) -> None:
    result = run(sandbox, "backups", "search-job:00000000-0000-0000-0000-000000000000", "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) is None
    assert result.stderr.startswith("exportctl: error: ") and result.stderr.count("\n") == 1


def test_an_unknown_field_is_a_usage_error_before_any_call(sandbox: Sandbox) -> None:
    result = run(sandbox, "backups", "search-job:x", "--fields", "nope")
    assert result.exit_code == 2
    assert sum(sandbox.calls.values()) == 0


def test_status_of_a_backup_search_export_job_points_at_its_backups(sandbox: Sandbox) -> None:
    export = first(sandbox, "export")
    result = run(sandbox, "status", f"backupsearch:{export['id']}")
    assert result.exit_code == 0, result.stderr
    arn = f"arn:aws:backup-search:us-east-1:123456789012:search-export-job/{export['id']}"
    # As the command was run: the same endpoint (and profile, accounts), the job's region.
    assert f"exportctl --endpoint-url {sandbox.url} backups {arn}\n" in result.stdout
    assert (
        "exportctl backups"
        not in run(sandbox, "status", f"backupsearch:{export['id']}", "--json").stdout
    )


def test_a_running_search_says_its_backups_are_not_final(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job", "RUNNING")
    ref = f"search-job:{search['id']}"

    table = run(sandbox, "backups", ref)
    document = run(sandbox, "backups", ref, "--json")
    stream = run(sandbox, "backups", ref, "-o", "ndjson")

    assert table.exit_code == document.exit_code == stream.exit_code == 0
    head = table.stdout.split("STATUS ", 1)[0]
    assert f"search-job/{search['id']} (ebs-app-logs): RUNNING" in head
    assert "progress: 1 of 4 backups scanned, 150,000 of 720,000 items scanned" in head
    assert "not final: the search is RUNNING" in head
    # The backups the search has not reached yet are RUNNING.
    assert "1 COMPLETED, 3 RUNNING" in table.stdout
    data = json.loads(document.stdout)
    assert data["final"] is False
    job = data["search_job"]
    assert (job["status"], job["name"], job["completed"]) == ("RUNNING", "ebs-app-logs", None)
    assert job["progress"] == {
        "recovery_points_scanned_count": 1,
        "items_scanned_count": 150_000,
        "items_matched_count": 12,
    }
    assert job["scope_summary"]["total_recovery_points_to_scan_count"] == 4
    assert len(data["backups"]) == 4
    # Streams hold records only; what the records cannot say goes to stderr.
    assert [json.loads(line)["status"] for line in stream.stdout.splitlines()].count("RUNNING") == 3
    for machine in (document, stream):
        assert "exportctl: notice: search job " in machine.stderr
        assert "is RUNNING: this list is not final yet" in machine.stderr
    assert sandbox.calls[("backupsearch", "GetSearchJob")] == 3


def test_a_completed_search_shows_its_status_message(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    result = run(sandbox, "backups", f"search-job:{search['id']}")
    assert result.exit_code == 0, result.stderr
    head = result.stdout.split("STATUS ", 1)[0]
    assert ": COMPLETED\n" in head and "  completed " in head
    assert "message: Search completed with issues: 2 of 12 recovery points" in head
    assert "not final" not in result.stdout


def test_query_applies_to_the_whole_json_document(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    query = "{final: final, status: search_job.status, failed: backups[?status=='FAILED'].status}"
    result = run(sandbox, "backups", f"search-job:{search['id']}", "--query", query)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"final": True, "status": "COMPLETED", "failed": ["FAILED"]}


def test_the_list_becomes_final_when_the_search_completes() -> None:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        search = first(sb, "search-job", "RUNNING")
        ref = f"search-job:{search['id']}"
        before = json.loads(run(sb, "backups", ref, "--json").stdout)
        sb.advance(60)
        after = run(sb, "backups", ref, "--json")
    assert before["final"] is False
    assert after.exit_code == 0 and after.stderr == ""
    document = json.loads(after.stdout)
    assert document["final"] is True and document["search_job"]["completed"] is not None
    assert "RUNNING" not in {b["status"] for b in document["backups"]}
    assert len(document["backups"]) == len(before["backups"])
    assert document["search_job"]["status_message"].startswith("Search completed with issues")


@pytest.mark.parametrize(
    ("faults", "code"),
    [
        ({"fates": {"ListSearchJobBackups": ["ok", "raise:AccessDeniedException:403:x"]}}, 4),
        ({"fates": {"ListSearchJobBackups": ["ok", "throttle"]}}, 5),
        ({"garble": {"backupsearch": "html"}, "garble_after": 2}, 5),
    ],
)
def test_json_leaves_null_when_the_backups_fail_while_they_are_listed(
    sandbox: Sandbox, faults: dict[str, Any], code: int
) -> None:
    sandbox.faults.page_size = 5
    sandbox.faults.update(faults)
    search = first(sandbox, "search-job")
    try:
        result = run(
            sandbox, "backups", f"search-job:{search['id']}", "--json", AWS_MAX_ATTEMPTS="1"
        )
    finally:
        sandbox.faults.update({"fates": {}, "garble": {}, "garble_after": 0})
    assert result.exit_code == code, result.output
    assert json.loads(result.stdout) is None
    assert result.stderr.startswith("exportctl: error: ") and result.stderr.count("\n") == 1


def test_json_leaves_null_after_ctrl_c_while_the_backups_are_listed(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.ops import backups as core

    read = core.from_raw
    seen: list[int] = []

    def interrupted(*args: Any, **kwargs: Any) -> core.Backup:
        seen.append(1)
        if len(seen) == 3:
            raise KeyboardInterrupt
        return read(*args, **kwargs)

    monkeypatch.setattr(core, "from_raw", interrupted)
    search = first(sandbox, "search-job")
    result = run(sandbox, "backups", f"search-job:{search['id']}", "--json")
    assert result.exit_code == 130, result.output
    assert json.loads(result.stdout) is None


@pytest.mark.parametrize("member", ["Status", "BackupResourceArn"])
def test_a_backup_without_its_status_or_arn_is_no_answer_of_the_service(
    sandbox: Sandbox, member: str
) -> None:
    # GetSearchJob's answer goes through: the first page of backups lacks the member.
    sandbox.faults.update({"garble": {"backupsearch": f"drop:{member}"}, "garble_after": 1})
    search = first(sandbox, "search-job")
    try:
        result = run(sandbox, "backups", f"search-job:{search['id']}", "--json")
    finally:
        sandbox.faults.update({"garble": {}, "garble_after": 0})
    assert result.exit_code == 5, result.output
    assert json.loads(result.stdout) is None
    said = "ListSearchJobBackups answered (HTTP 200, application/json) without the"
    assert f"{said} {member} of an item" in result.stderr


@pytest.mark.parametrize("form", ["{id}", "search-job:{id}"])
def test_a_search_job_without_its_region_is_looked_for_in_every_region_of_the_command(
    sandbox: Sandbox, form: str
) -> None:
    search = next(j for j in sandbox.jobs("backupsearch", "eu-west-1") if j["kind"] == "search-job")
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    args = ["--endpoint-url", sandbox.url, "--region", "us-east-1,eu-west-1", "backups"]
    result = CliRunner().invoke(cli, [*args, form.format(id=search["id"]), "--json"], env=env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["search_job"]["region"] == "eu-west-1"
    assert document["backups"] and result.stderr == ""
    assert {b["search_job_arn"].split(":")[3] for b in document["backups"]} == {"eu-west-1"}


def test_start_and_list_take_the_search_job_forms_backups_takes(sandbox: Sandbox) -> None:
    search = first(sandbox, "search-job")
    for given in (f"search-job:{search['id']}", f"search-job:us-east-1:{search['id']}"):
        started = run(
            sandbox,
            "start",
            "backupsearch",
            "--dry-run",
            "--search-job",
            given,
            "--to",
            "s3://b/p/",
        )
        assert started.exit_code == 0, started.output
        assert json.loads(started.stdout)["request"]["SearchJobIdentifier"] == search["id"]
        listed = run(sandbox, "list", "-s", "backupsearch", "--search-job", given, "--json")
        assert listed.exit_code == 0, listed.output
        arns = {j["details"]["search_job_arn"] for j in json.loads(listed.stdout)}
        assert arns == {f"arn:aws:backup-search:us-east-1:123456789012:search-job/{search['id']}"}


def _in_environment_region(sb: Sandbox, *args: str) -> Result:
    """A command whose region is the environment's, not --region."""
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1"}
    return CliRunner().invoke(cli, ["--endpoint-url", sb.url, *args], env=env)


@pytest.mark.parametrize("form", ["search-job:eu-west-1:{id}", "{arn}"])
def test_start_and_list_go_to_the_region_the_search_job_names(sandbox: Sandbox, form: str) -> None:
    search = next(j for j in sandbox.jobs("backupsearch", "eu-west-1") if j["kind"] == "search-job")
    arn = f"arn:aws:backup-search:eu-west-1:123456789012:search-job/{search['id']}"
    given = form.format(id=search["id"], arn=arn)
    start = ["start", "backupsearch", "--dry-run", "--search-job", given, "--to", "s3://b/p/"]
    started = _in_environment_region(sandbox, *start)
    assert started.exit_code == 0, started.output
    assert json.loads(started.stdout)["region"] == "eu-west-1"
    # As a source ARN of another region: a --region that says another is refused.
    clash = run(sandbox, *start)
    assert clash.exit_code == 2
    assert "--search-job is in eu-west-1, and --region says us-east-1" in clash.stderr
    # A listing by an ARN is of its region, whatever the command's: so by this form.
    for listing in (_in_environment_region, run):
        listed = listing(sandbox, "list", "--search-job", given, "--json")
        assert listed.exit_code == 0, listed.output
        jobs = json.loads(listed.stdout)
        assert jobs and {j["details"]["search_job_arn"] for j in jobs} == {arn}
        assert {j["region"] for j in jobs} == {"eu-west-1"}


def test_start_help_says_the_search_job_forms_it_takes() -> None:
    from exportctl.services import searchrefs
    from exportctl.services.specs import backupsearch as bs

    shown = CliRunner().invoke(cli, ["start", "backupsearch", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())
    assert searchrefs.forms(bs.SEARCH_JOB_ARN)[1] in said and "(id or ARN)" not in said
