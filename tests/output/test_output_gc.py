"""list and status read, print and exit: no full garbage collection while they run.
wait and watch run for hours: they keep the usual collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from output_support import invoke

from exportctl.sandbox import Sandbox

FAILED_JOB = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-denied"


@pytest.fixture
def collections(frozen_heap: None) -> Iterator[list[tuple[int, int]]]:
    """(generation, oldest generation's threshold) of each collection, with thresholds
    low enough to make full collections frequent (of what the test makes)."""
    seen: list[tuple[int, int]] = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append((info["generation"], gc.get_threshold()[2]))

    before = gc.get_threshold()
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*before)


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["list", "-o", "ndjson"],
        ["status", FAILED_JOB],
        ["status", FAILED_JOB, "--json"],
    ],
    ids=" ".join,
)
def test_one_shot_commands_make_no_full_collection(
    sandbox: Sandbox, collections: list[tuple[int, int]], args: list[str]
) -> None:
    done = invoke(sandbox, *args)
    assert done.exit_code == 0, done.output
    # Once the command has started (parsing its options may collect), the young
    # generations are still collected, the oldest never.
    during = [generation for generation, threshold in collections if threshold != 2]
    assert during
    assert 2 not in during
    # The command gives the usual thresholds back when it ends.
    assert gc.get_threshold() == (50, 2, 2)
    assert not gc.get_freeze_count()


def test_wait_keeps_collecting(sandbox: Sandbox, collections: list[tuple[int, int]]) -> None:
    done = invoke(sandbox, "wait", "--timeout", "5s", FAILED_JOB)
    assert done.exit_code == 1, done.output
    # Whether a full collection comes depends on the heap the test runs in; the
    # threshold that allows it stays as it was throughout.
    assert collections
    assert {threshold for _, threshold in collections} == {2}
