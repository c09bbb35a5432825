"""What each service documents it refuses in a create, refused before anything is
sent (exit 2, one line, the option named), by `start` and its dry run alike: RDS's
identifiers and ExportOnly forms, DynamoDB's table ARN and incremental period, an
empty value, a number written other than as README's examples write one."""

from __future__ import annotations

import json

import pytest
from e2e_support import in_process
from test_start_checks import creates, refused

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

# fmt: off
ROLE = "arn:aws:iam::123456789012:role/P"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
RDS = ["start", "rds", "--source-arn",
       "arn:aws:rds:us-east-1:123456789012:snapshot:orders-pg-2026-11-16",
       "--bucket", "exportctl-exports", "--kms-key", "alias/exports", "--role-arn",
       "arn:aws:iam::123456789012:role/RdsSnapshotExportRole"]
DYNAMODB = ["start", "dynamodb", "--table", TABLE, "--to", "s3://exportctl-exports/p/"]
PINPOINT = ["start", "pinpoint", "--application-id", "ae7689447ab57a683536c4499d863386",
            "--to", "s3://exportctl-exports/e/", "--role-arn", ROLE]
EC2 = ["start", "ec2", "--to", "s3://exportctl-exports/x/"]
DRY = ("--dry-run",)
# fmt: on


def both(sandbox: Sandbox, args: list[str], *said: str) -> None:
    """Refused with ``said`` by the dry run and the start alike, with nothing sent."""
    for dry in (DRY, ()):
        refused(in_process(sandbox, *args, *dry), *said)
    assert creates(sandbox) == 0


@pytest.mark.parametrize("name", ["My_Task", "1abc", "abc--def", "abc-", "a" * 61])
def test_an_rds_identifier_rds_refuses_is_refused(sandbox: Sandbox, name: str) -> None:
    both(sandbox, [*RDS, "--name", name], "--name", "letters, digits and hyphens")


def test_an_rds_identifier_rds_takes_is_sent(sandbox: Sandbox) -> None:
    done = in_process(sandbox, *RDS, "--name", "a-1" + "b" * 57, *DRY)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("only", ["a.b.c.d", "a..b", ".a", "a.", ""])
def test_an_rds_export_only_in_no_documented_form_is_refused(sandbox: Sandbox, only: str) -> None:
    both(sandbox, [*RDS, "--only", "orders", "--only", only], "--only", "DB.SCHEMA.TABLE")


def test_a_generated_rds_identifier_fits_rds_s_length(sandbox: Sandbox) -> None:
    long = "arn:aws:rds:us-east-1:123456789012:snapshot:" + "s" * 70
    args = [*RDS[:3], long, *RDS[4:], *DRY]
    done = in_process(sandbox, *args)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["request"]["ExportTaskIdentifier"]) <= 60


def test_a_dynamodb_table_is_given_by_its_arn(sandbox: Sandbox) -> None:
    args = ["start", "dynamodb", "--table", "orders", "--to", "s3://bk/p/"]
    both(sandbox, args, "--table 'orders'", "the table's ARN")


def test_an_export_time_is_not_for_an_incremental_export(sandbox: Sandbox) -> None:
    args = [*DYNAMODB, "--incremental-from", "3h", "--export-time", "1h"]
    both(sandbox, args, "--export-time", "--incremental-from")


@pytest.mark.parametrize(("since", "until"), [("3d", None), ("2h", "1h55m"), ("30m", "20m")])
def test_an_incremental_period_out_of_dynamodb_s_range_is_refused(
    sandbox: Sandbox, since: str, until: str | None
) -> None:
    to = ["--incremental-to", until] if until else []
    both(sandbox, [*DYNAMODB, "--incremental-from", since, *to], "15 minutes", "24 hours")


# Without --incremental-to DynamoDB ends the period at its own now, a moment later.
@pytest.mark.parametrize("since", ["15m", "23h59m"])
def test_an_incremental_period_at_dynamodb_s_bounds_is_sent(sandbox: Sandbox, since: str) -> None:
    done = in_process(sandbox, *DYNAMODB, "--incremental-from", since, *DRY)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([*RDS[:3], "", *RDS[4:]], "--source-arn"),
        ([*RDS[:7], "", *RDS[8:]], "--kms-key"),
        ([*EC2, "--image-id", ""], "--image-id"),
        ([*EC2, "--instance-id", "", "--target-environment", "vmware"], "--instance-id"),
        ([*PINPOINT, "--application-id", ""], "--application-id"),
        (["start", "discovery", "--agent-id", ""], "--agent-id"),
        ([*PINPOINT, "--segment-id", ""], "--segment-id"),
    ],
    ids=["rds-source", "rds-kms", "ec2-image", "ec2-instance", "pinpoint", "discovery",
         "pinpoint-segment"],
)  # fmt: skip
def test_an_empty_value_is_refused(sandbox: Sandbox, args: list[str], option: str) -> None:
    both(sandbox, args, f"{option} is empty")
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize("prefix", ["", "exports"])
def test_an_empty_prefix_is_the_bucket_s_top(sandbox: Sandbox, prefix: str) -> None:
    done = in_process(sandbox, *RDS, "--prefix", prefix, *DRY)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("version", ["٣", "３", "1_0", "-3", "0", "99999999999999999999"])
