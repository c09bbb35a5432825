"""`exportctl list` end to end against the sandbox."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cli_support import Run, export_jobs

from exportctl.sandbox import Sandbox
from exportctl.services import all_specs

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def records(stdout: str) -> list[dict[str, object]]:
    data = json.loads(stdout)
    assert isinstance(data, list)
    return data


def test_lists_every_job_of_every_service_once(run: Run, sandbox: Sandbox) -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.stderr
    jobs = records(result.stdout)
    # The sandbox knows a job by its path (Pinpoint's APP/ID) or ARN (RDS's), a record by its id.
    expected = {
        (j["service"], j["id"].rsplit("/", 1)[-1].rsplit(":", 1)[-1]) for j in export_jobs(sandbox)
    }
    got = [(j["service"], j["id"]) for j in jobs]
    assert len(got) == len(set(got))
    # DynamoDB's ListExports shows the last 90 days only, as the real one: the older
    # exports are found by reference alone.
    hidden = expected - set(got)
    assert {service for service, _ in hidden} == {"dynamodb"}
    for _, ident in hidden:
        [old] = [j for j in export_jobs(sandbox) if j["id"].endswith(f"/{ident}")]
        shown = json.loads(run("status", old["id"], "--json").stdout)
        created = datetime.fromisoformat(shown["created"].replace("Z", "+00:00"))
        assert datetime.now(timezone.utc) - created > timedelta(days=90)
    assert set(got) == expected - hidden
    assert {j["service"] for j in jobs} == {spec.name for spec in all_specs()}


def _newest_first_order(jobs: list[dict[str, Any]]) -> list[str]:
    """The refs in the documented order: creation time descending, the jobs without one
    after every dated job; the reference (descending) between jobs of one time."""

    def key(job: dict[str, Any]) -> tuple[bool, datetime, str]:
        created = job["created"]
        when = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else EPOCH
        return (created is not None, when, job["ref"])

    return [job["ref"] for job in sorted(jobs, key=key, reverse=True)]


def test_newest_first(run: Run) -> None:
    jobs = records(run("list", "--json").stdout)
    refs = [str(j["ref"]) for j in jobs]
    undated = [str(j["ref"]) for j in jobs if j["created"] is None]
    # EC2's jobs have no creation time, nor has an RDS task still STARTING: they come last.
    assert undated and refs[-len(undated) :] == undated
    assert refs == _newest_first_order(jobs)
    # The same order in a table and in a streamed format's --limit.
    table = run("list", "-o", "table", "--fields", "ref")
    assert table.stdout.split()[1:] == refs
    streamed = run("list", "-o", "ndjson", "--limit", str(len(refs)), "--fields", "ref")
    assert [json.loads(line)["ref"] for line in streamed.stdout.splitlines()] == refs


def test_one_service(run: Run) -> None:
    result = run("list", "--service", "discovery", "--json")
    assert result.exit_code == 0
    jobs = records(result.stdout)
    assert jobs and {j["service"] for j in jobs} == {"discovery"}
    assert all(str(j["ref"]).startswith("discovery:us-east-1:") for j in jobs)


def test_service_alias(run: Run) -> None:
    jobs = records(run("list", "-s", "backup-search", "--json").stdout)
    assert jobs and {j["service"] for j in jobs} == {"backupsearch"}


ORDERS = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def test_a_services_filter_without_it_named_lists_that_service_alone(run: Run) -> None:
    jobs = records(run("list", "--table", ORDERS, "--json").stdout)
    # Every job of the other seven services came along, as if filtered.
    assert jobs and {j["service"] for j in jobs} == {"dynamodb"}
    assert {j["details"]["table_arn"] for j in jobs} == {ORDERS}  # type: ignore[index]


def test_a_services_filter_with_other_services_named_is_refused(run: Run) -> None:
    result = run("list", "-s", "logs", "--table", ORDERS)
    assert result.exit_code == 2
    # The command line's words, which the API's keywords do not replace.
    assert result.stderr == (
        "exportctl: error: --table filters Amazon DynamoDB's jobs, and the listing is of "
        "logs only: add -s dynamodb, or leave --table out\n"
    )


def test_a_filters_arn_lists_in_the_region_it_names(run: Run) -> None:
    sessions = "arn:aws:dynamodb:eu-west-1:123456789012:table/sessions"
    jobs = records(run("list", "--table", sessions, "--json").stdout)
    # The command's region is us-east-1: "No export jobs found", exit 0.
    assert jobs and {(j["region"], j["details"]["table_arn"]) for j in jobs} == {  # type: ignore[index]
        ("eu-west-1", sessions)
    }
    search = (
        "arn:aws:backup-search:us-east-1:123456789012:search-job/"
        "2824c1c0-9972-4caf-a941-d4072014b3ce"
    )
    both = run("--region", "us-east-1,eu-west-1", "list", "--search-job", search, "--json")
    # Asked in eu-west-1 too, where no such search job is: exit 3.
    assert both.exit_code == 0, both.stderr
    assert records(both.stdout) and both.stderr == ""
    typo = run("list", "--table", sessions.replace("eu-west-1", "eu-wst-1"))
    assert typo.exit_code == 2 and "unknown region 'eu-wst-1' in --table" in typo.stderr


@pytest.mark.parametrize(
    "args", [["-s", "dynamodb", "--table", ""], ["-s", "pinpoint", "--application-id", ""]]
)
def test_an_empty_filter_is_refused(run: Run, args: list[str]) -> None:
    # An unset variable in a script ("$TABLE"): not every job of the service.
    result = run("list", *args)
    assert result.exit_code == 2
    assert result.stderr == f"exportctl: error: {args[2]} is empty: give a value, or leave it out\n"


def test_status_filter_is_normalised_and_repeatable(run: Run) -> None:
    jobs = records(run("list", "--status", "failed", "--status", "PENDING", "--json").stdout)
    assert jobs and {j["state"] for j in jobs} == {"FAILED", "PENDING"}


def test_status_takes_several_states_separated_by_commas(run: Run) -> None:
    # As --service a,b does: one value that a script builds whole.
    jobs = records(run("list", "--status", "failed,PENDING", "--json").stdout)
    assert jobs and {j["state"] for j in jobs} == {"FAILED", "PENDING"}
    for empty in ("", ",", " , "):
        refused = run("list", "--status", empty)
        # In the words --service says them in: no state is named, not an unknown one.
        assert refused.exit_code == 2 and f"{empty!r} names no state" in refused.stderr
    watched = run("watch", "--status", "failed,bogus")
    assert watched.exit_code == 2 and "'bogus' is not one of" in watched.stderr


def test_a_failing_pinpoint_job_is_still_running(run: Run) -> None:
    jobs = records(run("list", "--status", "running", "-s", "pinpoint", "--json").stdout)
    failing = [j for j in jobs if j["status"] == "FAILING"]
    # Its counters still move and it has no completion time: nothing about it is final.
    assert failing and all(not j["terminal"] and j["completed"] is None for j in failing)
    failed = records(run("list", "--status", "failed", "-s", "pinpoint", "--json").stdout)
    assert failed and "FAILING" not in {j["status"] for j in failed}


def _when(job: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(job["created"]).replace("Z", "+00:00"))


def test_since_duration(run: Run) -> None:
    jobs = records(run("list", "--since", "1h", "--json").stdout)
    cutoff = datetime.now(timezone.utc) - timedelta(hours=1, minutes=1)
    dated = [j for j in jobs if j["created"] is not None]
    assert dated and all(_when(j) >= cutoff for j in dated)
    everything = records(run("list", "--json").stdout)
    assert len(jobs) < len(everything)
    # A job its service gives no creation time (EC2's, an RDS task still STARTING)
    # may be new: --since keeps it rather than hide it.
    undated = [j["ref"] for j in everything if j["created"] is None]
    assert undated and [j["ref"] for j in jobs if j["created"] is None] == undated


def test_since_date_and_bad_value(run: Run) -> None:
    future = records(run("list", "--since", "2099-01-01", "--json").stdout)
    assert future and all(j["created"] is None for j in future)
    assert records(run("list", "-s", "discovery", "--since", "2099-01-01", "--json").stdout) == []
    bad = run("list", "--since", "yesterday-ish")
    assert bad.exit_code == 2
    assert "not a duration or date" in bad.stderr


def test_limit_keeps_the_newest(run: Run) -> None:
    everything = records(run("list", "--json").stdout)
    limited = records(run("list", "--limit", "3", "--json").stdout)
    assert limited == everything[:3]
    assert run("list", "--limit", "0").exit_code == 2


def test_application_scope_skips_get_apps(run: Run, sandbox: Sandbox) -> None:
    app = next(j["parent"] for j in export_jobs(sandbox) if j["service"] == "pinpoint")
    sandbox.reset_calls()
    result = run("list", "-s", "pinpoint", "--application-id", app, "--json")
    jobs = records(result.stdout)
    assert jobs and {j["details"]["application_id"] for j in jobs} == {app}  # type: ignore[index]
    assert sandbox.calls[("pinpoint", "GetApps")] == 0


def test_every_application_is_found_through_paged_get_apps(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.page_size = 1
    try:
        jobs = records(run("list", "-s", "pinpoint", "--json").stdout)
    finally:
        sandbox.faults.page_size = None
    apps = {j["parent"] for j in export_jobs(sandbox) if j["service"] == "pinpoint"}
    assert {j["details"]["application_id"] for j in jobs} == apps  # type: ignore[index]
    assert sandbox.calls[("pinpoint", "GetApps")] > 2


def test_dataset_scope(run: Run, sandbox: Sandbox) -> None:
    job = next(j for j in export_jobs(sandbox) if j["service"] == "personalize")
    jobs = records(
        run("list", "-s", "personalize", "--dataset-arn", job["parent"], "--json").stdout
    )
    mine = {j["id"] for j in export_jobs(sandbox) if j["parent"] == job["parent"]}
    assert {j["arn"] for j in jobs} == mine


def test_search_job_scope(run: Run, sandbox: Sandbox) -> None:
    everything = records(run("list", "-s", "backupsearch", "--json").stdout)
    search_job = everything[0]["details"]["search_job_arn"]  # type: ignore[index]
    jobs = records(run("list", "-s", "backupsearch", "--search-job", search_job, "--json").stdout)
    assert jobs
    assert {j["details"]["search_job_arn"] for j in jobs} == {search_job}  # type: ignore[index]
    assert len(jobs) < len(everything)


def test_pages_are_followed_to_the_end(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.page_size = 2
    try:
        capped = records(run("list", "--json").stdout)
    finally:
        sandbox.faults.page_size = None
    assert len(capped) == len(records(run("list", "--json").stdout))
    assert sandbox.calls[("discovery", "DescribeExportTasks")] >= 3


def test_table_shows_compact_refs_that_round_trip(run: Run) -> None:
    result = run("list", "-s", "pinpoint")
    assert result.exit_code == 0
    assert "SERVICE" in result.stdout and "pinpoint:" in result.stdout
    first = records(run("list", "-s", "pinpoint", "--json").stdout)[0]
    short = "pinpoint:" + str(first["ref"]).split(":", 2)[2]
    status = run("status", short, "--json")
    assert json.loads(status.stdout)["ref"] == first["ref"]


def test_other_region_refs_are_region_qualified(run: Run) -> None:
    result = run("list", "-s", "pinpoint", region="eu-west-1")
    assert result.exit_code == 0
    # The region came from --region, not from the profile: the table keeps it...
    assert "pinpoint:eu-west-1:" in result.stdout
    # ...and a job of eu-west-1 is found from a us-east-1 default by its stored ref.
    ref = records(run("list", "-s", "pinpoint", "--json", region="eu-west-1").stdout)[0]["ref"]
    assert str(ref).startswith("pinpoint:eu-west-1:")
    found = run("status", str(ref), "--json", region="us-east-1")
    assert json.loads(found.stdout)["region"] == "eu-west-1"


def test_empty_table_says_so_on_stderr(run: Run) -> None:
    # Discovery's jobs all have a creation time: none is since then.
    result = run("list", "-s", "discovery", "--since", "2099-01-01")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No export jobs found" in result.stderr
    # Machine formats stay quiet: an empty document or no records, nothing on stderr.
    for fmt, empty in (("wide", ""), ("json", "[]\n"), ("ndjson", ""), ("csv", None), ("text", "")):
        quiet = run("list", "-s", "discovery", "--since", "2099-01-01", "-o", fmt)
        assert quiet.exit_code == 0, fmt
        if fmt == "wide":
            assert "No export jobs found" in quiet.stderr
        else:
            assert quiet.stderr == "", fmt
            assert empty is None or quiet.stdout == empty, fmt


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_pinpoint_records_name_their_application(run: Run, fmt: str) -> None:
    result = run("list", "-s", "pinpoint", "-o", fmt)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    jobs = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    names = {j["details"]["application_id"]: j["details"]["application_name"] for j in jobs}
    assert names["ae7689447ab57a683536c4499d863386"] == "exportctl-demo"
    assert len(set(names.values())) == len(names) > 1


def test_a_service_answering_in_its_home_region_only_is_no_notice_when_that_region_is_listed() -> (
    None
):
    from click.testing import CliRunner

    from exportctl.cli.root import cli

    # Discovery answers the sandbox's account in us-east-1 alone.
    with_home = CliRunner().invoke(cli, ["--sandbox", "--region", "us-east-1,eu-west-1", "list"])
    assert with_home.exit_code == 0, with_home.output
    assert "Migration Hub" not in with_home.stderr
    assert "targets could not be read" not in with_home.stderr
    without = CliRunner().invoke(cli, ["--sandbox", "--region", "eu-west-1,us-west-2", "list"])
    assert without.exit_code == 0, without.output
    assert "regions eu-west-1, us-west-2: AWS Application Discovery: no Migration Hub" in (
        without.stderr
    )
