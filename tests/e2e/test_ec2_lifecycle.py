"""EC2's image and instance exports as a user runs them: start, wait, download, cancel,
rerun, list and status, over HTTP against the sandbox and its S3, the sandbox clock
moved by the commands' own sleeps."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from click.shell_completion import BashComplete
from lifecycle_support import World, run

from exportctl.cli.root import cli
from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e


def seeded(sb: Sandbox, kind: str, n: int = 0) -> str:
    return str([j["id"] for j in sb.jobs("ec2", "us-east-1") if j["kind"] == kind][n])


def tasks(sb: Sandbox) -> list[str]:
    return [j["id"] for j in sb.jobs("ec2", "us-east-1") if j["kind"].startswith("export-")]


def image_args(sb: Sandbox, bucket: str = "exportctl-out") -> list[str]:
    return ["--image-id", seeded(sb, "image"), "--to", f"s3://{bucket}/amis/"]


def instance_args(sb: Sandbox, bucket: str = "exportctl-out") -> list[str]:
    return [
        "--instance-id", seeded(sb, "instance"), "--target-environment", "VMware",
        "--container-format", "OVA", "--to", f"s3://{bucket}/vms/",
    ]  # fmt: skip


def test_an_image_export_starts_waits_and_downloads_its_one_file(
    world: World, tmp_path: Path
) -> None:
    sb, s3 = world
    out = tmp_path / "images"
    done = run(world, "start", "ec2", *image_args(sb), "--format", "raw", "--download", str(out))
    assert done.exit_code == 0, done.output
    assert "1 job COMPLETED" in done.output
    [path] = [p for p in out.rglob("*") if p.is_file()]
    ident = path.stem
    assert ident.startswith("export-ami-") and path.suffix == ".raw"
    assert path.read_bytes() == s3.objects[f"s3://exportctl-out/amis/{ident}.raw"]
    assert path.read_bytes().endswith(b"\x55\xaa")


def test_an_instance_export_starts_waits_and_downloads_its_ova(
    world: World, tmp_path: Path
) -> None:
    sb, _ = world
    made = run(world, "start", "ec2", *instance_args(sb), "-o", "json")
    assert made.exit_code == 0, made.output
    job = json.loads(made.output)
    assert job["id"].startswith("export-i-") and job["state"] == "RUNNING"
    assert job["details"]["target_environment"] == "vmware"
    assert job["destination"] == f"s3://exportctl-out/vms/{job['id']}.ova"
    waited = run(world, "wait", job["ref"], "--interval", "10s")
    assert waited.exit_code == 0, waited.output
    fetched = run(world, "download", job["ref"], str(tmp_path), "--json")
    assert fetched.exit_code == 0, fetched.output
    assert json.loads(fetched.stdout)["paths"] == [f"{job['id']}.ova"]
    with tarfile.open(fileobj=io.BytesIO((tmp_path / f"{job['id']}.ova").read_bytes())) as ova:
        assert sorted(ova.getnames()) == [f"{job['id']}-disk1.vmdk", f"{job['id']}.ovf"]


def test_cancel_stops_either_kind(world: World) -> None:
    sb, _ = world
    refs = [
        run(world, "start", "ec2", *args).output.strip()
        for args in (image_args(sb), instance_args(sb))
    ]
    done = run(world, "cancel", *refs, "--wait", "--interval", "2s", "--json")
    assert done.exit_code == 0, done.output
    ended = json.loads(done.stdout)
    assert [(j["state"], j["status"]) for j in ended] == [
        ("CANCELLED", "deleted"),
        ("CANCELLED", "cancelled"),
    ]
    assert sb.calls[("ec2", "CancelExportTask")] == 2


def test_a_failed_export_is_failed_and_a_cancelled_one_cancelled(world: World) -> None:
    listed = run(world, "list", "-s", "ec2", "--json")
    assert listed.exit_code == 0, listed.output
    jobs = json.loads(listed.stdout)
    by_id = {j["id"]: j for j in jobs}
    assert {j["id"].split("-")[1] for j in jobs} == {"ami", "i"}
    failed = [j for j in jobs if j["state"] == "FAILED"]
    assert failed and all(j["message"].startswith("ClientError: ") for j in failed)
    assert {j["status"] for j in failed} == {"deleted", "cancelled"}
    cancelled = [j for j in jobs if j["state"] == "CANCELLED"]
    assert {j["message"] for j in cancelled} >= {
        "Cancelled by user request",
        "Task expired and automatically canceled",
    }
    one = failed[0]
    shown = run(world, "status", one["ref"], "--json")
    record = json.loads(shown.stdout)
    assert {k: v for k, v in record.items() if not k.startswith("eta")} == by_id[one["id"]]
    # A wait for COMPLETED ends at once on it, exit 1, with its reason.
    waited = run(world, "wait", one["ref"])
    assert waited.exit_code == 1 and "ClientError" in waited.output


def test_rerun_of_a_failed_instance_export_takes_its_parameters(world: World) -> None:
    sb, _ = world
    started = run(world, "start", "ec2", *instance_args(sb, "team-denied-bucket"))
    ref = started.output.strip()
    assert run(world, "wait", ref, "--until", "terminal").exit_code == 0
    before = json.loads(run(world, "status", ref, "--json").stdout)
    assert (before["state"], before["status"]) == ("FAILED", "cancelled")
    dry = json.loads(run(world, "rerun", ref, "--dry-run").output)
    assert dry["operation"] == "CreateInstanceExportTask"
    assert dry["request"] == {
        "InstanceId": seeded(sb, "instance"),
        "TargetEnvironment": "vmware",
        "ExportToS3Task": {
            "S3Bucket": "team-denied-bucket",
            "S3Prefix": "vms/",
            "DiskImageFormat": "VMDK",
            "ContainerFormat": "ova",
        },
    }
    again = run(world, "rerun", ref, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["ref"] != ref


@pytest.mark.parametrize("kind", ["image", "instance"])
def test_an_answer_lost_after_the_task_was_made_makes_one_task(world: World, kind: str) -> None:
    sb, _ = world
    before = set(tasks(sb))
    operation = "ExportImage" if kind == "image" else "CreateInstanceExportTask"
    sb.faults.fates = {f"ec2:{operation}": ["drop-after-commit", "ok"]}
    args = image_args(sb) if kind == "image" else instance_args(sb)
    # Retried as a user's start is, with no AWS_MAX_ATTEMPTS.
    done = run(world, "start", "ec2", *args, attempts=None)
    assert done.exit_code == 0, done.output
    made = set(tasks(sb)) - before
    assert len(made) == 1
    assert done.stdout.strip().rpartition(":")[2] in made
    # The image's retry carried the same ClientToken; the instance's found its task listed.
    assert sb.calls[("ec2", operation)] == (2 if kind == "image" else 1)


def test_start_refuses_what_chooses_no_one_export_before_sending(world: World) -> None:
    sb, _ = world
    both = run(world, "start", "ec2", *image_args(sb), "--instance-id", seeded(sb, "instance"))
    assert both.exit_code == ExitCode.USAGE
    assert "--image-id and --instance-id start different jobs" in both.output
    stray = run(world, "start", "ec2", *image_args(sb), "--target-environment", "vmware")
    assert stray.exit_code == ExitCode.USAGE and "--target-environment" in stray.output
    assert not any(op != "GetCallerIdentity" for _, op in sb.calls)
    # The seeded world's fourth AMI comes from the Marketplace: EC2 refuses it.
    refused = run(world, "start", "ec2", "--image-id", seeded(sb, "image", 3), "--to", "s3://o/")
    assert refused.exit_code == ExitCode.AWS
    assert "NotExportable" in refused.output and len(refused.output.strip().splitlines()) == 1


def test_references_complete_after_a_listing(world: World) -> None:
    listed = run(world, "list", "-s", "ec2", "--json")
    refs = {j["ref"] for j in json.loads(listed.stdout)}
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    offered = {item.value for item in shell.get_completions(["status"], "ec2:us-east-1:export-i-")}
    assert offered == {r for r in refs if r.startswith("ec2:us-east-1:export-i-")} != set()


def test_every_listed_task_is_read_back_by_its_ref_with_its_kinds_call(world: World) -> None:
    sb, _ = world
    listed = json.loads(run(world, "list", "-s", "ec2", "--json").stdout)
    sb.reset_calls()
    shown = run(world, "status", *(j["ref"] for j in listed), "--json")
    assert shown.exit_code == 0, shown.output
    again = [
        {k: v for k, v in j.items() if not k.startswith("eta")} for j in json.loads(shown.stdout)
    ]
    assert again == listed
    kinds = [j["id"].split("-")[1] for j in listed]
    assert kinds.count("ami") > 1 and kinds.count("i") > 1
    # Every task of a kind in the one describe of that kind.
    assert dict(sb.calls) == {
        ("ec2", "DescribeExportImageTasks"): 1,
        ("ec2", "DescribeExportTasks"): 1,
    }
