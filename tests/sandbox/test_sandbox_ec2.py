"""EC2 image and instance exports over the ec2 wire protocol, with plain boto3 clients."""

from __future__ import annotations

import io
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox

Validate = Callable[..., None]
# The service answers an instance export's disk format in lower case, outside the enum.
LOWER_FORMATS = frozenset({"vmdk", "vhd", "raw"})


def _ids(sandbox: Sandbox, kind: str, region: str = "us-east-1") -> list[str]:
    return [j["id"] for j in sandbox.jobs("ec2", region) if j["kind"] == kind]


def _code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def _export_image(
    client: ClientFactory, sandbox: Sandbox, bucket: str = "my-exports", **extra: Any
) -> Any:
    return client("ec2").export_image(
        ImageId=_ids(sandbox, "image")[0],
        DiskImageFormat="VMDK",
        S3ExportLocation={"S3Bucket": bucket, "S3Prefix": "amis/"},
        **extra,
    )


def _export_instance(client: ClientFactory, sandbox: Sandbox, bucket: str = "my-exports") -> Any:
    return client("ec2").create_instance_export_task(
        InstanceId=_ids(sandbox, "instance")[0],
        TargetEnvironment="vmware",
        Description="web server",
        ExportToS3Task={
            "DiskImageFormat": "VMDK",
            "ContainerFormat": "ova",
            "S3Bucket": bucket,
            "S3Prefix": "vms/",
        },
    )["ExportTask"]


def _image_task(client: ClientFactory, ident: str) -> dict[str, Any]:
    tasks = client("ec2").describe_export_image_tasks(ExportImageTaskIds=[ident])
    [task] = tasks["ExportImageTasks"]
    return dict(task)


def _instance_task(client: ClientFactory, ident: str) -> dict[str, Any]:
    [task] = client("ec2").describe_export_tasks(ExportTaskIds=[ident])["ExportTasks"]
    return dict(task)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_image_tasks_page_through_a_mixed_world(
    client: ClientFactory, validate: Validate, region: str
) -> None:
    ec2 = client("ec2", region)
    seen: list[dict[str, Any]] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = ec2.describe_export_image_tasks(**kwargs)
        validate(ec2, "DescribeExportImageTasks", page)
        assert len(page["ExportImageTasks"]) <= 2
        seen += page["ExportImageTasks"]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    everything = ec2.describe_export_image_tasks()["ExportImageTasks"]
    assert [t["ExportImageTaskId"] for t in seen] == [t["ExportImageTaskId"] for t in everything]
    assert pages == (len(everything) + 1) // 2 > 1
    assert {t["Status"] for t in seen} >= {"active", "completed", "deleted"}
    for task in seen:
        assert task["ExportImageTaskId"].startswith("export-ami-")
        if task["Status"] == "completed":
            assert "Progress" not in task and "StatusMessage" not in task
        if task["Status"] == "active":
            assert 0 <= int(task["Progress"]) < 100
    paginated = ec2.get_paginator("describe_export_image_tasks").paginate(
        PaginationConfig={"PageSize": 3}
    )
    assert sum(len(p["ExportImageTasks"]) for p in paginated) == len(everything)


def test_image_task_filters_and_bad_tokens(client: ClientFactory) -> None:
    ec2 = client("ec2")
    deleted = ec2.describe_export_image_tasks(
        Filters=[{"Name": "task-state", "Values": ["deleted"]}]
    )
    assert {t["Status"] for t in deleted["ExportImageTasks"]} == {"deleted"}
    messages = [t["StatusMessage"] for t in deleted["ExportImageTasks"]]
    assert any(m.startswith("ClientError: ") and "Access Denied" in m for m in messages)
    with pytest.raises(ClientError) as bad_filter:
        ec2.describe_export_image_tasks(Filters=[{"Name": "bucket", "Values": ["x"]}])
    assert _code(bad_filter) == "InvalidParameterValue"
    with pytest.raises(ClientError) as bad_token:
        ec2.describe_export_image_tasks(NextToken="not-a-token")
    assert _code(bad_token) == "InvalidPaginationToken"
    with pytest.raises(ClientError) as missing:
        ec2.describe_export_image_tasks(ExportImageTaskIds=["export-ami-0123456789abcdef0"])
    assert _code(missing) == "InvalidExportTaskID.NotFound"
    with pytest.raises(ClientError) as malformed:
        ec2.describe_export_image_tasks(ExportImageTaskIds=["ami-0123"])
    assert _code(malformed) == "InvalidExportTaskID.Malformed"
    with pytest.raises(ClientError) as dry:
        ec2.describe_export_image_tasks(DryRun=True)
    assert _code(dry) == "DryRunOperation"


