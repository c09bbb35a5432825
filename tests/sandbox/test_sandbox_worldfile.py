"""The embedded sandbox's world file: what one sandbox keeps, the next reads back as it was."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from sandbox_helpers import SandboxFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import At, DownloadUrl
from exportctl.sandbox.worldfile import (
    HEARTBEAT,
    WorldFile,
    decode,
    decode_job,
    encode,
    encode_job,
)

SEARCH_JOB = "3e130f7e-b197-4166-ab5e-803b61ba4168"


def client(sb: Sandbox, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        region_name="us-east-1",
        endpoint_url=sb.url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_every_seeded_job_reads_back_as_it_was() -> None:
    jobs = [job for world in Sandbox().worlds.values() for job in world.jobs]
    assert jobs
    for job in jobs:
        assert decode_job(json.loads(json.dumps(encode_job(job)))) == job


def test_mappings_that_look_like_placeholders_read_back_as_mappings() -> None:
    value = {
        "$at": 5,
        "when": At(2.5),
        "url": DownloadUrl("export-1", "ab"),
        "pair": ("a", At(1.0)),
        "nested": [{"$tuple": [1]}, {"plain": None}],
    }
    assert decode(json.loads(json.dumps(encode(value)))) == value


def test_a_sandbox_goes_on_with_the_world_another_kept(
    tmp_path: Path, sandboxes: SandboxFactory
) -> None:
    first = sandboxes(tmp_path)
    started = client(first, "backupsearch").start_search_result_export_job(
        SearchJobIdentifier=SEARCH_JOB,
        ExportSpecification={"s3ExportSpecification": {"DestinationBucket": "b"}},
        ClientToken="token-1",
    )
    task = client(first, "discovery").start_export_task()["exportId"]
    pinned = next(j for j in first.jobs("personalize") if j["kind"] == "dataset-export-job")
    first.set_status("personalize", pinned["id"], "CREATE STOPPING")
    first.delete_job("discovery", task)
    first.advance(100)
    first.stop()
    assert first.kept is not None
    first.kept.save()

    second = sandboxes(tmp_path)
    assert second.jobs(account=None) == first.jobs(account=None)
    assert second.clock.elapsed() >= 100
    assert second.clock.start_wall == first.clock.start_wall
    # The client token is remembered: the same request is the same job.
    again = client(second, "backupsearch").start_search_result_export_job(
        SearchJobIdentifier=SEARCH_JOB,
        ExportSpecification={"s3ExportSpecification": {"DestinationBucket": "b"}},
        ClientToken="token-1",
    )
    assert again["ExportJobIdentifier"] == started["ExportJobIdentifier"]
    # The ids go on from where the first left them.
    assert client(second, "discovery").start_export_task()["exportId"] != task


def test_a_running_sandbox_answers_with_what_another_added(
    tmp_path: Path, sandboxes: SandboxFactory
) -> None:
    one, other = sandboxes(tmp_path), sandboxes(tmp_path)
    theirs = client(other, "discovery").start_export_task()["exportId"]
    mine = client(one, "discovery").start_export_task()["exportId"]
    assert mine != theirs
    for sb in (one, other):
        found = client(sb, "discovery").describe_export_tasks(exportIds=[mine, theirs])
        assert {task["exportId"] for task in found["exportsInfo"]} == {mine, theirs}


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"format": 1, "seed": 8, "worlds": {}}),
        '{"format": 1}',
        # Saved just now (an idle one is fresh anyway), its clock out of any calendar.
        '{"format": 1, "name": "n", "seed": 7, "start_wall": NaN, "elapsed": 1,'
        f' "saved_at": {time.time()}, "worlds": {{}}}}',
        '{"format": 1, "name": "n", "seed": 7, "start_wall": 1e308, "elapsed": 1,'
        f' "saved_at": {time.time()}, "worlds": {{}}}}',
        # Each in a calendar, their sum past the year 9999.
        '{"format": 1, "name": "n", "seed": 7, "start_wall": 1e11, "elapsed": 2.4e11,'
        f' "saved_at": {time.time()}, "worlds": {{}}}}',
    ],
    ids=["text", "list", "another-seed", "incomplete", "nan-clock", "endless-clock", "far-clock"],
)
def test_a_file_that_is_no_kept_world_is_a_fresh_world(
    tmp_path: Path, sandboxes: SandboxFactory, content: str
) -> None:
    (tmp_path / "world.json").write_text(content, encoding="utf-8")
    sb = sandboxes(tmp_path)
    assert sb.jobs(account=None) == Sandbox().jobs(account=None)
    assert json.loads((tmp_path / "world.json").read_text(encoding="utf-8"))["seed"] == 7
    # Its clock is this one's: its answers' times read.
    assert abs(sb.clock.now_epoch() - time.time()) < 3600


def test_a_running_sandbox_never_writes_back_a_world_reset_meanwhile(
    tmp_path: Path, sandboxes: SandboxFactory
) -> None:
    # A watch left open in another terminal while `exportctl sandbox --reset` ran.
    running = sandboxes(tmp_path)
    discovery = client(running, "discovery")
    old = discovery.start_export_task()["exportId"]
    kept = tmp_path / "world.json"
    kept.unlink()
    assert running.kept is not None

    # Its heartbeat: saved at once, and on the first request 5 minutes on.
    running.kept.save()
    assert not kept.exists()
    running.kept.saved_at -= HEARTBEAT + 1
    discovery.describe_export_tasks(exportIds=[old])
    assert not kept.exists()
    # A change it makes (a queued start's create once its slot is free).
    discovery.start_export_task()
    assert not kept.exists()

    fresh = sandboxes(tmp_path)
    assert fresh.jobs(account=None) == Sandbox().jobs(account=None)
    # Once a world is kept again, the running one goes on with it.
    theirs = client(fresh, "discovery").start_export_task()["exportId"]
    found = discovery.describe_export_tasks(exportIds=[theirs])["exportsInfo"]
    assert [task["exportId"] for task in found] == [theirs]


def beside(call: Callable[[], object], fifo: Path) -> list[object]:
    """What ``call`` returns, called on a thread of its own: one that opened ``fifo``
    as a file is would wait for a writer for ever, so the test looks once."""
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(call()), daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():
        # Its writer, at last: the thread reads nothing and goes.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    return done


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_in_the_world_files_place_is_no_world_not_waited_on(tmp_path: Path) -> None:
    kept = tmp_path / "world.json"
    os.mkfifo(kept)
    sb = Sandbox(port=0, clock=lambda: 0.0)
    opened = beside(
        lambda: WorldFile.open(sb.worlds, sb.clock, sb.lock, seed=sb.seed, where=tmp_path), kept
    )
    [world] = opened
    assert isinstance(world, WorldFile)
    # A fresh world, kept in the file it should be.
    assert stat.S_ISREG(kept.stat().st_mode)
    assert json.loads(kept.read_text(encoding="utf-8"))["seed"] == sb.seed

    # One put there while a command runs: its next request is answered all the same.
    kept.unlink()
    os.mkfifo(kept)
    assert beside(world.refresh, kept) == [None]
