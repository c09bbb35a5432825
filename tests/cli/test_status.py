"""`exportctl status` end to end against the sandbox."""

from __future__ import annotations

import json

from cli_support import Run, export_jobs

from exportctl.sandbox import Sandbox


def _first(sandbox: Sandbox, service: str, status: str | None = None) -> dict[str, str]:
    return next(
        j
        for j in export_jobs(sandbox)
        if j["service"] == service and (status is None or j["status"] == status)
    )


def test_personalize_arn(run: Run, sandbox: Sandbox) -> None:
    job = _first(sandbox, "personalize", "ACTIVE")
    result = run("status", job["id"], "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["arn"] == job["id"] and record["state"] == "COMPLETED"
    assert record["destination"].startswith("s3://")
    assert record["details"]["dataset_arn"] == job["parent"]
    assert record["completed"] is not None  # from lastUpdatedDateTime once terminal


def test_backupsearch_arn_of_another_region_just_works(run: Run, sandbox: Sandbox) -> None:
    job = next(j for j in export_jobs(sandbox, "eu-west-1") if j["service"] == "backupsearch")
    arn = f"arn:aws:backup-search:eu-west-1:123456789012:search-export-job/{job['id']}"
    result = run("status", arn, "--json", region="us-east-1")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["region"] == "eu-west-1" and record["id"] == job["id"]
    assert "export_specification" in record["details"] or record["state"] != "COMPLETED"


def test_compact_refs_and_bare_ids(run: Run, sandbox: Sandbox) -> None:
    pin = _first(sandbox, "pinpoint", "PROCESSING")
    disc = _first(sandbox, "discovery", "SUCCEEDED")
    for args in (
        [f"pinpoint:{pin['parent']}/{pin['id']}"],
        [f"pinpoint:us-east-1:{pin['parent']}/{pin['id']}"],
        [f"{pin['parent']}/{pin['id']}", "--service", "pinpoint"],
    ):
        record = json.loads(run("status", *args, "--json").stdout)
        assert (record["id"], record["state"]) == (pin["id"], "RUNNING")
        assert record["progress"]["total_pieces"] > 0
    for args in ([f"discovery:{disc['id']}"], [disc["id"], "-s", "discovery"]):
        record = json.loads(run("status", *args, "--json").stdout)
        assert (record["id"], record["state"]) == (disc["id"], "COMPLETED")


def test_personalize_bare_name_is_looked_up(run: Run, sandbox: Sandbox) -> None:
    job = _first(sandbox, "personalize", "CREATE FAILED")
    name = job["id"].rsplit("/", 1)[1]
    record = json.loads(run("status", name, "--service", "personalize", "--json").stdout)
    assert record["arn"] == job["id"]
    assert record["state"] == "FAILED" and record["message"]


def test_several_refs_print_an_array_in_order(run: Run, sandbox: Sandbox) -> None:
    refs = [
        _first(sandbox, "personalize")["id"],
        "discovery:" + _first(sandbox, "discovery")["id"],
        "discovery:" + _first(sandbox, "discovery", "FAILED")["id"],
    ]
    sandbox.reset_calls()
    result = run("status", *refs, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["service"] for d in data] == ["personalize", "discovery", "discovery"]
    # Both Discovery jobs came from one DescribeExportTasks call.
    assert sandbox.calls[("discovery", "DescribeExportTasks")] == 1


def test_a_job_named_twice_is_read_and_shown_once(run: Run, sandbox: Sandbox) -> None:
    pin = _first(sandbox, "pinpoint", "PROCESSING")
    disc = "discovery:" + _first(sandbox, "discovery")["id"]
    short = f"pinpoint:{pin['parent']}/{pin['id']}"
    # The same job with and without its region (the default one) is the same job too.
    refs = [short, disc, f"pinpoint:us-east-1:{pin['parent']}/{pin['id']}", short]
    result = run("status", *refs, "--json")
    assert result.exit_code == 0, result.stderr
    assert [(d["service"], d["id"]) for d in json.loads(result.stdout)] == [
        ("pinpoint", pin["id"]),
        ("discovery", disc.split(":", 1)[1]),
    ]
    assert sandbox.calls[("pinpoint", "GetExportJob")] == 1
    lines = run("status", short, short, "-o", "ndjson").stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == pin["id"]
    rows = run("status", short, short, "-o", "wide", "--no-headers").stdout.splitlines()
    assert len(rows) == 1 and pin["id"] in rows[0]
    # Named once, a job is still one object; named twice, an array of one.
    assert len(json.loads(run("status", short, short, "--json").stdout)) == 1


def test_a_missing_job_named_twice_is_said_once(run: Run, sandbox: Sandbox) -> None:
    missing = "discovery:export-00000000-0000-4000-a000-000000000000"
    result = run("status", missing, missing, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == []
    assert len(result.stderr.splitlines()) == 1 and missing.split(":")[1] in result.stderr
    assert sandbox.calls[("discovery", "DescribeExportTasks")] == 1


def test_an_id_in_another_case_is_no_job_alone_or_beside_the_job_it_spells(
    run: Run, sandbox: Sandbox
) -> None:
    # The services read in batches know an id in its own case only (Discovery finds
    # no such job, EC2 calls it malformed): one asked beside its lower-case spelling
    # is not that job, as it is not alone.
    for service, refused in (("discovery", 3), ("ec2", 2)):
        known = f"{service}:{_first(sandbox, service)['id']}"
        upper = f"{service}:{known.split(':', 1)[1].upper()}"
        alone = run("status", upper, "--json")
        assert alone.exit_code == refused and json.loads(alone.stdout) is None
        both = run("status", known, upper, "--json")
        assert both.exit_code == refused, both.stdout
        assert [d["id"] for d in json.loads(both.stdout)] == [known.split(":", 1)[1]]
        assert both.stderr == alone.stderr


def test_ec2_jobs_of_each_kind_are_read_in_one_call(run: Run, sandbox: Sandbox) -> None:
    tasks = [j for j in export_jobs(sandbox) if j["service"] == "ec2"]
    images = [f"ec2:{j['id']}" for j in tasks if j["kind"] == "export-image-task"][:3]
    instances = [f"ec2:{j['id']}" for j in tasks if j["kind"] == "export-instance-task"][:2]
    refs = [images[0], instances[0], images[1], instances[1], images[2]]
    alone = [json.loads(run("status", ref, "--json").stdout) for ref in refs]
    sandbox.reset_calls()
    result = run("status", *refs, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == alone
    assert sandbox.calls == {
        ("ec2", "DescribeExportImageTasks"): 1,
        ("ec2", "DescribeExportTasks"): 1,
    }
    # One id EC2 does not know fails its call: the others are read one call each,
    # and everything is said as when each job is read alone.
    unknown = "ec2:export-ami-0123456789abcdef0"
    missing = run("status", unknown, "-o", "wide")
    panels = run("status", images[0], images[1], "-o", "wide").stdout.splitlines()
    sandbox.reset_calls()
    result = run("status", images[0], unknown, images[1], "-o", "wide")
    assert (result.exit_code, missing.exit_code) == (3, 3)
    assert result.stderr == missing.stderr
    assert result.stdout.splitlines() == panels
    assert sandbox.calls[("ec2", "DescribeExportImageTasks")] == 1 + 3


def test_panel_shows_every_field_that_has_a_value(run: Run, sandbox: Sandbox) -> None:
    pin = _first(sandbox, "pinpoint", "FAILED")
    result = run("status", f"pinpoint:{pin['parent']}/{pin['id']}")
    assert result.exit_code == 0
    for label in ("service", "ref", "state", "FAILED", "created", "destination", "message",
                  "failed pieces", "role arn"):  # fmt: skip
        assert label in result.stdout


def test_discovery_download_url_is_not_shown_in_full(run: Run, sandbox: Sandbox) -> None:
    disc = _first(sandbox, "discovery", "SUCCEEDED")
    record = json.loads(run("status", f"discovery:{disc['id']}", "--json").stdout)
    table = run("status", f"discovery:{disc['id']}").stdout
    assert "?" in record["destination"]
    assert record["destination"] not in table
    assert record["destination"].split("?")[0] in table


def test_not_found_is_exit_3(run: Run) -> None:
    missing = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/nope"
    result = run("status", missing, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) is None
    assert result.stderr.count("\n") == 1 and "nope" in result.stderr
    several = run("status", missing, "discovery:export-missing", "--json")
    assert several.exit_code == 3 and json.loads(several.stdout) == []


def test_one_found_one_missing(run: Run, sandbox: Sandbox) -> None:
    good = _first(sandbox, "personalize")["id"]
    result = run("status", good, "backupsearch:does-not-exist", "--json")
    assert result.exit_code == 3
    assert [d["arn"] for d in json.loads(result.stdout)] == [good]
