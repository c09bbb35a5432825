"""A broken answer is an error, never an empty or partial answer.

The command against a sandbox whose answers are spoilt the way a captive portal, a
proxy or a broken endpoint spoils them. The installed command runs a garbled listing
end to end (exit 5 as the OS sees it) and the listings cut short by a broken page
(a page already written to the pipe when the process leaves); every other variant
(each garbled mode, status, wait, throttling, STS) runs in-process, as its point is
the answer, not the process.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from e2e_support import exportctl, in_process

from exportctl.sandbox import Sandbox
from exportctl.services import service_names

pytestmark = pytest.mark.e2e

PERSONALIZE_JOB = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-nightly"
BROKEN = ["html", "empty", "truncated", "shape", "gzip", "drop:jobName", "drop:status"]


def _one_error(stderr: str, title: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"exportctl: error: {title}: ") and "Traceback" not in stderr


def test_a_broken_service_named_is_exit_5(sandbox: Sandbox) -> None:
    for mode in BROKEN:
        sandbox.faults.garble = {"personalize": mode}
        done = in_process(sandbox, "list", "-s", "personalize", "--json")
        assert done.returncode == 5, (mode, done.stderr)
        assert json.loads(done.stdout) == []
        _one_error(done.stderr, "Amazon Personalize")
        # The advice names where the endpoint was set: the sandbox's environment.
        assert done.stderr.endswith("; check the network and AWS_ENDPOINT_URL\n"), done.stderr
    # One of them through the console script: the exit status the OS reports.
    table = exportctl(sandbox, "list", "-s", "personalize")
    assert table.returncode == 5 and "No export jobs found" not in table.stdout + table.stderr


@pytest.mark.parametrize("mode", ["html", "shape"])
def test_a_broken_service_among_all_fails_and_the_others_are_printed(
    sandbox: Sandbox, mode: str
) -> None:
    sandbox.faults.garble = {"personalize": mode}
    done = in_process(sandbox, "list", "--json")
    assert done.returncode == 5, done.stderr
    services = {r["service"] for r in json.loads(done.stdout)}
    assert services == set(service_names()) - {"personalize"}
    _one_error(done.stderr, "Amazon Personalize")


def test_an_endpoint_that_drops_every_call_names_the_options(sandbox: Sandbox) -> None:
    sandbox.faults.drop_rate = 1.0
    try:
        # The endpoint by the option; by AWS_ENDPOINT_URL alone, the variable is named.
        given = in_process(
            sandbox, "--endpoint-url", sandbox.url, "list", "-s", "discovery", AWS_MAX_ATTEMPTS="1"
        )
        done = in_process(sandbox, "list", "-s", "discovery", AWS_MAX_ATTEMPTS="1")
    finally:
        sandbox.faults.drop_rate = 0.0
    assert (given.returncode, done.returncode) == (5, 5)
    said = f"exportctl: error: AWS Application Discovery: could not reach {sandbox.url}/: "
    assert given.stderr == f"{said}check the network, --region and --endpoint-url\n"
    assert done.stderr == f"{said}check the network, --region and AWS_ENDPOINT_URL\n"


def test_status_of_a_broken_answer_is_an_error_not_unknown(sandbox: Sandbox) -> None:
    records = json.loads(in_process(sandbox, "list", "--json").stdout)
    refs = [
        next(r["ref"] for r in records if r["service"] == s) for s in ("backupsearch", "pinpoint")
    ]
    refs += [PERSONALIZE_JOB, "discovery:export-5404bf7b-ac80-4081-a98a-878e2f264d9b"]
    for mode in ("html", "empty", "truncated"):
        sandbox.faults.garble = {"*": mode}
        done = in_process(sandbox, "status", *refs, "--json")
        # Not "not found" (3): the service never said so.
        assert done.returncode == 5, (mode, done.stdout, done.stderr)
        assert json.loads(done.stdout) == []
        assert len(done.stderr.splitlines()) == 4
        assert ":None" not in done.stdout + done.stderr
    one = in_process(sandbox, "status", refs[0], "--json")
    assert one.returncode == 5 and json.loads(one.stdout) is None


def test_wait_stops_on_a_broken_answer(sandbox: Sandbox) -> None:
    sandbox.faults.garble = {"personalize": "html"}
    done = in_process(sandbox, "wait", PERSONALIZE_JOB, "--timeout", "60s", "--interval", "1s")
    assert done.returncode == 5, done.stderr
    assert "Amazon Personalize" in done.stderr and "text/html" in done.stderr


@pytest.mark.parametrize("fmt", ["ndjson", "table"])
def test_a_listing_cut_short_by_a_broken_page_is_marked_incomplete(
    sandbox: Sandbox, fmt: str
) -> None:
    sandbox.faults.page_size = 2
    sandbox.faults.garble_after = 1
    sandbox.faults.garble = {"personalize": "html"}
    done = exportctl(sandbox, "list", "-s", "personalize", "-o", fmt)
    assert done.returncode == 5, done.stderr
    # The first page was printed ...
    assert done.stdout.count("personalize ") + done.stdout.count('"personalize"') == 2
    # ... and the last word on stderr says it is not the whole listing.
    last = done.stderr.splitlines()[-1]
    assert last.startswith("exportctl: error: this listing is incomplete")
    assert "Amazon Personalize failed after 2 jobs" in last


def test_throttling_that_outlasts_the_retries_says_what_was_tried(sandbox: Sandbox) -> None:
    sandbox.faults.throttle_rate = 1.0
    done = in_process(sandbox, "list", "-s", "discovery", AWS_MAX_ATTEMPTS="2")
    assert done.returncode == 5
    line = done.stderr.strip()
    assert "\n" not in line
    assert "DescribeExportTasks failed 2 times over" in line
    assert "throttled" in line and "AWS_MAX_ATTEMPTS" in line


def _everywhere(
    sandbox: Sandbox, *args: str, regions: str = "all"
) -> subprocess.CompletedProcess[str]:
    """``--region all`` (or ``regions``) against the sandbox as an endpoint given on the
    command line."""
    return in_process(
        None, "--endpoint-url", sandbox.url, "--region", regions, *args,
        AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIASANDBOXEXAMPLE01",
        AWS_SECRET_ACCESS_KEY="sandbox",
    )  # fmt: skip


@pytest.mark.parametrize("mode", ["html", "truncated", "gzip", "shape", "drop:Account"])
def test_an_sts_answering_garbage_leaves_the_account_unknown_not_the_jobs(
    sandbox: Sandbox, mode: str
) -> None:
    # An endpoint that serves the export APIs but not STS (a proxy, an emulator). The
    # issue's own case is every region; two regions need the account as much.
    sandbox.faults.garble = {"sts": mode}
    two = "us-east-1,eu-west-1"
    done = _everywhere(sandbox, "list", "--json", regions="all" if mode == "html" else two)
    # The table once: what it shows does not depend on how STS's answer is broken.
    table = _everywhere(sandbox, "list", regions=two) if mode == "html" else done
    for run in (table, done):
        assert run.returncode == 0, (mode, run.stderr)
        unknown = [line for line in run.stderr.splitlines() if "could not be learned" in line]
        assert len(unknown) == 1, run.stderr
        assert unknown[0].startswith("exportctl: notice: the account could not be learned")
        assert "AWS STS: " in unknown[0] and "Traceback" not in run.stderr
    records = json.loads(done.stdout)
    assert {r["service"] for r in records} == set(service_names())
    # The ARN still says whose a job is; jobs without one have no account to show.
    assert {r["account"] for r in records if r["arn"]} == {"123456789012"}
    assert [r for r in records if not r["arn"]]
    assert all(r["account"] is None for r in records if not r["arn"])
    if table is not done:
        assert "pinpoint " in table.stdout and "discovery " in table.stdout


def test_a_garbage_answer_from_an_export_api_is_its_error_in_a_fan_out(sandbox: Sandbox) -> None:
    sandbox.faults.garble = {"personalize": "gzip"}
    done = _everywhere(sandbox, "list", "--json", regions="us-east-1,eu-west-1")
    assert done.returncode == 5, done.stderr
    assert "personalize" not in {r["service"] for r in json.loads(done.stdout)}
    errors = [line for line in done.stderr.splitlines() if line.startswith("exportctl: error:")]
    assert len(errors) == 1 and "Amazon Personalize: an answer that cannot be read" in errors[0]
    assert "Traceback" not in done.stderr
