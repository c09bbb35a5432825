"""EC2's image and instance exports through Stubber on the very clients exportctl uses:
each request as the model wants it, each answer as the model shapes it, both kinds
read as one service, and how a stopped task reads as cancelled or failed."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_stubs import REGION, Filler, Stubs, _Body, leaves, operation, shape_at
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber

from exportctl.domain.model import State
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.start.request import plan
from exportctl.ops.start.rerun import values_of
from exportctl.ops.start.starter import Starter
from exportctl.services import engine, spec_for
from exportctl.services.kinds import kinds_of
from exportctl.services.refs import parse

IMAGE = "export-ami-0123456789abcdef0"
INSTANCE = "export-i-0fedcba9876543210"
AMI = "ami-0aaaabbbbccccdddd"
VM = "i-0aaaabbbbccccdddd"
DENIED = "ClientError: Unable to write to S3 bucket out: Access Denied."


def image(status: str = "completed", message: str | None = None, **extra: Any) -> dict[str, Any]:
    task: dict[str, Any] = {
        "ExportImageTaskId": IMAGE,
        "ImageId": AMI,
        "Description": "nightly",
        "Status": status,
        "S3ExportLocation": {"S3Bucket": "out", "S3Prefix": "amis/"},
        "Tags": [{"Key": "team", "Value": "web"}],
        **extra,
    }
    if message is not None:
        task["StatusMessage"] = message
    return task


def instance(
    state: str = "completed", message: str | None = None, fmt: str = "VMDK"
) -> dict[str, Any]:
    task: dict[str, Any] = {
        "ExportTaskId": INSTANCE,
        "Description": "web for vmware",
        "State": state,
        "InstanceExportDetails": {"InstanceId": VM, "TargetEnvironment": "vmware"},
        "ExportToS3Task": {
            "ContainerFormat": "ova",
            "DiskImageFormat": fmt,
            "S3Bucket": "out",
            "S3Key": f"vms/{INSTANCE}.ova",
        },
    }
    if message is not None:
        task["StatusMessage"] = message
    return task


def test_an_image_export_is_read_with_its_own_call(jobs: Jobs, stubs: Stubs) -> None:
    answer = {"ExportImageTasks": [image("active", "converting", Progress="58")]}
    stubs("ec2").add_response(
        "describe_export_image_tasks", answer, {"ExportImageTaskIds": [IMAGE]}
    )
    job = jobs.get(parse(f"ec2:{IMAGE}"))
    assert (job.service, job.id, job.ref) == ("ec2", IMAGE, f"ec2:{REGION}:{IMAGE}")
    assert (job.state, job.status, job.message) == (State.RUNNING, "active", "converting (58%)")
    assert job.destination == f"s3://out/amis/{IMAGE}"
    assert job.created is None and job.arn is None
    assert job.details == {
        "image_id": AMI,
        "progress": 58,
        "s3_export_location": "s3://out/amis/",
        "description": "nightly",
        "tags": [{"key": "team", "value": "web"}],
    }


def test_an_instance_export_is_read_with_its_own_call(jobs: Jobs, stubs: Stubs) -> None:
    answer = {"ExportTasks": [instance()]}
    stubs("ec2").add_response("describe_export_tasks", answer, {"ExportTaskIds": [INSTANCE]})
    job = jobs.get(parse(f"ec2:{REGION}:{INSTANCE}"))
    assert (job.state, job.status, job.message) == (State.COMPLETED, "completed", None)
    assert job.destination == f"s3://out/vms/{INSTANCE}.ova"
    assert job.details == {
        "instance_id": VM,
        "target_environment": "vmware",
        "disk_image_format": "VMDK",
        "container_format": "ova",
        "s3_export_location": "s3://out/vms/",
        "description": "web for vmware",
    }


def test_the_listing_reads_both_kinds_every_page(jobs: Jobs, stubs: Stubs) -> None:
    second = image("deleted", DENIED, ExportImageTaskId="export-ami-00000000000000002")
    stubber = stubs("ec2")
    stubber.add_response(
        "describe_export_image_tasks",
        {"ExportImageTasks": [image()], "NextToken": "t1"},
        {"MaxResults": 500},
    )
    stubber.add_response(
        "describe_export_image_tasks",
        {"ExportImageTasks": [second]},
        {"MaxResults": 500, "NextToken": "t1"},
    )
    stubber.add_response(
        "describe_export_tasks", {"ExportTasks": [instance("active", "Running")]}, {}
    )
    found = jobs.list(ListQuery(services=("ec2",)))
    assert not found.failures
    assert sorted((j.id, j.state) for j in found.jobs) == [
        ("export-ami-00000000000000002", State.FAILED),
        (IMAGE, State.COMPLETED),
        (INSTANCE, State.RUNNING),
    ]


# (kind, status, StatusMessage) -> state: a stopped task's message says why it stopped.
STOPPED = [
    ("image", "deleted", DENIED, State.FAILED),
    ("image", "deleted", "Cancelled by user request", State.CANCELLED),
    ("image", "deleted", None, State.CANCELLED),
    ("image", "deleting", DENIED, State.RUNNING),
    ("instance", "cancelled", DENIED, State.FAILED),
    ("instance", "cancelled", "Task expired and automatically canceled", State.CANCELLED),
    ("instance", "cancelled", "", State.CANCELLED),
    ("instance", "cancelling", None, State.RUNNING),
    ("instance", "active", "Running", State.RUNNING),
]


@pytest.mark.parametrize(("kind", "status", "message", "state"), STOPPED)
def test_a_stopped_task_is_cancelled_unless_its_message_says_a_failure(
    jobs: Jobs, stubs: Stubs, kind: str, status: str, message: str | None, state: State
) -> None:
    if kind == "image":
        answer: dict[str, Any] = {"ExportImageTasks": [image(status, message)]}
        stubs("ec2").add_response(
            "describe_export_image_tasks", answer, {"ExportImageTaskIds": [IMAGE]}
        )
        job = jobs.get(parse(f"ec2:{IMAGE}"))
    else:
        answer = {"ExportTasks": [instance(status, message)]}
        stubs("ec2").add_response("describe_export_tasks", answer, {"ExportTaskIds": [INSTANCE]})
        job = jobs.get(parse(f"ec2:{INSTANCE}"))
    assert (job.status, job.state) == (status, state)
    spec = spec_for("ec2")
    # On its way to being stopped, a task will not complete: wait gives up at once.
    assert spec.can_reach(status, State.COMPLETED) is (status not in ("deleting", "cancelling"))


def test_every_word_of_both_kinds_has_a_state() -> None:
    spec = spec_for("ec2")
    _, instances = kinds_of(spec)
    output = operation("ec2", instances.get.operation).output_shape
    assert output is not None
    words = shape_at(output, "ExportTasks.0.State").enum
    assert set(words) == {"active", "cancelling", "cancelled", "completed"}
    # Image exports' status is a free string: these are the API reference's words.
    documented = {"active", "completed", "deleting", "deleted"}
    assert set(spec.statuses) == set(words) | documented
    assert spec.doomed == {w: frozenset({State.COMPLETED}) for w in ("deleting", "cancelling")}


@pytest.mark.parametrize("kind", ["image", "instance"])
def test_every_member_of_a_maximal_answer_is_kept(jobs: Jobs, stubs: Stubs, kind: str) -> None:
    served = kinds_of(spec_for("ec2"))[0 if kind == "image" else 1]
    output = operation("ec2", served.get.operation).output_shape
    assert output is not None
    filler = Filler()
    response = filler.fill(output)
    ident = IMAGE if kind == "image" else INSTANCE
    item, _, _ = served.get.item.partition(".")
    id_member = str(served.fields.id)
    response[item][0][id_member] = ident
    params = {"ExportImageTaskIds" if kind == "image" else "ExportTaskIds": [ident]}
    stubs("ec2").add_response(
        "describe_export_image_tasks" if kind == "image" else "describe_export_tasks",
        response,
        params,
    )
    record = jobs.get(parse(f"ec2:{ident}")).to_dict()
    out = leaves(record)
    filled = [
        (p, v) for p, v in filler.leaves if p.startswith(f"{item}.") and not p.endswith(id_member)
    ]
    lost = [
        p for p, v in filled if not any(v == o or (isinstance(o, str) and str(v) in o) for o in out)
    ]
    assert lost == []


def test_a_lower_case_disk_format_is_read_as_the_request_spells_it(jobs: Jobs) -> None:
    # The service answers "vmdk", which the model's enum (and so Stubber) refuses.
    client = jobs.clients.client("ec2", REGION)
    body = (
        '<DescribeExportTasksResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        "<requestId>r1</requestId><exportTaskSet><item>"
        f"<exportTaskId>{INSTANCE}</exportTaskId><state>active</state>"
        "<exportToS3><diskImageFormat>vmdk</diskImageFormat><s3Bucket>out</s3Bucket>"
        f"<s3Key>vms/{INSTANCE}.vmdk</s3Key></exportToS3>"
        "</item></exportTaskSet></DescribeExportTasksResponse>"
    )

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"content-type": "text/xml"}, _Body(body.encode()))

    client.meta.events.register("before-send", answer)
    try:
        job = jobs.get(parse(f"ec2:{INSTANCE}"))
    finally:
        client.meta.events.unregister("before-send", answer)
    assert job.details["disk_image_format"] == "VMDK"
    assert job.destination == f"s3://out/vms/{INSTANCE}.vmdk"


def _creator(jobs: Jobs) -> Stubber:
    stubber = Stubber(jobs.clients.client("ec2", REGION, attempts=1))
    stubber.activate()
    return stubber


def test_an_image_export_is_started_with_a_client_token(jobs: Jobs, stubs: Stubs) -> None:
    creator = _creator(jobs)
    values = {"image_id": AMI, "to": "s3://out/amis/", "format": "RAW", "role_name": "exporter"}
    request = {
        "ImageId": AMI,
        "DiskImageFormat": "RAW",
        "RoleName": "exporter",
        "S3ExportLocation": {"S3Bucket": "out", "S3Prefix": "amis/"},
        "ClientToken": ANY,
    }
    answer = {"ExportImageTaskId": IMAGE, "Status": "active", "Progress": "0"}
    creator.add_response("export_image", answer, request)
    started = Starter(jobs, sleep=lambda s: None).start(plan(spec_for("ec2"), values, REGION))
    creator.assert_no_pending_responses()
    assert started.ref == f"ec2:{REGION}:{IMAGE}" and started.job is None


def test_an_image_export_without_a_format_asks_for_vmdk() -> None:
    made = plan(spec_for("ec2"), {"image_id": AMI, "to": "s3://out"}, REGION)
    assert made.request["DiskImageFormat"] == "VMDK"
    assert made.request["S3ExportLocation"] == {"S3Bucket": "out"}
    assert made.create.operation == "ExportImage"


def test_an_instance_export_notes_the_listing_then_starts(jobs: Jobs, stubs: Stubs) -> None:
    # No token in this call: the tasks with these parameters are noted first.
    stubs("ec2").add_response("describe_export_tasks", {"ExportTasks": [instance()]}, {})
    creator = _creator(jobs)
    values = {
        "instance_id": VM,
        "target_environment": "vmware",
        "to": "s3://out/vms/",
        "container_format": "ova",
        "format": "VMDK",
    }
    request = {
        "InstanceId": VM,
        "TargetEnvironment": "vmware",
        "ExportToS3Task": {
            "S3Bucket": "out",
            "S3Prefix": "vms/",
            "ContainerFormat": "ova",
            "DiskImageFormat": "VMDK",
        },
    }
    new = {**instance("active", "Running"), "ExportTaskId": "export-i-0000000000000000a"}
    new["ExportToS3Task"]["S3Key"] = "vms/export-i-0000000000000000a.ova"
    creator.add_response("create_instance_export_task", {"ExportTask": new}, request)
    started = Starter(jobs, sleep=lambda s: None).start(plan(spec_for("ec2"), values, REGION))
    creator.assert_no_pending_responses()
    assert started.job is not None and started.job.state is State.RUNNING
    assert started.ref == f"ec2:{REGION}:export-i-0000000000000000a"


def test_a_rerun_takes_what_each_kind_reports(jobs: Jobs, stubs: Stubs) -> None:
    spec = spec_for("ec2")
    stubber = stubs("ec2")
    stubber.add_response(
        "describe_export_tasks",
        {"ExportTasks": [instance("cancelled", DENIED)]},
        {"ExportTaskIds": [INSTANCE]},
    )
    stubber.add_response(
        "describe_export_image_tasks",
        {"ExportImageTasks": [image("deleted", DENIED)]},
        {"ExportImageTaskIds": [IMAGE]},
    )
    vm = values_of(spec, jobs.get(parse(f"ec2:{INSTANCE}")))
    assert vm == {
        "instance_id": VM,
        "target_environment": "vmware",
        "to": "s3://out/vms/",
        "format": "VMDK",
        "container_format": "ova",
        "description": "web for vmware",
    }
    assert plan(spec, vm, REGION).create.operation == "CreateInstanceExportTask"
    ami = values_of(spec, jobs.get(parse(f"ec2:{IMAGE}")))
    assert ami == {"image_id": AMI, "to": "s3://out/amis/", "description": "nightly"}
    assert plan(spec, ami, REGION).request["S3ExportLocation"] == {
        "S3Bucket": "out",
        "S3Prefix": "amis/",
    }


def test_cancel_names_the_task_of_either_kind() -> None:
    spec = spec_for("ec2")
    assert spec.cancel is not None
    cancel = operation("ec2", spec.cancel.operation).input_shape
    assert cancel is not None
    for ident in (IMAGE, INSTANCE):
        params = spec.cancel.params(parse(f"ec2:{ident}"))
        assert params == {"ExportTaskId": ident}
        assert set(params) <= set(cancel.members)
    assert engine.normalise(spec, instance("cancelling"), REGION).status == "cancelling"
