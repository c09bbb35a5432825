"""`exportctl sandbox --rds-tasks N`: N generated RDS snapshot export tasks beside the
seeded ones, listed whole, 100 a page (the service's largest), by botocore's paginator
and by `exportctl list` (the 10,000-task benchmark's world, smaller)."""

from __future__ import annotations

import json
import math
from typing import Any

from click.testing import CliRunner
from sandbox_helpers import sandbox_client

from exportctl.cli.root import cli
from exportctl.sandbox import Faults, Sandbox

COUNT = 1_000
PAGE = 100
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


def _tasks(boto_session: Any, sandbox: Sandbox) -> tuple[list[dict[str, Any]], int]:
    """Every task of us-east-1, and the pages they came in."""
    rds = sandbox_client(boto_session, sandbox, "rds")
    paginator = rds.get_paginator("describe_export_tasks")
    pages = [p["ExportTasks"] for p in paginator.paginate(PaginationConfig={"PageSize": PAGE})]
    return [t for page in pages for t in page], len(pages)


def test_generated_tasks_follow_the_seeded_ones_a_page_of_a_hundred(boto_session: Any) -> None:
    with (
        Sandbox(clock=lambda: 0.0) as plain,
        Sandbox(faults=Faults(), clock=lambda: 0.0, rds_tasks=COUNT) as big,
    ):
        seeded, _ = _tasks(boto_session, plain)
        tasks, pages = _tasks(boto_session, big)
    total = len(seeded) + COUNT
    assert pages == math.ceil(total / PAGE)
    ids = [t["ExportTaskIdentifier"] for t in tasks]
    assert len(set(ids)) == len(ids) == total
    # The seeded world is left as it was, its tasks first (the newest).
    assert ids[: len(seeded)] == [t["ExportTaskIdentifier"] for t in seeded]
    generated = tasks[len(seeded) :]
    assert ids[len(seeded) :] == [f"orders-archive-{i:05d}" for i in range(COUNT)]
    # Finished, newest first, each in one of the three ends.
    assert {t["Status"] for t in generated} == {"COMPLETE", "FAILED", "CANCELED"}
    starts = [t["TaskStartTime"] for t in generated]
    assert starts == sorted(starts, reverse=True)
    assert all(t["TaskEndTime"] > t["TaskStartTime"] for t in generated)
    failed = [t for t in generated if t["Status"] == "FAILED"]
    assert failed and all("does not have permission" in t["FailureCause"] for t in failed)


def test_exportctl_lists_every_task_once() -> None:
    with Sandbox(clock=lambda: 0.0) as plain:
        seeded = len([j for j in plain.jobs("rds", "us-east-1") if j["kind"] == "export-task"])
    with Sandbox(port=0, clock=lambda: 0.0, rds_tasks=COUNT) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1", "list", "-s", "rds"]
        result = CliRunner().invoke(cli, [*base, "-o", "ndjson"], env=CREDENTIALS)
        calls = sb.calls[("rds", "DescribeExportTasks")]
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    total = seeded + COUNT
    assert len({r["id"] for r in records}) == len(records) == total
    assert calls == math.ceil(total / PAGE)
