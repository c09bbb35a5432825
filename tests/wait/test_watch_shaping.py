"""`watch -o ndjson --fields/--query`: the job of each event line shaped as `wait -o
ndjson` shapes it, and bad values refused as wait refuses them, before any call.
In process against the sandbox, on a fake clock; Ctrl-C is a sleep that raises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from wait_support import PINPOINT_CREATED, PINPOINT_PROCESSING, FakeTime, Run

from exportctl.sandbox import Sandbox


def stop_after(fake: FakeTime, rounds: int) -> None:
    def interrupt(sleeps: int) -> None:
        if sleeps >= rounds:
            raise KeyboardInterrupt

    fake.hooks.append(interrupt)


def events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_fields_and_query_shape_the_job_of_each_event_line_as_wait_does(
    run: Run, fake_time: FakeTime
) -> None:
    # Both pinpoint jobs are COMPLETED within a minute; Ctrl-C after seven rounds.
    stop_after(fake_time, 7)
    shape = ("--fields", "ref,state,progress.total_pieces", "--query", "{r: ref, s: state}")

    watched = run("watch", "-s", "pinpoint", "-o", "ndjson", "--interval", "10s", *shape)

    assert watched.exit_code == 0, watched.stderr
    lines = events(watched.stdout)
    # The type is kept; the query read the fields kept, and made the job alone.
    assert {e["type"] for e in lines} == {"ADDED", "MODIFIED", "ENDED"}
    assert all(set(e) == {"type", "job"} for e in lines)
    assert all(isinstance(e["job"], dict) and set(e["job"]) == {"r", "s"} for e in lines)
    ended = {e["job"]["r"]: e["job"] for e in lines if e["type"] == "ENDED"}
    processing = next(r for r in ended if r.endswith(PINPOINT_PROCESSING.rsplit("/", 1)[1]))
    # What wait's ENDED line says of the same job, shaped by the same options.
    waited = run("wait", PINPOINT_PROCESSING, "-o", "ndjson", *shape)
    assert waited.exit_code == 0, waited.stderr
    assert events(waited.stdout)[-1] == {"type": "ENDED", "job": ended[processing]}


def test_fields_alone_keep_those_keys_of_every_job(run: Run, fake_time: FakeTime) -> None:
    stop_after(fake_time, 1)

    watched = run("watch", "-s", "pinpoint", "-o", "ndjson", "--fields", "ref,state")

    assert watched.exit_code == 0, watched.stderr
    jobs = [e["job"] for e in events(watched.stdout)]
    assert any(job["ref"].endswith(PINPOINT_CREATED.rsplit("/", 1)[1]) for job in jobs)
    assert jobs and all(isinstance(j, dict) and list(j) == ["ref", "state"] for j in jobs)


@pytest.mark.parametrize(
    "shape",
    [("--fields", "ref,bogus"), ("--query", "[?state=="), ("--fields", " , ")],
    ids=["unknown field", "bad jmespath", "no field"],
)
def test_bad_values_are_refused_as_wait_refuses_them_before_any_call(
    run: Run, sandbox: Sandbox, shape: tuple[str, str]
) -> None:
    watched = run("watch", "-o", "ndjson", *shape)
    waited = run("wait", PINPOINT_PROCESSING, "-o", "ndjson", *shape)

    assert watched.exit_code == waited.exit_code == 2
    assert watched.stdout == "" and len(watched.stderr.splitlines()) == 1
    # The same words; the valid fields listed are those of each one's records (wait's
    # record has its estimate too).
    said, listed, valid = watched.stderr.partition("valid fields: ")
    assert waited.stderr.startswith(said + listed)
    if listed:
        assert "eta" not in valid.split(", ") and "progress.total_pieces" in valid
    assert not sandbox.calls


def test_shaping_without_event_lines_is_refused_before_any_call(run: Run, sandbox: Sandbox) -> None:
    for shape in (("--fields", "ref"), ("--query", "ref"), ("--fields", "ref", "--query", "ref")):
        watched = run("watch", *shape)
        assert watched.exit_code == 2, shape
        assert "the job of each event line: add -o ndjson" in watched.stderr
    assert not sandbox.calls