def test_instance_tasks_are_described_with_their_keys(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    ec2 = client("ec2")
    answer = ec2.describe_export_tasks()
    validate(ec2, "DescribeExportTasks", answer, LOWER_FORMATS)
    tasks = answer["ExportTasks"]
    assert {t["State"] for t in tasks} >= {"active", "completed", "cancelled"}
    for task in tasks:
        spec = task["ExportToS3Task"]
        ext = spec.get("ContainerFormat") or spec["DiskImageFormat"]
        assert spec["S3Key"] == f"vms/{task['ExportTaskId']}.{ext}"
    one = tasks[-1]["ExportTaskId"]
    chosen = ec2.describe_export_tasks(ExportTaskIds=[one])["ExportTasks"]
    assert [t["ExportTaskId"] for t in chosen] == [one]
    cancelled = ec2.describe_export_tasks(Filters=[{"Name": "task-state", "Values": ["cancelled"]}])
    assert {t["State"] for t in cancelled["ExportTasks"]} == {"cancelled"}
    with pytest.raises(ClientError) as image_id:
        ec2.describe_export_tasks(ExportTaskIds=[_image_task_ids(client)[0]])
    assert _code(image_id) == "InvalidExportTaskID.NotFound"
    elsewhere = client("ec2", "eu-west-1")
    with pytest.raises(ClientError) as other_region:
        elsewhere.describe_export_tasks(ExportTaskIds=[one])
    assert _code(other_region) == "InvalidExportTaskID.NotFound"


def test_several_ids_are_described_in_one_call_and_one_unknown_fails_it(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    # EC2 answers every task a list of ids names, or fails the whole call for the
    # first it does not know (or that is no task id), naming it: nothing of the others.
    ec2 = client("ec2")
    images = _image_task_ids(client)[:3]
    instances = [t["ExportTaskId"] for t in ec2.describe_export_tasks()["ExportTasks"]][:3]
    assert len(images) == len(instances) == 3
    answer = ec2.describe_export_image_tasks(ExportImageTaskIds=images, MaxResults=500)
    validate(ec2, "DescribeExportImageTasks", answer)
    assert [t["ExportImageTaskId"] for t in answer["ExportImageTasks"]] == images
    assert "NextToken" not in answer
    answer = ec2.describe_export_tasks(ExportTaskIds=instances)
    assert [t["ExportTaskId"] for t in answer["ExportTasks"]] == instances
    unknown = "export-ami-0123456789abcdef0"
    for ids, code, named in (
        ([images[0], unknown, images[1]], "InvalidExportTaskID.NotFound", unknown),
        ([images[0], instances[0]], "InvalidExportTaskID.NotFound", instances[0]),
        ([images[0], "ami-0123"], "InvalidExportTaskID.Malformed", "ami-0123"),
    ):
        with pytest.raises(ClientError) as failed:
            ec2.describe_export_image_tasks(ExportImageTaskIds=ids, MaxResults=500)
        assert (_code(failed), named in str(failed.value)) == (code, True), ids
    sandbox.delete_job("ec2", instances[1])
    with pytest.raises(ClientError) as gone:
        ec2.describe_export_tasks(ExportTaskIds=instances)
    assert _code(gone) == "InvalidExportTaskID.NotFound" and instances[1] in str(gone.value)


def _image_task_ids(client: ClientFactory) -> list[str]:
    tasks = client("ec2").describe_export_image_tasks()["ExportImageTasks"]
    return [t["ExportImageTaskId"] for t in tasks]


def test_export_image_runs_to_completed(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    answer = _export_image(client, sandbox, Description="nightly", RoleName="exporter")
    validate(client("ec2"), "ExportImage", answer)
    ident = answer["ExportImageTaskId"]
    assert ident.startswith("export-ami-") and len(ident) == len("export-ami-") + 17
    state = (answer["Status"], answer["StatusMessage"], answer["Progress"])
    assert state == ("active", "validating", "0")
    assert answer["RoleName"] == "exporter" and answer["DiskImageFormat"] == "VMDK"
    assert ident == _image_task_ids(client)[0]
    sandbox.advance(15)
    assert _image_task(client, ident)["StatusMessage"] == "converting"
    sandbox.advance(30)
    task = _image_task(client, ident)
    assert (task["Status"], task["StatusMessage"], task["Progress"]) == (
        "active",
        "uploading",
        "85",
    )
    sandbox.advance(15)
    task = _image_task(client, ident)
    assert task["Status"] == "completed" and "Progress" not in task
    assert task["S3ExportLocation"] == {"S3Bucket": "my-exports", "S3Prefix": "amis/"}
    uris = {o.uri for o in sandbox.output_locations() if o.job_id == ident}
    assert uris == {f"s3://my-exports/amis/{ident}.vmdk"}


def test_client_token_makes_one_task(sandbox: Sandbox, client: ClientFactory) -> None:
    before = len(_image_task_ids(client))
    first = _export_image(client, sandbox, ClientToken="token-1")
    again = _export_image(client, sandbox, ClientToken="token-1")
    assert again["ExportImageTaskId"] == first["ExportImageTaskId"]
    assert len(_image_task_ids(client)) == before + 1
    with pytest.raises(ClientError) as mismatch:
        _export_image(client, sandbox, bucket="other-bucket", ClientToken="token-1")
    assert _code(mismatch) == "IdempotentParameterMismatch"
    assert len(_image_task_ids(client)) == before + 1


def test_a_lost_answer_is_retried_into_the_same_task(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    before = len(_image_task_ids(client))
    sandbox.faults.update({"fates": {"ec2:ExportImage": ["drop-after-commit"]}})
    retrying = client("ec2", retries={"mode": "standard", "total_max_attempts": 3})
    answer = retrying.export_image(
        ImageId=_ids(sandbox, "image")[0],
        DiskImageFormat="RAW",
        S3ExportLocation={"S3Bucket": "my-exports"},
    )
    # botocore filled in one ClientToken for both attempts: the retry found the task.
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(_image_task_ids(client)) == before + 1
    assert _image_task_ids(client)[0] == answer["ExportImageTaskId"]


def test_fates_can_name_one_service(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.update({"fates": {"ec2:DescribeExportTasks": ["throttle"]}})
    assert "exportsInfo" in client("discovery").describe_export_tasks()
    with pytest.raises(ClientError) as throttled:
        client("ec2").describe_export_tasks()
    assert _code(throttled) == "RequestLimitExceeded"
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert client("ec2").describe_export_tasks()["ExportTasks"]
    # A bare name still scripts every service's operation of that name.
    sandbox.faults.update({"fates": {"DescribeExportTasks": ["throttle", "throttle"]}})
    for name in ("discovery", "ec2"):
        with pytest.raises(ClientError):
            client(name).describe_export_tasks()


def test_denied_buckets_end_deleted_and_cancelled(sandbox: Sandbox, client: ClientFactory) -> None:
    image = _export_image(client, sandbox, bucket="team-denied-bucket")["ExportImageTaskId"]
    instance = _export_instance(client, sandbox, bucket="team-denied-bucket")["ExportTaskId"]
    sandbox.advance(15)
    assert _image_task(client, image)["Status"] == "deleting"
    sandbox.advance(15)
    task = _image_task(client, image)
    assert task["Status"] == "deleted"
    assert task["StatusMessage"].startswith("ClientError: Unable to write to S3 bucket team-denied")
    done = _instance_task(client, instance)
    assert done["State"] == "cancelled" and "Access Denied" in done["StatusMessage"]
    assert not [o for o in sandbox.output_locations() if o.job_id in (image, instance)]


def test_instance_export_runs_to_completed(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    task = _export_instance(client, sandbox)
    validate(client("ec2"), "CreateInstanceExportTask", {"ExportTask": task}, LOWER_FORMATS)
    ident = task["ExportTaskId"]
    assert ident.startswith("export-i-")
    assert task["State"] == "active" and task["StatusMessage"] == "Running"
    assert task["ExportToS3Task"]["S3Key"] == f"vms/{ident}.ova"
    assert task["ExportToS3Task"]["DiskImageFormat"] == "vmdk"
    assert task["InstanceExportDetails"]["TargetEnvironment"] == "vmware"
    sandbox.advance(61)
    waiter = client("ec2").get_waiter("export_task_completed")
    waiter.wait(ExportTaskIds=[ident], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    assert "StatusMessage" not in _instance_task(client, ident)


def test_cancel_both_kinds_while_active(sandbox: Sandbox, client: ClientFactory) -> None:
    ec2 = client("ec2")
    image = _export_image(client, sandbox)["ExportImageTaskId"]
    instance = _export_instance(client, sandbox)["ExportTaskId"]
    sandbox.advance(5)
    answer = ec2.cancel_export_task(ExportTaskId=image)
    assert set(answer) == {"ResponseMetadata"}
    ec2.cancel_export_task(ExportTaskId=instance)
    assert _image_task(client, image)["Status"] == "deleting"
    assert _instance_task(client, instance)["State"] == "cancelling"
    sandbox.advance(60)
    task = _image_task(client, image)
    assert task["Status"] == "deleted" and "Progress" not in task
    waiter = ec2.get_waiter("export_task_cancelled")
    waiter.wait(ExportTaskIds=[instance], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    for ident in (image, instance):
        with pytest.raises(ClientError) as again:
            ec2.cancel_export_task(ExportTaskId=ident)
        assert _code(again) == "IncorrectState"
    assert not [o for o in sandbox.output_locations() if o.job_id in (image, instance)]


def test_cancel_refuses_finished_uploading_and_unknown_tasks(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    ec2 = client("ec2")
    image = _export_image(client, sandbox)["ExportImageTaskId"]
    sandbox.advance(45)
    assert _image_task(client, image)["StatusMessage"] == "uploading"
    tasks = ec2.describe_export_tasks()["ExportTasks"]
    completed = next(t["ExportTaskId"] for t in tasks if t["State"] == "completed")
    cases = {
        image: "IncorrectState",
        completed: "IncorrectState",
        "export-i-0123456789abcdef0": "InvalidExportTaskID.NotFound",
        "i-0123456789abcdef0": "InvalidExportTaskID.Malformed",
    }
    for ident, code in cases.items():
        with pytest.raises(ClientError) as refused:
            ec2.cancel_export_task(ExportTaskId=ident)
        assert _code(refused) == code, ident


def test_start_errors_name_what_is_wrong(sandbox: Sandbox, client: ClientFactory) -> None:
    ec2 = client("ec2")
    location = {"S3Bucket": "my-exports"}
    images = _ids(sandbox, "image")
    instances = _ids(sandbox, "instance")
    export = ec2.export_image
    create = ec2.create_instance_export_task
    wrong_tags = [{"ResourceType": "instance", "Tags": [{"Key": "a", "Value": "b"}]}]
    starts: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
        (export, {"ImageId": "ami-0123456789abcdef0"}, "InvalidAMIID.NotFound"),
        (export, {"ImageId": "image-1"}, "InvalidAMIID.Malformed"),
        # The seeded world's fourth AMI comes from the Marketplace.
        (export, {"ImageId": images[3]}, "NotExportable"),
        (export, {"ImageId": images[0], "DryRun": True}, "DryRunOperation"),
        (export, {"ImageId": images[0], "TagSpecifications": wrong_tags}, "InvalidParameterValue"),
        (create, {"InstanceId": "i-0123456789abcdef0"}, "InvalidInstanceID.NotFound"),
        # The seeded world's third instance runs Windows from an AWS-provided AMI.
        (create, {"InstanceId": instances[2]}, "NotExportable"),
        (
            create,
            {"InstanceId": instances[0], "ExportToS3Task": {"S3Prefix": "x/"}},
            "MissingParameter",
        ),
        # XML cannot hold it: refused, not kept to break every later answer.
        (export, {"ImageId": images[0], "Description": "a\x01b"}, "InvalidParameterValue"),
    ]
    for start, params, code in starts:
        if start is export:
            params = {"DiskImageFormat": "VMDK", "S3ExportLocation": location, **params}
        else:
            params = {"TargetEnvironment": "citrix", "ExportToS3Task": location, **params}
        with pytest.raises(ClientError) as refused:
            start(**params)
        assert _code(refused) == code, params
    # Nothing refused was kept: the tasks still read.
    assert "ExportImageTasks" in ec2.describe_export_image_tasks()
    from_eu = client("ec2", "eu-west-1")
    with pytest.raises(ClientError) as elsewhere:
        from_eu.export_image(ImageId=images[0], DiskImageFormat="VMDK", S3ExportLocation=location)
    assert _code(elsewhere) == "InvalidAMIID.NotFound"


def _post(sandbox: Sandbox, form: str) -> tuple[int, str]:
    request = urllib.request.Request(
        sandbox.url + "/",
        data=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/20261123/us-east-1/ec2/aws4_request",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_wire_is_ec2s(sandbox: Sandbox) -> None:
    status, body = _post(sandbox, "Action=DescribeExportTasks&Version=2016-11-15")
    assert status == 200
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<DescribeExportTasksResponse '
        'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>'
    )
    assert "<exportTaskSet><item><exportTaskId>export-i-" in body
    status, body = _post(sandbox, "Action=ExportImage&Version=2016-11-15&DiskImageFormat=VMDK")
    assert status == 400
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<Response><Errors><Error><Code>MissingParameter</Code>"
    )
    assert "<RequestID>" in body
    image = _ids(sandbox, "image")[0]
    form = (
        "Action=ExportImage&Version=2016-11-15&DiskImageFormat=VHD&ImageId=" + image
        + "&S3ExportLocation.S3Bucket=b1&S3ExportLocation.S3Prefix=p%2F"
        + "&TagSpecification.1.ResourceType=export-image-task"
        + "&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v"
    )  # fmt: skip
    status, body = _post(sandbox, form)
    assert status == 200, body
    assert "<tagSet><item><key>k</key><value>v</value></item></tagSet>" in body
    location = "<s3Bucket>b1</s3Bucket><s3Prefix>p/</s3Prefix>"
    assert f"<s3ExportLocation>{location}</s3ExportLocation>" in body
    ident = body.split("<exportImageTaskId>")[1].split("<")[0]
    cancel = "Action=CancelExportTask&Version=2016-11-15&ExportTaskId="
    status, body = _post(sandbox, cancel + ident)
    assert status == 200 and "<return>true</return>" in body
    status, body = _post(sandbox, "Action=NoSuchThing&Version=2016-11-15")
    assert status == 400 and "<Code>InvalidAction</Code>" in body


def test_completed_exports_land_in_s3(sandbox: Sandbox, client: ClientFactory) -> None:
    pytest.importorskip("moto")
    from exportctl.sandbox.s3 import start_s3

    with start_s3(sandbox) as s3:
        seeded = [uri for uri in s3.objects if "/export-" in uri]
        assert any(uri.endswith(".vmdk") for uri in seeded)
        assert any(uri.endswith(".ova") for uri in seeded)
        image = _export_image(client, sandbox, bucket="ec2-exports")["ExportImageTaskId"]
        instance = _export_instance(client, sandbox, bucket="ec2-exports")["ExportTaskId"]
        sandbox.advance(120)
        assert _instance_task(client, instance)["State"] == "completed"
        bucket = s3.client("us-east-1")
        disk = bucket.get_object(Bucket="ec2-exports", Key=f"amis/{image}.vmdk")["Body"].read()
        assert disk.startswith(b"KDMV")
        ova = bucket.get_object(Bucket="ec2-exports", Key=f"vms/{instance}.ova")["Body"].read()
        with tarfile.open(fileobj=io.BytesIO(ova)) as archive:
            names = archive.getnames()
        assert names == [f"{instance}.ovf", f"{instance}-disk1.vmdk"]
        assert len(ova) < 8192


def test_a_pinned_status_gives_way_to_the_cancel_as_rds_and_logs_do(
    client: ClientFactory, sandbox: Sandbox
) -> None:
    ident = _export_instance(client, sandbox)["ExportTaskId"]
    sandbox.set_status("ec2", ident, "active")
    client("ec2").cancel_export_task(ExportTaskId=ident)
    sandbox.advance(60)
    # Kept "active" for ever: a `cancel --wait` never ended.
    assert _instance_task(client, ident)["State"] == "cancelled"
