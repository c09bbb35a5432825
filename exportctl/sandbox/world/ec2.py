"""EC2 (VM Import/Export): AMI export tasks and instance export tasks, per region.

Both kinds of task live in the ``ec2`` service: ``export-image-task`` jobs
(``export-ami-…``, ExportImage) and ``export-instance-task`` jobs (``export-i-…``,
CreateInstanceExportTask), beside the AMIs (``image``) and instances
(``instance``) they export. A completed task has written one object:
``S3Prefix + task id + "." + extension`` (the disk format in lower case, or ``ova``
when an instance export asks for that container), as the service does.
"""

from __future__ import annotations

import io
import random
import tarfile
from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, Job, OutputLocation, Phase
from exportctl.sandbox.registry import Registry, hex_digits

IMAGE_TASK = "export-image-task"
INSTANCE_TASK = "export-instance-task"
OUTPUT_KINDS = (IMAGE_TASK, INSTANCE_TASK)
COMPLETED = "completed"

# (seconds after the start, status, StatusMessage, Progress); None clears a member,
# as a task that has finished no longer reports its progress.
Step = tuple[float, str, str | None, str | None]
IMAGE_OK: tuple[Step, ...] = (
    (0.0, "active", "validating", "0"),
    (10.0, "active", "converting", "21"),
    (25.0, "active", "converting", "58"),
    (40.0, "active", "uploading", "85"),
    (55.0, "completed", None, None),
)
IMAGE_FAIL: tuple[Step, ...] = (
    (0.0, "active", "validating", "0"),
    (12.0, "deleting", "", None),
    (20.0, "deleted", "", None),
)
INSTANCE_OK: tuple[Step, ...] = ((0.0, "active", "Running", None), (60.0, "completed", None, None))
INSTANCE_FAIL: tuple[Step, ...] = (
    (0.0, "active", "Running", None),
    (20.0, "cancelling", "", None),
    (25.0, "cancelled", "", None),
)
# A cancel: the task goes through its cancelling state for this long.
CANCEL_SECONDS = 10.0
CANCELLED_MESSAGE = "Cancelled by user request"
# The real service's message for an instance export that never finished.
EXPIRED_MESSAGE = "Task expired and automatically canceled"


def denied(bucket: str) -> bool:
    return "denied" in bucket.lower()


def image_denied_message(bucket: str, role: str) -> str:
    return (
        f"ClientError: Unable to write to S3 bucket {bucket}: Access Denied. Verify that the "
        f"role {role} has s3:PutObject and s3:GetBucketAcl on the bucket."
    )


def instance_denied_message(bucket: str) -> str:
    return (
        f"ClientError: Unable to write to S3 bucket {bucket}: Access Denied. Grant the "
        "VM Import/Export service READ_ACP and WRITE permissions on the bucket's ACL."
    )


def phases(start: float, steps: tuple[Step, ...], failure: str = "") -> list[Phase]:
    """A task's phases from ``start``; an empty StatusMessage in ``steps`` is ``failure``."""
    out = []
    for after, status, message, progress in steps:
        fields = {"StatusMessage": failure if message == "" else message, "Progress": progress}
        out.append(Phase(start + after, status, fields))
    return out


def extension(disk_format: str, container: str | None = None) -> str:
    return (container or disk_format).lower()


def image_task(
    sc: Registry,
    region: str,
    ident: str,
    created: float,
    steps: list[Phase],
    attrs: dict[str, Any],
) -> Job:
    attrs = {"ExportImageTaskId": ident, **attrs}
    return sc.add(Job("ec2", IMAGE_TASK, region, ident, created, steps, attrs))


def instance_task(
    sc: Registry,
    region: str,
    ident: str,
    created: float,
    steps: list[Phase],
    attrs: dict[str, Any],
) -> Job:
    # Instance tasks carry no Progress member: keep it out of their phases.
    for phase in steps:
        phase.fields.pop("Progress", None)
    attrs = {"ExportTaskId": ident, **attrs}
    return sc.add(Job("ec2", INSTANCE_TASK, region, ident, created, steps, attrs))


def output_uri(job: Job) -> str:
    if job.kind == IMAGE_TASK:
        where = job.attrs["S3ExportLocation"]
        key = f"{where.get('S3Prefix') or ''}{job.id}.{job.attrs['_extension']}"
        return f"s3://{where['S3Bucket']}/{key}"
    spec = job.attrs["ExportToS3Task"]
    return f"s3://{spec['S3Bucket']}/{spec['S3Key']}"


