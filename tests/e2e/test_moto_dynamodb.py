"""The read side of DynamoDB exports against moto's implementation (its server on
127.0.0.1, over HTTP), and what exportctl says where moto deviates from the model.

moto 5 deviates in these ways, each pinned by a test below:
- its ExportArn nests the table's whole ARN and says ``import``
  (``...:table/arn:aws:dynamodb:...:table/NAME/import/HEX``), not the documented
  ``table/NAME/export/ID``: exportctl lists such exports but cannot take the ARN back
  as a reference;
- ListExports without TableArn (optional in the model) fails with HTTP 500;
- DescribeExport has no StartTime, EndTime, ExportTime nor ExportManifest, and says
  ExportFormat ``DYNAMO_JSON`` (the model's enum has ``DYNAMODB_JSON``);
- a completed export writes one data file under a folder of its own random id and no
  manifest: exportctl cannot tell its files, and says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from moto_server import moto_client

from exportctl.cli.root import cli
from exportctl.domain.errors import ExitCode

REGION = "us-east-1"


@pytest.fixture(scope="module")
def table(moto_url: str) -> str:
    """A table with point-in-time recovery and one item, and a bucket to export to."""
    ddb = moto_client(moto_url, "dynamodb")
    arn = ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableArn"]
    ddb.put_item(TableName="orders", Item={"pk": {"S": "order-1"}})
    ddb.update_continuous_backups(
        TableName="orders",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    moto_client(moto_url, "s3").create_bucket(Bucket="ddb-out")
    return str(arn)


@pytest.fixture(scope="module")
def exported(moto_url: str, table: str) -> str:
    """An export moto made (and completed at once): its ARN."""
    answer = moto_client(moto_url, "dynamodb").export_table_to_point_in_time(
        TableArn=table, S3Bucket="ddb-out", S3Prefix="orders"
    )
    return str(answer["ExportDescription"]["ExportArn"])


def run(url: str, *args: str) -> Result:
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1"}
    return CliRunner().invoke(cli, ["--endpoint-url", url, "--region", REGION, *args], env=env)


def test_a_table_s_exports_are_listed_and_described(
    moto_url: str, table: str, exported: str
) -> None:
    listed = run(moto_url, "list", "-s", "dynamodb", "--table", table, "--json", "--debug")
    assert listed.exit_code == 0, listed.output
    (job,) = json.loads(listed.stdout)
    assert job["arn"] == exported and job["id"] == exported.rpartition("/")[2]
    assert (job["state"], job["status"]) == ("COMPLETED", "COMPLETED")
    assert job["details"]["table_arn"] == table and job["details"]["item_count"] == 1
    assert job["destination"] == "s3://ddb-out/orders"
    # moto: no StartTime, and ExportFormat outside the model's enum, kept as said.
    assert job["created"] is None and job["details"]["export_format"] == "DYNAMO_JSON"
    assert "dynamodb.DescribeExport=1" in listed.stderr


def test_moto_s_export_arn_is_not_the_documented_form(moto_url: str, exported: str) -> None:
    # moto: table/arn:aws:dynamodb:...:table/orders/import/HEX.
    assert "/import/" in exported
    shown = run(moto_url, "status", exported)
    assert shown.exit_code == ExitCode.USAGE
    assert "not an Amazon DynamoDB table/NAME/export ARN" in shown.output
    assert "Traceback" not in shown.output


def test_a_listing_of_every_table_fails_clearly_on_moto(moto_url: str, exported: str) -> None:
    # moto: ListExports without TableArn is an HTTP 500 (the model makes it optional).
    listed = run(moto_url, "list", "-s", "dynamodb")
    assert listed.exit_code == ExitCode.AWS
    assert "Amazon DynamoDB" in listed.output and "HTTP 500" in listed.output
    assert "Traceback" not in listed.output


def test_start_wait_then_download_says_there_is_no_manifest(
    moto_url: str, table: str, tmp_path: Path
) -> None:
    done = run(
        moto_url, "start", "dynamodb", "--table", table, "--to", "s3://ddb-out/nightly",
        "--wait", "--download", str(tmp_path / "out"), "--interval", "1s",
    )  # fmt: skip
    # moto: the export completes at once, without ExportManifest.
    assert "COMPLETED" in done.output
    assert done.exit_code == ExitCode.NOT_FOUND, done.output
    assert "names no manifest (details.export_manifest)" in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_table_without_point_in_time_recovery_is_refused(moto_url: str, table: str) -> None:
    ddb = moto_client(moto_url, "dynamodb")
    ddb.create_table(
        TableName="sessions",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sessions = table.replace("table/orders", "table/sessions")
    done = run(moto_url, "start", "dynamodb", "--table", sessions, "--to", "s3://ddb-out/s")
    assert done.exit_code == ExitCode.AWS
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "PointInTimeRecoveryUnavailableException" in lines[0]
