"""What `start` refuses before anything is sent, and a dry run refuses alike: a
destination that is no S3 URI, --no-headers where no header is printed, a job
that would go to a region nobody singled out or mistyped, long values cut."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from e2e_support import in_process

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::123456789012:role/exportctl-export"
SEARCH = "3e130f7e-b197-4166-ab5e-803b61ba4168"
# Each service's start with its S3 URI option last: --to VALUE is added.
STARTS = {
    "backupsearch": ["start", "backupsearch", "--search-job", SEARCH],
    "pinpoint": ["start", "pinpoint", "--application-id", "ae7689447ab57a683536c4499d863386",
                 "--role-arn", ROLE],
    "personalize": ["start", "personalize", "--role-arn", ROLE, "--dataset-arn",
                    "arn:aws:personalize:us-east-1:123456789012:dataset/exportctl-retail/USERS"],
    "dynamodb": ["start", "dynamodb", "--table",
                 "arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
    "ec2": ["start", "ec2", "--image-id", "ami-05b0afc72e48f9d3f"],
}  # fmt: skip


def creates(sandbox: Sandbox) -> int:
    return sum(
        n for (_, op), n in sandbox.calls.items() if op.startswith(("Start", "Create", "Export"))
    )


def refused(done: subprocess.CompletedProcess[str], *said: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and all(s in done.stderr for s in said), done.stderr


@pytest.mark.parametrize("service", list(STARTS))
@pytest.mark.parametrize("to", ["", "http://example.com/x", "/tmp/x", "s3:///p/", "bucket/p/"])
def test_a_destination_that_is_no_s3_uri_is_refused(
    sandbox: Sandbox, service: str, to: str
) -> None:
    for dry in ((), ("--dry-run",)):
        refused(in_process(sandbox, *STARTS[service], "--to", to, *dry), "takes s3://BUCKET/PREFIX")
    assert creates(sandbox) == 0
    done = in_process(sandbox, *STARTS[service], "--to", "s3://exportctl-exports/p/", "--dry-run")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("service", list(STARTS))
def test_an_upper_case_scheme_names_the_same_bucket(sandbox: Sandbox, service: str) -> None:
    # Taken by the check, so split alike by each service that splits the URI, and
    # sent as s3:// by those sent it whole (Personalize's model takes no other case).
    requests = []
    for to in ("s3://exportctl-exports/p/", "S3://exportctl-exports/p/"):
        done = in_process(sandbox, *STARTS[service], "--to", to, "--dry-run")
        assert done.returncode == 0, done.stderr
        request = json.loads(done.stdout)["request"]
        request.pop("ClientToken", None)
        request.pop("jobName", None)
        requests.append(request)
    assert requests[0] == requests[1] and "exportctl-exports" in json.dumps(requests[0])
    assert "S3://" not in json.dumps(requests[1])


@pytest.mark.parametrize("kind", ["pinpoint", "ec2-instance"])
def test_a_job_started_with_an_upper_case_scheme_is_the_one_a_lost_answer_looks_for(
    sandbox: Sandbox, kind: str
) -> None:
    # A start without a token finds its job after a lost create answer by the
    # options' values in the listed records (engine.matches): S3:// as typed never
    # equalled the s3:// listed, so the retry made a second job.
    from exportctl.ops.start.request import plan
    from exportctl.services import engine, spec_for

    if kind == "pinpoint":
        args = STARTS["pinpoint"]
    else:
        instance = next(
            j["id"] for j in sandbox.jobs("ec2", "us-east-1") if j["kind"] == "instance"
        )
        args = ["start", "ec2", "--instance-id", str(instance), "--target-environment", "vmware"]
    args = [*args, "--to", "S3://exportctl-exports/p/"]
    done = in_process(sandbox, *args, "--json")
    assert done.returncode == 0, done.stderr
    values = {k[2:].replace("-", "_"): v for k, v in zip(args[2::2], args[3::2], strict=True)}
    planned = plan(spec_for(args[1]), values, sandbox.region)
    assert planned.spec.create is not None and planned.spec.create.idempotency == "listing"
    assert engine.matches(planned.create, planned.values, json.loads(done.stdout))


@pytest.mark.parametrize("service", ["pinpoint", "personalize"])
def test_a_uri_sent_whole_is_sent_with_its_scheme_in_lower_case(
    sandbox: Sandbox, service: str
) -> None:
    done = in_process(sandbox, *STARTS[service], "--to", "S3://exportctl-exports/p/", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["destination"] == "s3://exportctl-exports/p/"


def test_a_rerun_of_a_job_made_with_an_upper_case_scheme_sends_it_in_lower_case(
    sandbox: Sandbox,
) -> None:
    import botocore.session

    pinpoint = botocore.session.get_session().create_client(
        "pinpoint", region_name="us-east-1", endpoint_url=sandbox.url,
        aws_access_key_id="AKIASANDBOXEXAMPLE01", aws_secret_access_key="x",
    )  # fmt: skip
    made = pinpoint.create_export_job(
        ApplicationId=STARTS["pinpoint"][3],
        ExportJobRequest={"S3UrlPrefix": "S3://exportctl-exports/p/", "RoleArn": ROLE},
    )["ExportJobResponse"]
    sandbox.set_status("pinpoint", made["Id"], "FAILED")
    ref = f"pinpoint:{made['ApplicationId']}/{made['Id']}"
    done = in_process(sandbox, "rerun", ref, "--dry-run")
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)["request"]["ExportJobRequest"]["S3UrlPrefix"]
    assert sent == "s3://exportctl-exports/p/"


def test_no_headers_where_none_is_printed_is_refused_before_anything_is_sent(
    sandbox: Sandbox,
) -> None:
    done = next(j for j in sandbox.jobs("discovery") if j["status"] == "SUCCEEDED")
    ref = f"discovery:{done['id']}"
    for args in (["start", "discovery"], ["rerun", ref], ["status", ref]):
        refused(in_process(sandbox, *args, "--no-headers"), "--no-headers is for tables")
    assert sum(sandbox.calls.values()) == 0
    # Where a header is printed, it goes.
    done = in_process(sandbox, "start", "discovery", "--no-headers", "--fields", "ref")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("discovery:")


@pytest.mark.parametrize("regions", ["all", "eu-west-1,us-east-1"])
def test_a_start_over_several_regions_is_refused(sandbox: Sandbox, regions: str) -> None:
    for dry in ((), ("--dry-run",)):
        done = in_process(sandbox, "--region", regions, "start", "discovery", *dry)
        refused(done, "a job is started in one region")
    assert creates(sandbox) == 0


def test_a_dry_run_refuses_what_the_start_would() -> None:
    # No region anywhere: the dry run does not print "region": null.
    nowhere = in_process(
        None, "start", "discovery", "--dry-run",
        AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_ENDPOINT_URL="http://127.0.0.1:9",
    )  # fmt: skip
    refused(nowhere, "no AWS region")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--region", "us-est-1"], "unknown region 'us-est-1' in --region"),
        (["--profile", "nope"], "no AWS profile named 'nope'"),
        (["--org-role", "exportctl-reader"], "a job is started in one account"),
    ],
)
def test_a_dry_run_refuses_where_the_start_would_go(
    sandbox: Sandbox, given: list[str], said: str
) -> None:
    for dry in ((), ("--dry-run",)):
        refused(in_process(sandbox, *given, "start", "discovery", *dry), said)
    assert creates(sandbox) == 0


def test_a_search_jobs_arn_says_the_region_and_a_mistyped_one_is_refused(
    sandbox: Sandbox,
) -> None:
    eu = "arn:aws:backup-search:eu-west-1:123456789012:search-job/03680e7e"
    args = ("start", "backupsearch", "--to", "s3://exportctl-exports/c/", "--dry-run")
    placed = in_process(sandbox, *args, "--search-job", eu)
    assert placed.returncode == 0, placed.stderr
    assert json.loads(placed.stdout)["region"] == "eu-west-1"
    refused(
        in_process(sandbox, "--region", "us-east-1", *args, "--search-job", eu),
        "--search-job is in eu-west-1, and --region says us-east-1",
    )
    typo = eu.replace("eu-west-1", "eu-wset-1")
    refused(in_process(sandbox, *args, "--search-job", typo), "unknown region 'eu-wset-1'")


def test_a_long_value_is_cut_in_the_message(sandbox: Sandbox) -> None:
    long = "a" * 1001
    done = in_process(sandbox, "start", "discovery", "--agent-id", long, "--dry-run")
    refused(done, "(1,001 characters)")
    assert long not in done.stderr
    bucket = in_process(sandbox, *STARTS["pinpoint"], "--to", "x" * 500)
    refused(bucket, "(500 characters)")


def test_an_rds_export_only_in_a_form_rds_refuses_is_bad_input(sandbox: Sandbox) -> None:
    # A documented form (those that are not are refused before the call), naming what
    # RDS does not have (the sandbox: a name part of other characters).
    done = in_process(
        sandbox, "start", "rds", "--source-arn",
        "arn:aws:rds:us-east-1:123456789012:snapshot:orders-pg-2026-11-16",
        "--bucket", "exportctl-exports", "--role-arn", ROLE, "--kms-key", "k", "--only", "a.b-c",
    )  # fmt: skip
    refused(done, "StartExportTask was refused (InvalidExportOnly: ", "DB.SCHEMA.TABLE")


@pytest.mark.parametrize(
    "given", [["--until", "failed"], ["--timeout", "1m"], ["--interval", "1s"]]
)
def test_a_wait_s_settings_without_a_wait_are_refused(sandbox: Sandbox, given: list[str]) -> None:
    refused(in_process(sandbox, "start", "discovery", *given), "is for --wait or --download")
    assert creates(sandbox) == 0


@pytest.mark.parametrize(
    ("command", "queue"),
    [
        (["start", "discovery"], ""),
        (["rerun", "discovery:export-14122a40-680a-46aa-afca-51d12afc8e00"], ""),
        (["start", "logs", "--log-group", "/ecs/web", "--start-time", "1d", "--bucket", "b"],
         " (or --queue)"),
    ],
)  # fmt: skip
def test_queue_is_offered_for_a_timeout_only_where_the_service_has_it(
    sandbox: Sandbox, command: list[str], queue: str
) -> None:
    done = in_process(sandbox, *command, "--timeout", "5s")
    refused(done)
    assert done.stderr == (
        f"exportctl: error: --timeout is for --wait or --download{queue}: "
        "add one, or leave --timeout out\n"
    )


def test_a_start_that_finds_nothing_says_where_and_what_named_it(sandbox: Sandbox) -> None:
    missing = ["--application-id", "0" * 32, "--to", "s3://b-1/e/", "--role-arn", ROLE]
    done = in_process(sandbox, "start", "pinpoint", *missing)
    assert done.returncode == 3, done.stderr
    said = f"Amazon Pinpoint: application {'0' * 32} not found in us-east-1"
    assert done.stderr == f"exportctl: error: {said}\n"


@pytest.mark.parametrize(
    "source", ["cluster:aurora-prod", "snapshot:nope", "cluster-snapshot:nope"]
)
def test_an_rds_start_that_finds_nothing_names_the_option_of_what_it_did_not_find(
    sandbox: Sandbox, source: str
) -> None:
    # Not the role's --role-arn too: the service said what it did not find.
    done = in_process(
        sandbox, "start", "rds", "--source-arn", f"arn:aws:rds:us-east-1:123456789012:{source}",
        "--bucket", "exportctl-exports", "--role-arn", ROLE, "--kms-key", "k",
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    said = " (StartExportTask in us-east-1; check --source-arn)\n"
    assert done.stderr.endswith(said) and ". (" not in done.stderr, done.stderr


def test_a_rerun_that_cannot_repeat_the_job_is_refused(sandbox: Sandbox) -> None:
    import botocore.session

    ddb = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", endpoint_url=sandbox.url,
        aws_access_key_id="AKIASANDBOXEXAMPLE01", aws_secret_access_key="x",
    )  # fmt: skip
    made = ddb.export_table_to_point_in_time(
        TableArn="arn:aws:dynamodb:us-east-1:123456789012:table/orders",
        S3Bucket="exportctl-exports",
        S3Prefix="filtered/",
        FilterSpecification={
            "KeyConditionExpression": "pk = :v",
            "ExpressionAttributeValues": {":v": {"S": "cust#42"}},
        },
    )
    arn = made["ExportDescription"]["ExportArn"]
    sandbox.advance(600)
    done = in_process(sandbox, "rerun", arn, "--dry-run")
    # Not the whole table, silently: start cannot send the filter.
    refused(done, "cannot be rerun", "FilterSpecification")


def test_a_kms_key_goes_with_sse_kms_alone(sandbox: Sandbox) -> None:
    # README and help give --kms-key-id to --sse KMS: never sent with AES256 or alone.
    table = STARTS["dynamodb"] + ["--to", "s3://exportctl-exports/p/"]
    for sse in (["--sse", "aes256"], []):
        for dry in (["--dry-run"], []):
            done = in_process(sandbox, *table, *sse, "--kms-key-id", "k", *dry)
            refused(done, "Amazon DynamoDB: --kms-key-id needs --sse KMS")
    assert creates(sandbox) == 0
    planned = in_process(sandbox, *table, "--sse", "kms", "--kms-key-id", "k", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    request = json.loads(planned.stdout)["request"]
    assert request["S3SseAlgorithm"] == "KMS" and request["S3SseKmsKeyId"] == "k"


def test_a_discovery_time_range_goes_with_its_agent(sandbox: Sandbox) -> None:
    # Without an agent the service exports everything and ignores a time range.
    refused(in_process(sandbox, "start", "discovery", "--start-time", "2d", "--dry-run"),
            "--start-time needs --agent-id")  # fmt: skip
    planned = in_process(sandbox, "start", "discovery", "--agent-id", "o-1", "--start-time", "2d",
                         "--dry-run")  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    request = json.loads(planned.stdout)["request"]
    assert request["filters"][0]["values"] == ["o-1"] and "startTime" in request
    # A rerun, which cannot know the agent (not reported), takes no time range.
    made = next(j for j in sandbox.jobs("discovery") if j["status"] == "SUCCEEDED")
    rerun = in_process(sandbox, "rerun", f"discovery:{made['id']}", "--dry-run")
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["request"] == {}


def test_a_quiet_wait_on_a_start_prints_only_the_new_reference(sandbox: Sandbox) -> None:
    done = in_process(sandbox, "start", "discovery", "--wait", "-q", "--timeout", "0s")
    # The clock stands still: out of time at once (124), the job named all the same.
    assert done.returncode == 124, done.stderr
    assert done.stdout.startswith("discovery:") and done.stdout.count("\n") == 1
    assert done.stderr == ""
    refused(in_process(sandbox, "start", "discovery", "-q"), "--quiet is for --wait")
    # As its help says.
    helped = " ".join(in_process(None, "start", "discovery", "--help").stdout.split())
    assert "--wait: no live view; prints only the new job's reference" in helped


def test_an_empty_period_and_an_empty_name_are_refused(sandbox: Sandbox) -> None:
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    same = in_process(
        sandbox, "start", "dynamodb", "--table", table, "--to", "s3://b-1/p/",
        "--incremental-from", "2h", "--incremental-to", "2h", "--dry-run",
    )  # fmt: skip
    refused(same, "--incremental-from must be before --incremental-to")
    unnamed = in_process(sandbox, *STARTS["personalize"], "--to", "s3://b-1/p/", "--name", "",
                         "--dry-run")  # fmt: skip
    refused(unnamed, "an empty name")


@pytest.mark.parametrize(
    "ref",
    [
        "arn:aws:personalize:us-est-1:123456789012:dataset-export-job/x",
        "discovery:eu-wset-1:export-1",
    ],
)
def test_a_reference_naming_a_mistyped_region_is_bad_input(sandbox: Sandbox, ref: str) -> None:
    # Asked there, AWS would be a name no endpoint has: a DNS failure, retried.
    refused(in_process(sandbox, "status", ref), "unknown region", "did you mean")
    assert sum(sandbox.calls.values()) == 0


def test_an_unknown_until_word_lists_the_words_of_the_service_s_jobs(sandbox: Sandbox) -> None:
    done = in_process(sandbox, "start", "discovery", "--wait", "--until", "bogus", "--dry-run")
    refused(done, "use one of COMPLETED, FAILED, terminal, SUCCEEDED (case")
    # Every word listed is one that start takes.
    for word in ("SUCCEEDED", "terminal"):
        ok = in_process(sandbox, "start", "discovery", "--wait", "--until", word, "--dry-run")
        assert ok.returncode == 0, ok.stderr


RERUN = ["rerun", "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-denied"]


@pytest.mark.parametrize("command", [["start", "discovery"], RERUN], ids=["start", "rerun"])
@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["--wait", "--until", "bogus"], "unknown --until word 'bogus'"),
        (["--download", "{dest}", "--until", "bogus"], "unknown --until word 'bogus'"),
        (["--until", "FAILED"], "--until is for --wait or --download"),
        (["-q"], "--quiet is for --wait or --download"),
        (["--timeout", "5s"], "--timeout is for --wait or --download"),
    ],
)
def test_a_dry_run_refuses_a_wait_the_start_would_refuse(
    sandbox: Sandbox, command: list[str], given: list[str], said: str, tmp_path: Path
) -> None:
    # A script checked with --dry-run must not then fail on the real run; and the
    # real run refuses the wait's word before the job is made, not once it is.
    given = [g.format(dest=tmp_path / "out") for g in given]
    real = in_process(sandbox, *command, *given)
    refused(real, said)
    dry = in_process(sandbox, *command, *given, "--dry-run")
    refused(dry, said)
    assert dry.stderr == real.stderr
    assert creates(sandbox) == 0


def test_a_rerun_queues_only_where_the_service_limits_its_active_jobs(sandbox: Sandbox) -> None:
    # Taken for a service with no slot to wait for, --queue did nothing and let
    # --timeout through to bound nothing.
    for given in (["--queue"], ["--queue", "--timeout", "5s"], ["--queue", "--dry-run"]):
        refused(
            in_process(sandbox, *RERUN, *given),
            "--queue: Amazon Personalize has no slot exportctl counts and waits for",
            "only the jobs of Amazon CloudWatch Logs queue",
        )
    assert creates(sandbox) == 0
    ended = next(j for j in sandbox.jobs("logs") if j["status"] == "FAILED")
    queued = in_process(sandbox, "rerun", f"logs:{ended['id']}", "--queue", "--dry-run")
    assert queued.returncode == 0, queued.stderr


def test_a_rerun_refuses_queue_for_rds_naming_its_limit_and_prints_null(
    sandbox: Sandbox,
) -> None:
    # RDS runs so many export tasks at once: a limit said when met, not a slot waited for.
    ended = next(j for j in sandbox.jobs("rds") if j["status"] == "FAILED")
    name = ended["id"].rsplit(":", 1)[-1]
    done = in_process(sandbox, "rerun", f"rds:{ended['region']}:{name}", "--queue", "--json")
    refused(done, "at most five export tasks at once", "leave --queue out")
    assert "has no limit" not in done.stderr
    # Found in the job it read, once the work began: the document of nothing.
    assert done.stdout == "null\n"
    assert creates(sandbox) == 0
