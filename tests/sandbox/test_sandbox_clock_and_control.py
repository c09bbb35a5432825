"""The scenario clock and the control API, from Python and over the /_sandbox/ endpoints."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Faults, Sandbox, SandboxClock

Validate = Callable[..., None]


def _by_name(client: Any) -> dict[str, str]:
    jobs = client.list_dataset_export_jobs()["datasetExportJobs"]
    return {j["jobName"]: j["status"] for j in jobs}


def test_personalize_job_progresses_with_the_clock(sandbox: Sandbox, client: ClientFactory) -> None:
    pz = client("personalize")
    assert _by_name(pz)["items-refresh"] == "CREATE PENDING"
    sandbox.advance(20)
    assert _by_name(pz)["items-refresh"] == "CREATE IN_PROGRESS"
    assert _by_name(pz)["interactions-incremental"] == "CREATE IN_PROGRESS"
    sandbox.advance(40)
    states = _by_name(pz)
    assert states["items-refresh"] == "ACTIVE"
    assert states["interactions-incremental"] == "ACTIVE"


def test_pinpoint_pieces_advance_to_completed(sandbox: Sandbox, client: ClientFactory) -> None:
    pp = client("pinpoint")
    app = pp.get_apps()["ApplicationsResponse"]["Item"][0]["Id"]
    items = pp.get_export_jobs(ApplicationId=app)["ExportJobsResponse"]["Item"]
    processing = next(j for j in items if j["JobStatus"] == "PROCESSING")

    def look() -> dict[str, Any]:
        job = pp.get_export_job(ApplicationId=app, JobId=processing["Id"])
        result: dict[str, Any] = job["ExportJobResponse"]
        return result

    seen = [(processing["JobStatus"], processing["CompletedPieces"])]
    for _ in range(4):
        sandbox.advance(10)
        job = look()
        seen.append((job["JobStatus"], job["CompletedPieces"]))
    assert seen == [
        ("PROCESSING", 3),
        ("PROCESSING", 6),
        ("PROCESSING", 9),
        ("COMPLETING", 12),
        ("COMPLETED", 12),
    ]
    assert look()["CompletionDate"].endswith("Z")


def test_backup_search_completes_and_fails(sandbox: Sandbox, client: ClientFactory) -> None:
    bs = client("backupsearch")

    def statuses() -> dict[str, str]:
        jobs = bs.list_search_result_export_jobs()["ExportJobs"]
        return {j["ExportJobIdentifier"]: j["Status"] for j in jobs}

    before = statuses()
    sandbox.advance(60)
    after = statuses()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert sorted(changed.values()) == [("RUNNING", "COMPLETED"), ("RUNNING", "FAILED")]
    failed = next(k for k, v in changed.items() if v[1] == "FAILED")
    job = bs.get_search_result_export_job(ExportJobIdentifier=failed)
    assert "KMS key" in job["StatusMessage"] and job["CompletionTime"]
    search = bs.list_search_result_export_jobs()["ExportJobs"][0]["SearchJobArn"]
    assert bs.get_search_job(SearchJobIdentifier=search.rsplit("/", 1)[1])["Status"] == "COMPLETED"


def test_discovery_export_succeeds_and_downloads(sandbox: Sandbox, client: ClientFactory) -> None:
    ds = client("discovery")
    running = [
        t for t in ds.describe_export_tasks()["exportsInfo"] if t["exportStatus"] == "IN_PROGRESS"
    ]
    sandbox.advance(25)
    now = ds.describe_export_tasks(exportIds=[t["exportId"] for t in running])["exportsInfo"]
    done = [t for t in now if t["exportStatus"] == "SUCCEEDED"]
    assert len(done) == 1
    url = done[0]["configurationsDownloadUrl"]
    assert url.startswith(sandbox.url + "/_sandbox/downloads/")
    with urllib.request.urlopen(url, timeout=5) as response:
        first = response.read()
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == first
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "Servers.csv" in names
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(sandbox.url + "/_sandbox/downloads/export-nope.zip", timeout=5)
    assert info.value.code == 404


def test_output_locations_follow_the_clock(sandbox: Sandbox) -> None:
    before = sandbox.output_locations()
    assert {o.service for o in before} >= {"backupsearch", "pinpoint", "personalize", "discovery"}
    assert {o.region for o in before} == {"us-east-1", "eu-west-1"}
    for location in before:
        assert location.uri.startswith(("s3://exportctl-sandbox-", sandbox.url))
    sandbox.advance(3600)
    assert len(sandbox.output_locations()) > len(before)


def test_unknown_status_reaches_the_client(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    pp = client("pinpoint")
    app = pp.get_apps()["ApplicationsResponse"]["Item"][0]["Id"]
    job = pp.get_export_jobs(ApplicationId=app)["ExportJobsResponse"]["Item"][0]
    sandbox.set_status("pinpoint", job["Id"], "ARCHIVED")
    response = pp.get_export_job(ApplicationId=app, JobId=job["Id"])
    assert response["ExportJobResponse"]["JobStatus"] == "ARCHIVED"
    validate(pp, "GetExportJob", response, frozenset({"ARCHIVED"}))
    with pytest.raises(AssertionError):
        validate(pp, "GetExportJob", response)
    sandbox.advance(3600)
    assert pp.get_export_job(ApplicationId=app, JobId=job["Id"])["ExportJobResponse"][
        "JobStatus"
    ] == ("ARCHIVED")


def test_deleted_job_disappears(sandbox: Sandbox, client: ClientFactory) -> None:
    pz = client("personalize")
    arn = pz.list_dataset_export_jobs()["datasetExportJobs"][0]["datasetExportJobArn"]
    sandbox.delete_job("personalize", arn)
    assert arn not in {
        j["datasetExportJobArn"] for j in pz.list_dataset_export_jobs()["datasetExportJobs"]
    }
    with pytest.raises(ClientError) as info:
        pz.describe_dataset_export_job(datasetExportJobArn=arn)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_control_api_rejects_unknown_jobs(sandbox: Sandbox) -> None:
    with pytest.raises(LookupError):
        sandbox.set_status("pinpoint", "0" * 32, "FAILED")
    with pytest.raises(LookupError):
        sandbox.delete_job("lambda", "x")


def test_call_counts(sandbox: Sandbox, client: ClientFactory) -> None:
    ds = client("discovery")
    ds.describe_export_tasks()
    ds.describe_export_tasks()
    assert sandbox.calls[("discovery", "DescribeExportTasks")] == 2
    sandbox.reset_calls()
    assert not sandbox.calls


def test_default_clock_is_real_time() -> None:
    ticks = iter([100.0, 100.0, 107.5])
    clock = SandboxClock(lambda: next(ticks))
    assert clock.elapsed() == 0.0
    assert clock.elapsed() == 7.5
    with Sandbox() as sb:
        assert sb.clock.elapsed() >= 0.0
        assert abs(sb.clock.now_epoch() - sb.clock.start_wall) < 60


def _admin(sb: Sandbox, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(sb.url + "/_sandbox" + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["x-amzn-RequestId"]
        return json.loads(response.read())


def test_garble_after_counts_over_http_from_when_the_garble_was_set(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    ds = client("discovery")

    def intact() -> bool:
        return "exportsInfo" in ds.describe_export_tasks()

    assert all(intact() for _ in range(3))
    garble = {"garble": {"discovery": "drop:exportsInfo"}, "garble_after": 1}
    _admin(sandbox, "POST", "/faults", garble)
    assert [intact(), intact()] == [True, False]
    _admin(sandbox, "POST", "/calls/reset")
    assert [intact(), intact()] == [True, False]
    _admin(sandbox, "POST", "/faults", {"garble_after": 1})
    assert [intact(), intact()] == [True, False]


def test_admin_endpoints(sandbox: Sandbox, client: ClientFactory) -> None:
    state = _admin(sandbox, "GET", "/state")
    assert state["url"] == sandbox.url and state["region"] == "us-east-1"
    assert _admin(sandbox, "POST", "/clock/advance", {"seconds": 20})["elapsed"] == 20
    assert _admin(sandbox, "GET", "/clock")["elapsed"] == 20
    for wrong in ("NaN", "Infinity", -1, 1e308, True, [1]):
        with pytest.raises(urllib.error.HTTPError) as refused:
            _admin(sandbox, "POST", "/clock/advance", {"seconds": wrong})
        assert refused.value.code == 400
    assert _admin(sandbox, "GET", "/clock")["elapsed"] == 20

    faults = _admin(sandbox, "POST", "/faults", {"throttle_rate": 1.0})
    assert faults["throttle_rate"] == 1.0 and sandbox.faults.throttle_rate == 1.0
    pz = client("personalize")
    with pytest.raises(ClientError):
        pz.list_dataset_export_jobs()
    _admin(sandbox, "POST", "/faults", {"throttle_rate": 0, "deny": ["discovery"]})
    assert sandbox.faults.denies("discovery")
    _admin(sandbox, "POST", "/faults", {"deny": []})

    calls = _admin(sandbox, "GET", "/calls")
    assert calls["total"] == 1
    assert calls["calls"] == [
        {"service": "personalize", "operation": "ListDatasetExportJobs", "count": 1}
    ]
    assert _admin(sandbox, "POST", "/calls/reset", {})["total"] == 0

    jobs = _admin(sandbox, "GET", "/jobs?service=personalize&region=us-east-1")["jobs"]
    # "*": every one of them.
    every = _admin(sandbox, "GET", "/jobs?service=*&region=*&account=*")["jobs"]
    assert {j["service"] for j in every} > {"personalize"} and len(every) > len(jobs)
    target = next(j for j in jobs if j["id"].endswith("/items-refresh"))
    assert target["status"] == "CREATE IN_PROGRESS"
    _admin(
        sandbox,
        "POST",
        "/jobs/status",
        {"service": "personalize", "job_id": target["id"], "status": "CREATE STOPPED"},
    )
    assert _by_name(pz)["items-refresh"] == "CREATE STOPPED"
    _admin(sandbox, "POST", "/jobs/delete", {"service": "personalize", "job_id": target["id"]})
    assert "items-refresh" not in _by_name(pz)

    outputs = _admin(sandbox, "GET", "/outputs")["outputs"]
    assert outputs and set(outputs[0]) == {"service", "region", "job_id", "uri"}


def test_the_clock_is_not_moved_past_the_year_9000_a_century_at_a_time(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    # Each advance was checked alone: 80 centuries on, every answer failed to be made.
    century = 100 * 366 * 86400
    refused = None
    for _ in range(80):
        try:
            _admin(sandbox, "POST", "/clock/advance", {"seconds": century})
        except urllib.error.HTTPError as error:
            refused = error
            break
    assert refused is not None and refused.code == 400
    assert "no further than the year 9000" in json.loads(refused.read())["message"]
    with pytest.raises(ValueError):
        sandbox.advance(century)
    # Still a sandbox every client reads.
    assert _admin(sandbox, "GET", "/clock")["now"] < 221845392000
    assert client("personalize").list_dataset_export_jobs()["datasetExportJobs"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/nope", None, 404),
        ("POST", "/faults", {"throttle_rate": 3}, 400),
        ("POST", "/faults", {"colour": "red"}, 400),
        ("POST", "/jobs/status", {"service": "pinpoint"}, 400),
        ("POST", "/jobs/delete", {"service": "pinpoint", "job_id": "missing"}, 404),
    ],
)
def test_admin_errors(
    sandbox: Sandbox, method: str, path: str, body: dict[str, Any] | None, status: int
) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        _admin(sandbox, method, path, body)
    assert info.value.code == status
    assert "message" in json.loads(info.value.read())


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"deny": ["pinpointt"]}, "deny: unknown service 'pinpointt'"),
        ({"deny": "nosuch"}, "deny: unknown service 'nosuch'"),
        ({"garble": {"nosuch": "html"}}, "garble: unknown service 'nosuch'"),
        ({"throttle_rate": 0.5, "deny": ["*", "s3"]}, "deny: unknown service 's3'"),
    ],
)
def test_a_fault_naming_no_service_is_refused_and_changes_nothing(
    sandbox: Sandbox, body: dict[str, Any], named: str
) -> None:
    """A misspelt name would inject no fault and say nothing: refused as
    /jobs/status refuses one, every setting of the request left as it was."""
    before = _admin(sandbox, "GET", "/faults")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", body)
    assert refused.value.code == 400
    message = json.loads(refused.value.read())["message"]
    assert message.startswith(named) and "'pinpoint'" in message and "'sts'" in message, message
    assert _admin(sandbox, "GET", "/faults") == before


@pytest.mark.parametrize(
    "body",
    [
        {"deny": ["logz"]},
        {"garble": {"nosuch": "html"}},
        {"throttle_rate": 0.5, "fates": {"DescribeExportTask": ["throttle"]}},
    ],
)
def test_a_misspelt_fault_is_refused_from_python_as_over_http(
    sandbox: Sandbox, body: dict[str, Any]
) -> None:
    """``sandbox.faults.update`` (the pytest plugin's handle) says what the admin
    endpoint says, and changes nothing either."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", body)
    said = json.loads(refused.value.read())["message"]
    before = sandbox.faults.to_dict()
    with pytest.raises(ValueError) as raised:
        sandbox.faults.update(body)
    assert str(raised.value) == said
    assert sandbox.faults.to_dict() == before