def objects(location: OutputLocation, key: str) -> dict[str, bytes]:
    """The one small object a completed export writes: a disk image's first bytes, or
    an OVA (a tar of the OVF descriptor and its VMDK)."""
    ident = location.job_id
    kind = key.rpartition(".")[2]
    if kind == "ova":
        return {key: _ova(ident)}
    return {key: _disk(ident, kind)}


def _disk(ident: str, kind: str) -> bytes:
    label = ident.encode()
    if kind == "vmdk":
        # The sparse extent header's magic, version and the task id as a comment.
        return b"KDMV\x01\x00\x00\x00" + b"# Disk DescriptorFile\n# " + label + b"\n"
    if kind == "vhd":
        # A fixed VHD ends with a 512-byte footer that starts with its cookie.
        footer = (b"conectix" + label).ljust(512, b"\x00")
        return b"\x00" * 512 + footer
    # A raw disk: its first sector, with the boot signature.
    return (label.ljust(510, b"\x00") + b"\x55\xaa")[:512]


def _ova(ident: str) -> bytes:
    ovf = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">'
        f'<References><File ovf:href="{ident}-disk1.vmdk"/></References>'
        f'<VirtualSystem ovf:id="{ident}"/></Envelope>\n'
    ).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, body in ((f"{ident}.ovf", ovf), (f"{ident}-disk1.vmdk", _disk(ident, "vmdk"))):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(body), 0, 0o644
            tar.addfile(info, io.BytesIO(body))
        end = tar.offset + 2 * tarfile.BLOCKSIZE
    # The two end blocks close the archive; the record padding after them is not needed.
    return buffer.getvalue()[:end]


# -- the seeded world ----------------------------------------------------------------


