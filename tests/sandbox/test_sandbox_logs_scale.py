"""`exportctl sandbox --logs-tasks N`: N generated CloudWatch Logs export tasks beside
the seeded ones, listed whole, 50 a page (the service's largest), by botocore's
paginator and by `exportctl list`."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from click.testing import CliRunner

from exportctl.cli.root import cli
from exportctl.sandbox import Faults, Sandbox
from exportctl.sandbox.cli import build
from exportctl.sandbox.scale import SCALE_OPTIONS
from exportctl.sandbox.world.logs import DESCRIBE_PAGE

# The seeded tasks of the first region (us-east-1), the generated ones' region.
SEEDED = 5
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


def _logs(boto_session: Any, sandbox: Sandbox, region: str = "us-east-1") -> Any:
    return boto_session.client(
        "logs",
        endpoint_url=sandbox.url,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def _pages(client: Any, **params: Any) -> list[list[dict[str, Any]]]:
    paginator = client.get_paginator("describe_export_tasks")
    return [page["exportTasks"] for page in paginator.paginate(**params)]


def _sizes(total: int, size: int) -> list[int]:
    """The lengths of the pages of ``total`` items, ``size`` a page."""
    return [size] * (total // size) + ([total % size] if total % size else [])


def _seen(tasks: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What two sandboxes started at other instants show alike (not the epoch times)."""
    return [(t["taskId"], t.get("taskName"), t["logGroupName"], t["status"]) for t in tasks]


def test_each_scale_option_is_in_the_command_and_a_keyword_of_the_sandbox() -> None:
    names = [name for name, _ in SCALE_OPTIONS]
    assert {"logs-tasks", "rds-tasks", "ec2-tasks"} <= set(names)
    # Each a keyword the sandbox takes (an unknown one is refused: TypeError).
    Sandbox(clock=lambda: 0.0, **{name.replace("-", "_"): 1 for name in names})
    result = CliRunner().invoke(cli, ["sandbox", "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert all(f"--{name} N" in result.output for name in names)


def test_ten_thousand_tasks_are_listed_whole_fifty_a_page(boto_session: Any) -> None:
    count = 10_000
    with Sandbox(faults=Faults(), clock=lambda: 0.0, logs_tasks=count) as sb:
        pages = _pages(_logs(boto_session, sb))
        calls = sb.calls[("logs", "DescribeExportTasks")]
    total = count + SEEDED
    assert calls == len(pages) == math.ceil(total / DESCRIBE_PAGE) == 201
    assert [len(p) for p in pages] == _sizes(total, DESCRIBE_PAGE)
    tasks = [t for page in pages for t in page]
    ids = [t["taskId"] for t in tasks]
    assert len(ids) == len(set(ids)) == total
    # Newest first across the pages, as the seeded listing is.
    created = [t["executionInfo"]["creationTime"] for t in tasks]
    assert created == sorted(created, reverse=True)
    # Finished, so that the seeded world's one active task still decides creates.
    generated = tasks[SEEDED:]
    codes = {t["status"]["code"] for t in generated}
    assert codes == {"COMPLETED", "FAILED", "CANCELLED"}
    times = [t["executionInfo"] for t in generated]
    assert all(t["completionTime"] > t["creationTime"] for t in times)


def test_pages_of_the_size_asked_for_and_of_the_cap(boto_session: Any) -> None:
    count = 1_234
    # As `exportctl sandbox --logs-tasks 1234` builds it.
    with build(scale={"logs_tasks": count}) as sb:
        client = _logs(boto_session, sb)
        asked = _pages(client, PaginationConfig={"PageSize": 7})
        sb.faults.page_size = 20
        capped = _pages(client)
    total = count + SEEDED
    assert [len(p) for p in asked] == _sizes(total, 7)
    assert [len(p) for p in capped] == _sizes(total, 20)
    assert [t["taskId"] for p in asked for t in p] == [t["taskId"] for p in capped for t in p]


def test_the_seeded_world_is_left_as_it_was(boto_session: Any) -> None:
    with Sandbox(clock=lambda: 0.0) as plain, Sandbox(clock=lambda: 0.0, logs_tasks=60) as big:
        for region in ("us-east-1", "eu-west-1"):
            before = [t for p in _pages(_logs(boto_session, plain, region)) for t in p]
            after = [t for p in _pages(_logs(boto_session, big, region)) for t in p]
            assert _seen(after[: len(before)]) == _seen(before)
            assert len(after) == len(before) + (60 if region == "us-east-1" else 0)
        # Every other service's jobs keep their ids.
        assert [j["id"] for j in plain.jobs() if j["service"] != "logs"] == [
            j["id"] for j in big.jobs() if j["service"] != "logs"
        ]


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_exportctl_lists_every_task_once_a_page_of_fifty_a_call(fmt: str) -> None:
    count = 777
    with Sandbox(port=0, clock=lambda: 0.0, logs_tasks=count) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1", "list", "-s", "logs"]
        result = CliRunner().invoke(cli, [*base, "-o", fmt], env=CREDENTIALS)
        calls = sb.calls[("logs", "DescribeExportTasks")]
    assert result.exit_code == 0, result.output
    if fmt == "ndjson":
        records = [json.loads(line) for line in result.output.splitlines()]
    else:
        records = json.loads(result.output)
    total = count + SEEDED
    assert len({r["id"] for r in records}) == len(records) == total
    assert {r["service"] for r in records} == {"logs"}
    assert calls == math.ceil(total / DESCRIBE_PAGE)