@pytest.mark.parametrize(
    "body",
    [
        {"latency": 7, "deny": ["pinpoint"], "throttle_rate": 2},
        {"deny": ["pinpoint"], "garble": {"*": "html"}, "page_size": 0},
        {"fates": {"CreateExportTask": ["drop"]}, "listing_lag": -1},
    ],
)
def test_a_refused_update_changes_no_setting_over_http_nor_from_python(
    sandbox: Sandbox, body: dict[str, Any]
) -> None:
    # Each setting was set as it was read: those before the refused one stayed set.
    before = _admin(sandbox, "GET", "/faults")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", body)
    assert refused.value.code == 400
    assert _admin(sandbox, "GET", "/faults") == before
    with pytest.raises(ValueError):
        sandbox.faults.update(body)
    assert sandbox.faults.to_dict() == before


def _strict(text: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} is no JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "body",
    [
        {"latency": float("inf")},
        {"latency": float("nan")},
        {"latency": "Infinity"},
        {"latency": 1e300},
        {"latency": -1},
        {"listing_lag": -5},
        {"listing_lag": float("inf")},
        {"garble_after": -1},
        {"garble_after": float("inf")},
        {"page_size": float("inf")},
        {"session_seconds": float("nan")},
        {"throttle_rate": float("nan")},
    ],
)
def test_a_number_no_call_could_take_is_refused_not_kept(
    sandbox: Sandbox, body: dict[str, Any]
) -> None:
    """An infinite latency made every call a 500 (time.sleep overflows) and /faults
    unreadable JSON ("latency": Infinity); a negative one was taken as 0."""
    before = _admin(sandbox, "GET", "/faults")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", body)
    assert refused.value.code == 400
    assert next(iter(body)) in _strict(refused.value.read())["message"]
    request = urllib.request.Request(sandbox.url + "/_sandbox/faults")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert _strict(response.read()) == before
    with pytest.raises(ValueError):
        sandbox.faults.update(body)
    assert sandbox.faults.to_dict() == before