def test_a_segment_version_is_a_whole_number_as_readme_writes_one(
    sandbox: Sandbox, version: str
) -> None:
    both(sandbox, [*PINPOINT, "--segment-id", "abc", "--segment-version", version],
         "--segment-version")  # fmt: skip


def test_a_segment_version_is_sent_as_given(sandbox: Sandbox) -> None:
    done = in_process(sandbox, *PINPOINT, "--segment-id", "abc", "--segment-version", "3", *DRY)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["request"]["ExportJobRequest"]["SegmentVersion"] == 3


@pytest.mark.parametrize("version", [-3, 0, 2**31, True, "3"])
def test_a_plan_takes_the_same_numbers_as_the_command_line(version: object) -> None:
    # The Python API's plan_start gives its keyword arguments to the same plan.
    from exportctl.domain.errors import UsageError
    from exportctl.ops.start.request import plan
    from exportctl.services import spec_for

    values = {"application_id": "a", "to": "s3://b/p/", "role_arn": ROLE,
              "segment_id": "abc", "segment_version": version}  # fmt: skip
    with pytest.raises(UsageError, match=r"--segment-version .*a whole number from 1"):
        plan(spec_for("pinpoint"), values, "us-east-1")


PERSONALIZE = [
    "start",
    "personalize",
    "--role-arn",
    ROLE,
    "--to",
    "s3://exportctl-exports/u/",
    "--dataset-arn",
    "arn:aws:personalize:us-east-1:123456789012:dataset/exportctl-retail/USERS",
]
INSTANCE = [*EC2, "--instance-id", "i-0123456789abcdef0"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([*DYNAMODB, "--format", "csv"],
         "Amazon DynamoDB: invalid value for '--format': 'csv' is not one of DYNAMODB_JSON, ION"),
        ([*PERSONALIZE, "--ingestion-mode", "foo"],
         "Amazon Personalize: invalid value for '--ingestion-mode': 'foo' is not one of BULK, "
         "PUT, ALL"),
        ([*INSTANCE, "--target-environment", "Azure"],
         "Amazon EC2: invalid value for '--target-environment': 'Azure' is not one of citrix, "
         "vmware, microsoft"),
    ],
    ids=["dynamodb", "personalize", "ec2"],
)  # fmt: skip
def test_a_word_not_among_its_choices_is_said_as_typed_with_them(
    sandbox: Sandbox, args: list[str], said: str
) -> None:
    for dry in (DRY, ()):
        done = in_process(sandbox, *args, *dry)
        assert (done.returncode, done.stderr) == (2, f"exportctl: error: {said}\n")
    assert creates(sandbox) == 0


def test_a_word_in_any_case_is_sent_as_the_service_spells_it(sandbox: Sandbox) -> None:
    done = in_process(sandbox, *DYNAMODB, "--format", " ion ", "--view", "new-image",
                      "--incremental-from", "2h", *DRY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    request = json.loads(done.stdout)["request"]
    assert request["ExportFormat"] == "ION"
    assert request["IncrementalExportSpecification"]["ExportViewType"] == "NEW_IMAGE"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([*DYNAMODB, "--bucket-owner", "12"],
         "Amazon DynamoDB: invalid value for '--bucket-owner': '12' must satisfy regular "
         "expression pattern: [0-9]{12}"),
        ([*DYNAMODB, "--to", "s3://b/p/"],
         "Amazon DynamoDB: invalid value for '--to': 's3://b/p/': its S3Bucket 'b' must satisfy "
         "regular expression pattern: "),
    ],
    ids=["as-given", "a-part"],
)  # fmt: skip
def test_a_value_the_model_refuses_is_said_by_its_option(
    sandbox: Sandbox, args: list[str], said: str
) -> None:
    both(sandbox, args, said)
