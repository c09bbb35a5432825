"""Amazon EC2 (VM Import/Export): image exports and instance exports.

Two kinds of job in one service: image exports (ExportImage, ``export-ami-...``,
DescribeExportImageTasks, paged) and instance exports (CreateInstanceExportTask,
``export-i-...``, DescribeExportTasks, not paged). CancelExportTask stops either.
Neither listing gives a job's creation time: EC2's jobs have none in exportctl.

Both kinds end a job that failed with the word of one that was stopped (an image
export ``deleted``, an instance export ``cancelled``) and its reason in
StatusMessage (``ClientError: Unable to write to S3 bucket ...``). A user's cancel
leaves no message, or one that says it was cancelled (as does AWS's own "Task
expired and automatically canceled"): so such a job is CANCELLED when its message
is empty or speaks of cancelling, and FAILED when it says anything else. A reason
nobody recognises is thus a failure shown, never a failure hidden as a cancel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from exportctl.domain.model import State
from exportctl.services.spec import (
    Batch,
    Cancel,
    Create,
    Derived,
    Fields,
    Get,
    Kind,
    Output,
    Page,
    Raw,
    ServiceSpec,
    StartOption,
    StatusFilter,
    s3_parts,
    s3_scheme,
    s3_uri,
)

_CANCELLED = re.compile(r"cancel", re.IGNORECASE)
# The words that end a task stopped on request, or failed: its message tells which.
_STOPPED = frozenset({"deleted", "cancelled"})
# What _ended may make of them beyond the table's CANCELLED.
_ENDED_STATES = {word: frozenset({State.FAILED}) for word in sorted(_STOPPED)}
# Ids a describe of several jobs names. The model caps neither list of ids, and pages
# DescribeExportImageTasks by at most 500 (MaxResults, which the listing asks for):
# 500 ids are one page. EC2 fails the whole call for one id it does not know
# (InvalidExportTaskID.NotFound, naming it), or that is no task's (.Malformed).
BATCH_IDS = 500
_IMAGE_LOCATION = "S3ExportLocation"
_INSTANCE_LOCATION = "ExportToS3Task"


def _ended(status: str) -> Derived:
    def state(raw: Raw) -> State | None:
        if raw.get(status) not in _STOPPED:
            return None
        message = str(raw.get("StatusMessage") or "").strip()
        return State.FAILED if message and not _CANCELLED.search(message) else None

    return Derived(paths=(status, "StatusMessage"), fn=state)


def _percent(raw: Raw) -> int | str | None:
    # A string in the model ("58"), kept as it came when it is no number; a finished
    # task no longer reports it.
    value = str(raw.get("Progress") or "").strip()
    return int(value) if value.isdigit() else value or None


def _image_message(raw: Raw) -> str | None:
    message = raw.get("StatusMessage") or None
    percent = _percent(raw)
    if not isinstance(percent, int) or raw.get("Status") != "active":
        return message
    return f"{message} ({percent}%)" if message else f"{percent}%"


def _image_prefix(raw: Raw) -> str | None:
    where = raw.get(_IMAGE_LOCATION) or {}
    bucket = where.get("S3Bucket")
    return f"s3://{bucket}/{where.get('S3Prefix') or ''}" if bucket else None


def _image_destination(raw: Raw) -> str | None:
    # The task writes one object, PREFIX + task id + "." + the format's extension;
    # its answers name neither the key nor the format, so the id ends what is fetched.
    prefix = _image_prefix(raw)
    return f"{prefix}{raw.get('ExportImageTaskId') or ''}" if prefix else None


def _instance_destination(raw: Raw) -> str | None:
    where = raw.get(_INSTANCE_LOCATION) or {}
    bucket, key = where.get("S3Bucket"), where.get("S3Key")
    return f"s3://{bucket}/{key}" if bucket and key else None


def _instance_prefix(raw: Raw) -> str | None:
    # S3Key is the prefix asked for, then the task id and the file's extension.
    where = raw.get(_INSTANCE_LOCATION) or {}
    bucket, key = where.get("S3Bucket"), str(where.get("S3Key") or "")
    if not bucket:
        return None
    at = key.rfind(str(raw.get("ExportTaskId") or "\0"))
    return f"s3://{bucket}/{key[:at] if at >= 0 else key.rpartition('/')[0]}"


def _upper(path: str, member: str) -> Derived:
    # The service answers an instance export's disk format in lower case ("vmdk"):
    # read back as the request spells it, so that a rerun and a retry compare alike.
    def value(raw: Raw) -> str | None:
        found = (raw.get(path) or {}).get(member)
        return str(found).upper() if found else None

    return Derived(paths=(f"{path}.{member}",), fn=value)


def _location(member: str, key: str) -> Callable[[str], Mapping[str, Any]]:
    def put(uri: str) -> Mapping[str, Any]:
        bucket, prefix = s3_parts(uri)
        where = {"S3Bucket": bucket, key: prefix} if prefix else {"S3Bucket": bucket}
        return {member: where}

    return put


_TO = (
    "Where the file goes: s3://bucket/prefix/ (the file is PREFIX, the task's id and "
    "the format's extension). VM Import/Export must be allowed to write there."
)
# ExportImage's and CreateInstanceExportTask's DiskImageFormat.
_DISK_FORMATS = ("VMDK", "RAW", "VHD")
_DESCRIPTION = StartOption(
    "description", "A description of the export.", "Description",
    record="details.description", metavar="TEXT",
)  # fmt: skip

IMAGE_CREATE = Create(
    operation="ExportImage",
    options=(
        # ExportImage requires a disk format: VMDK unless --format says another.
        StartOption("image-id", "The AMI to export (an image export).",
                    lambda ami: {"ImageId": ami, "DiskImageFormat": "VMDK"},
                    record="details.image_id", required=True, metavar="AMI_ID"),
        StartOption("to", _TO, _location(_IMAGE_LOCATION, "S3Prefix"),
                    record="details.s3_export_location", required=True, metavar="S3_URI",
                    check=s3_uri, normal=s3_scheme),
        StartOption("format", "The disk image's format: VMDK, RAW or VHD (an image "
                    "export's default: VMDK).", "DiskImageFormat", kind="word",
                    metavar="FORMAT", choices=_DISK_FORMATS),
        StartOption("role-name", "Image exports: the IAM role VM Import/Export assumes "
                    "to write there (default: vmimport).", "RoleName", metavar="NAME"),
        _DESCRIPTION,
    ),
    id="ExportImageTaskId",
    label="an image",
    permissions="(the role `vmimport`, or `--role-name`'s, writes the file)",
    idempotency="token",
    token="ClientToken",
    reused="EC2 image, destination and description",
    not_reused="EC2 does not report an image export's disk format or role, so a rerun "
    "of one writes VMDK with the role vmimport.",
    examples=(
        "exportctl --sandbox start ec2 \\\n"
        "    --image-id ami-05b0afc72e48f9d3f \\\n"
        "    --to s3://exportctl-exports/amis/",
        "exportctl start ec2 --image-id ami-05b0afc72e48f9d3f \\\n"
        "    --format raw --wait --download ./images \\\n"
        "    --to s3://exportctl-exports/amis/",
    ),
)  # fmt: skip

INSTANCE_CREATE = Create(
    operation="CreateInstanceExportTask",
    options=(
        StartOption("instance-id", "The instance to export (an instance export).",
                    "InstanceId", record="details.instance_id", required=True,
                    metavar="INSTANCE_ID"),
        StartOption("target-environment", "Instance exports: citrix, vmware or microsoft, "
                    "what the instance is exported for.", "TargetEnvironment",
                    record="details.target_environment", required=True, kind="lower",
                    metavar="ENV", choices=("citrix", "vmware", "microsoft")),
        StartOption("to", _TO, _location(_INSTANCE_LOCATION, "S3Prefix"),
                    record="details.s3_export_location", required=True, metavar="S3_URI",
                    check=s3_uri, normal=s3_scheme),
        StartOption("format", "The disk image's format.", f"{_INSTANCE_LOCATION}.DiskImageFormat",
                    record="details.disk_image_format", kind="word", metavar="FORMAT",
                    choices=_DISK_FORMATS),
        StartOption("container-format", "Instance exports: ova, the disk and its OVF "
                    "descriptor in one file (vmware).", f"{_INSTANCE_LOCATION}.ContainerFormat",
                    record="details.container_format", kind="lower", metavar="FORMAT",
                    choices=("ova",)),
        _DESCRIPTION,
    ),
    id="ExportTask.ExportTaskId",
    label="an instance",
    permissions="(the bucket lets VM Import/Export write)",
    item="ExportTask",
    idempotency="listing",
    reused="EC2 instance, target environment, formats, destination and description",
    listing_scope=lambda request: {},
    examples=(
        "exportctl --sandbox start ec2 --dry-run \\\n"
        "    --instance-id i-063d695772123cadf \\\n"
        "    --target-environment vmware --container-format ova \\\n"
        "    --to s3://exportctl-exports/vms/",
    ),
)  # fmt: skip

INSTANCE_EXPORTS = Kind(
    id_prefix="export-i-",
    fields=Fields(
        id="ExportTaskId",
        status="State",
        state=_ended("State"),
        other_states=_ENDED_STATES,
        destination=Derived(
            paths=(f"{_INSTANCE_LOCATION}.S3Bucket", f"{_INSTANCE_LOCATION}.S3Key"),
            fn=_instance_destination,
        ),
        message="StatusMessage",
        details={
            "instance_id": "InstanceExportDetails.InstanceId",
            "target_environment": "InstanceExportDetails.TargetEnvironment",
            "disk_image_format": _upper(_INSTANCE_LOCATION, "DiskImageFormat"),
            "container_format": f"{_INSTANCE_LOCATION}.ContainerFormat",
            "s3_export_location": Derived(
                paths=(f"{_INSTANCE_LOCATION}.S3Bucket", f"{_INSTANCE_LOCATION}.S3Key"),
                fn=_instance_prefix,
            ),
            "description": "Description",
        },
    ),
    get=Get(
        operation="DescribeExportTasks",
        item="ExportTasks.0",
        params=lambda key: {"ExportTaskIds": [key.id]},
    ),
    # The model pages nothing here: no answer carries a NextToken.
    list=Page(
        operation="DescribeExportTasks",
        items="ExportTasks",
        input_token="NextToken",
        output_token="NextToken",
    ),
    create=INSTANCE_CREATE,
    batch=Batch("ExportTaskIds", max_ids=BATCH_IDS, whole_call_fails=True),
)

SPEC = ServiceSpec(
    name="ec2",
    title="Amazon EC2",
    long_title="Amazon EC2 (VM Import/Export: image and instance exports)",
    client="ec2",
    prefix="ec2",
    statuses={
        "active": State.RUNNING,
        "completed": State.COMPLETED,
        # Image exports.
        "deleting": State.RUNNING,
        "deleted": State.CANCELLED,
        # Instance exports.
        "cancelling": State.RUNNING,
        "cancelled": State.CANCELLED,
    },
    # On the way to deleted or cancelled: stopped on request, or failed.
    doomed={
        "deleting": frozenset({State.COMPLETED}),
        "cancelling": frozenset({State.COMPLETED}),
    },
    fields=Fields(
        id="ExportImageTaskId",
        status="Status",
        state=_ended("Status"),
        other_states=_ENDED_STATES,
        destination=Derived(
            paths=(f"{_IMAGE_LOCATION}.S3Bucket", f"{_IMAGE_LOCATION}.S3Prefix"),
            fn=_image_destination,
        ),
        message=Derived(paths=("StatusMessage",), fn=_image_message),
        details={
            "image_id": "ImageId",
            "progress": Derived(paths=("Progress",), fn=_percent),
            "s3_export_location": Derived(
                paths=(f"{_IMAGE_LOCATION}.S3Bucket", f"{_IMAGE_LOCATION}.S3Prefix"),
                fn=_image_prefix,
            ),
            "description": "Description",
        },
        notes={"message": "its step and percent while active"},
    ),
    get=Get(
        operation="DescribeExportImageTasks",
        item="ExportImageTasks.0",
        params=lambda key: {"ExportImageTaskIds": [key.id]},
    ),
    list=Page(
        operation="DescribeExportImageTasks",
        items="ExportImageTasks",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        limit=500,
        # The filter "task-state", whose values the API documents: an image export's
        # every word (cancelling and cancelled are an instance export's). The instance
        # exports' DescribeExportTasks documents no filter by name: it is read whole.
        status_filter=StatusFilter(
            "task-state",
            frozenset({"active", "completed", "deleting", "deleted"}),
            named=True,
            not_listed=frozenset({"cancelling", "cancelled"}),
        ),
    ),
    # Several image exports in one call, as several instance exports (INSTANCE_EXPORTS).
    batch=Batch("ExportImageTaskIds", max_ids=BATCH_IDS, whole_call_fails=True),
    kinds=(INSTANCE_EXPORTS,),
    create=IMAGE_CREATE,
    cancel=Cancel("CancelExportTask", lambda key: {"ExportTaskId": key.id}),
    short_title="EC2",
    rank=8,
    # One file a task, named after it, beside the other tasks' under a shared prefix.
    output=Output(
        kind="s3",
        keys_name_job=True,
        note=": the one file the task wrote (`.vmdk`, `.raw`, `.vhd`, or `.ova` for an "
        "instance exported in that container)",
    ),
)