def test_every_service_the_sandbox_answers_may_be_faulted_by_name(sandbox: Sandbox) -> None:
    names = ["*", "backupsearch", "discovery", "dynamodb", "ec2", "logs", "organizations",
             "personalize", "pinpoint", "rds", "sts"]  # fmt: skip
    faults = _admin(
        sandbox, "POST", "/faults", {"deny": names, "garble": dict.fromkeys(names, "html")}
    )
    assert faults["deny"] == names and sorted(faults["garble"]) == names


def test_a_sandbox_given_faults_naming_no_service_does_not_start() -> None:
    with pytest.raises(ValueError, match="garble: unknown service 'pinpointt'"):
        Sandbox(port=0, faults=Faults(garble={"pinpointt": "html"}), clock=lambda: 0.0)


@pytest.mark.parametrize("status", ["abc", "99", "200", "600", "4OO", "", "٤٠٠"])
def test_a_raised_fate_whose_status_is_no_error_status_is_refused(
    sandbox: Sandbox, status: str
) -> None:
    # Taken, its calls answered a 500, a broken connection, or an error body with 200.
    fates = {"CreateExportJob": [f"raise:Boom:{status}:m"]}
    before = _admin(sandbox, "GET", "/faults")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", {"fates": fates})
    assert refused.value.code == 400
    message = json.loads(refused.value.read())["message"]
    assert "HTTP error status, 400 to 599" in message and repr(status) in message
    assert _admin(sandbox, "GET", "/faults") == before
    taken = {"CreateExportJob": ["raise:Boom:400:m", "raise:Boom:599:m:with:colons"]}
    assert _admin(sandbox, "POST", "/faults", {"fates": taken})["fates"] == taken


