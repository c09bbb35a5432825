"""`exportctl sandbox --ec2-tasks N`: N generated EC2 AMI export tasks beside the seeded
ones, listed whole, 500 a page (the service's largest), by botocore's paginator and by
`exportctl list` (the 10,000-task benchmark's world, smaller)."""

from __future__ import annotations

import json
import math
from typing import Any

from click.testing import CliRunner
from sandbox_helpers import sandbox_client

from exportctl.cli.root import cli
from exportctl.sandbox import Faults, Sandbox

COUNT = 1_200
PAGE = 500
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


def _tasks(boto_session: Any, sandbox: Sandbox, **config: Any) -> tuple[list[dict[str, Any]], int]:
    """Every AMI export task of us-east-1, and the pages they came in."""
    ec2 = sandbox_client(boto_session, sandbox, "ec2")
    paginator = ec2.get_paginator("describe_export_image_tasks")
    pages = [p["ExportImageTasks"] for p in paginator.paginate(**config)]
    return [t for page in pages for t in page], len(pages)


def test_generated_tasks_follow_the_seeded_ones_a_page_of_five_hundred(boto_session: Any) -> None:
    with (
        Sandbox(clock=lambda: 0.0) as plain,
        Sandbox(faults=Faults(), clock=lambda: 0.0, ec2_tasks=COUNT) as big,
    ):
        seeded, _ = _tasks(boto_session, plain)
        tasks, pages = _tasks(boto_session, big, PaginationConfig={"PageSize": PAGE})
        # Unasked, a page holds the sandbox's default of 100: the same tasks.
        unsized, small_pages = _tasks(boto_session, big)
        amis = {j["id"] for j in big.jobs("ec2", "us-east-1") if j["kind"] == "image"}
    total = len(seeded) + COUNT
    assert pages == math.ceil(total / PAGE) and small_pages == math.ceil(total / 100)
    assert unsized == tasks
    ids = [t["ExportImageTaskId"] for t in tasks]
    assert len(set(ids)) == len(ids) == total
    # The seeded world is left as it was, its tasks first (the newest).
    assert ids[: len(seeded)] == [t["ExportImageTaskId"] for t in seeded]
    generated = tasks[len(seeded) :]
    # Finished: completed, or deleted on request or for a bucket it could not write.
    assert {t["Status"] for t in generated} == {"completed", "deleted"}
    failed = [t for t in generated if "Access Denied" in (t.get("StatusMessage") or "")]
    cancelled = [t for t in generated if t.get("StatusMessage") == "Cancelled by user request"]
    assert failed and cancelled
    assert all(t["Status"] == "deleted" for t in failed + cancelled)
    assert all("Progress" not in t for t in generated)
    # Of the AMIs the world holds.
    assert {t["ImageId"] for t in generated} == amis


def test_a_filter_still_reads_every_task() -> None:
    with Sandbox(port=0, clock=lambda: 0.0, ec2_tasks=COUNT) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1", "list", "-s", "ec2"]
        result = CliRunner().invoke(
            cli, [*base, "--status", "failed", "-o", "ndjson"], env=CREDENTIALS
        )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records and all(r["state"] == "FAILED" for r in records)


def test_exportctl_lists_every_task_once() -> None:
    with Sandbox(clock=lambda: 0.0) as plain:
        seeded = len(
            [j for j in plain.jobs("ec2", "us-east-1") if j["kind"] == "export-image-task"]
        )
    with Sandbox(port=0, clock=lambda: 0.0, ec2_tasks=COUNT) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1", "list", "-s", "ec2"]
        result = CliRunner().invoke(cli, [*base, "-o", "ndjson"], env=CREDENTIALS)
        calls = sb.calls[("ec2", "DescribeExportImageTasks")]
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    images = [r for r in records if r["id"].startswith("export-ami-")]
    total = seeded + COUNT
    assert len({r["id"] for r in images}) == len(images) == total
    assert calls == math.ceil(total / PAGE)