def populate(sc: Registry, region: str) -> None:
    # Ids come from a generator of their own, made from the world's without drawing
    # from it: the other services' seeded ids, and the ids start calls hand out, stay
    # what they were before EC2 joined the world.
    rng = random.Random(f"ec2/{sc.account}/{region}/{sc.rng.getstate()[1][:4]}")

    def hex_id(n: int) -> str:
        return hex_digits(rng, n)

    primary = region == sc.primary
    bucket = f"exportctl-sandbox-ec2-{region}"
    refused = f"exportctl-sandbox-ec2-denied-{region}"
    images = {name: f"ami-0{hex_id(16)}" for name in ("web", "batch", "legacy", "marketplace")}
    for name, ami in images.items():
        attrs = {"Name": f"exportctl-{name}", "_marketplace": name == "marketplace"}
        sc.add(Job("ec2", "image", region, ami, -30 * DAY, [Phase(-30 * DAY, "available")], attrs))
    instances = {name: f"i-0{hex_id(16)}" for name in ("web", "db", "windows")}
    for name, vm in instances.items():
        attrs = {"Name": f"exportctl-{name}", "_exportable": name != "windows"}
        state = [Phase(-20 * DAY, "stopped" if name == "db" else "running")]
        sc.add(Job("ec2", "instance", region, vm, -20 * DAY, state, attrs))

    def add_image(
        created: float, source: str, fmt: str, steps: list[Phase], where: str, note: str
    ) -> None:
        ident = f"export-ami-{hex_id(17)}"
        attrs = {
            "Description": note or None,
            "ImageId": images[source],
            "DiskImageFormat": fmt,
            "S3ExportLocation": {"S3Bucket": where, "S3Prefix": "exports/"},
            "_extension": extension(fmt),
        }
        image_task(sc, region, ident, created, steps, attrs)

    def add_instance(
        created: float, name: str, env: str, fmt: str, steps: list[Phase], where: str
    ) -> None:
        ident = f"export-i-{hex_id(17)}"
        container = "ova" if env == "vmware" else None
        spec = {
            "ContainerFormat": container,
            "DiskImageFormat": fmt.lower(),
            "S3Bucket": where,
            "S3Key": f"vms/{ident}.{extension(fmt, container)}",
        }
        attrs = {
            "Description": f"{name} for {env}",
            "InstanceExportDetails": {"InstanceId": instances[name], "TargetEnvironment": env},
            "ExportToS3Task": spec,
            "Tags": [{"Key": "team", "Value": "platform"}],
        }
        instance_task(sc, region, ident, created, steps, attrs)

    role_denied = image_denied_message(refused, "vmimport")
    add_image(-3 * DAY, "web", "VMDK", phases(-3 * DAY, IMAGE_OK), bucket, "web AMI nightly")
    add_image(-20 * HOUR, "batch", "RAW", phases(-20 * HOUR, IMAGE_FAIL, role_denied), refused, "")
    add_image(-15.0, "web", "VMDK", phases(-15.0, IMAGE_OK), bucket, "web AMI on demand")
    add_instance(-2 * DAY, "web", "vmware", "VMDK", phases(-2 * DAY, INSTANCE_OK), bucket)
    add_instance(
        -10 * HOUR,
        "db",
        "microsoft",
        "VHD",
        phases(-10 * HOUR, INSTANCE_FAIL, instance_denied_message(refused)),
        refused,
    )
    add_instance(-30.0, "db", "citrix", "VHD", phases(-30.0, INSTANCE_OK), bucket)
    if not primary:
        return
    add_image(
        -26 * HOUR, "legacy", "VHD", phases(-26 * HOUR, IMAGE_OK), bucket, "legacy for Hyper-V"
    )
    cancelled = [
        *phases(-8 * HOUR, IMAGE_OK)[:2],
        Phase(-8 * HOUR + 15, "deleting", {"StatusMessage": CANCELLED_MESSAGE, "Progress": None}),
        Phase(-8 * HOUR + 25, "deleted", {}),
    ]
    add_image(-8 * HOUR, "batch", "VMDK", cancelled, bucket, "batch AMI")
    # Still validating: it finishes ten minutes into the session.
    slow = phases(-20.0, IMAGE_OK)
    for n, phase in enumerate(slow):
        phase.at = -20.0 + n * 150.0
    add_image(-20.0, "legacy", "RAW", slow, bucket, "legacy raw disk")
    expired = [
        Phase(-5 * DAY, "active", {"StatusMessage": "Running"}),
        Phase(-1 * DAY, "cancelled", {"StatusMessage": EXPIRED_MESSAGE}),
    ]
    add_instance(-5 * DAY, "web", "vmware", "VMDK", expired, bucket)
    add_instance(-30 * HOUR, "db", "microsoft", "VHD", phases(-30 * HOUR, INSTANCE_OK), bucket)
    running = phases(-4 * MINUTE, INSTANCE_OK)
    running[-1].at = 15 * MINUTE
    add_instance(-4 * MINUTE, "web", "vmware", "VMDK", running, bucket)


def populate_bulk(sc: Registry, region: str, count: int) -> None:
    """``count`` finished AMI export tasks in ``region``, for scale tests: one every
    97 s before the seeded ones (newest first, as listed), most ``completed``, one in
    17 ``deleted`` for a bucket it could not write, one in 23 ``deleted`` on request;
    three in four described. None is active, so starts behave as in the seeded world.
    They leave nothing in the sandbox's S3 (10,000 disk images): their output location
    is empty.
    """
    images = [j.id for j in sc.listing("ec2", "image", region)]
    bucket = f"exportctl-sandbox-ec2-{region}"
    refused = f"exportctl-sandbox-ec2-denied-{region}"
    refusal = image_denied_message(refused, "vmimport")
    # Cheap ids and no per-task RNG calls: 10,000 tasks build in milliseconds.
    base = sc.rng.getrandbits(68)
    for i in range(count):
        ident = f"export-ami-{(base + i * 0x9E3779B97F4A7C15F) & (2**68 - 1):017x}"
        created = -(i + 1) * 97.0 - 3 * DAY
        if i % 17 == 0:
            where, status, message = refused, "deleted", refusal
        elif i % 23 == 0:
            where, status, message = bucket, "deleted", CANCELLED_MESSAGE
        else:
            where, status, message = bucket, COMPLETED, None
        fields = {"StatusMessage": message, "Progress": None}
        image_task(
            sc, region, ident, created, [Phase(created, status, fields)],
            {
                "Description": f"nightly {i:05d}" if i % 4 else None,
                "ImageId": images[i % len(images)],
                "DiskImageFormat": "VMDK",
                "S3ExportLocation": {"S3Bucket": where, "S3Prefix": "nightly/"},
                "_extension": "vmdk",
                "_output_uri": "",
            },
        )  # fmt: skip