@pytest.mark.parametrize(
    "fates",
    [
        {"pinpointt:CreateExportJob": ["throttle"]},
        {"CreateExportJobb": ["ok"]},
        {"ec2:CreateExportJob": ["throttle"]},  # Pinpoint's operation, not EC2's
        {"CancelExportTask": ["ok"], "rds:CancelExportTasks": ["error"]},
    ],
)
def test_a_fate_naming_no_operation_the_sandbox_answers_is_refused(
    sandbox: Sandbox, fates: dict[str, list[str]]
) -> None:
    before = _admin(sandbox, "GET", "/faults")
    with pytest.raises(urllib.error.HTTPError) as refused:
        _admin(sandbox, "POST", "/faults", {"fates": fates})
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["message"].startswith("fates: unknown operation")
    assert _admin(sandbox, "GET", "/faults") == before


def test_fates_of_an_operation_and_of_one_services_operation_are_taken(
    sandbox: Sandbox,
) -> None:
    fates = {"CancelExportTask": ["ok"], "ec2:CancelExportTask": ["throttle"]}
    assert _admin(sandbox, "POST", "/faults", {"fates": fates})["fates"] == fates
    with pytest.raises(ValueError, match="fates: unknown operation 'Nope'"):
        Sandbox(port=0, faults=Faults(fates={"Nope": ["ok"]}), clock=lambda: 0.0)
