"""Commands that end together each add what they learnt to the shared cache files
(the durations, the references): real processes, started at once, none lost."""

from __future__ import annotations

import functools
import multiprocessing
import os
from pathlib import Path

import pytest

from exportctl.domain.timeutil import iso, now
from exportctl.ops import estimates, refcache
from exportctl.store import cachefiles

pytestmark = pytest.mark.skipif(os.name == "nt", reason="fork, and POSIX locks")


@pytest.fixture(autouse=True)
def turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each process waits for the lock until it has it: these tests are of the merge
    under it. A command waits 2 seconds at most, then saves without it (as the README
    says), and on a loaded machine the 80 saves' turns take longer than that."""
    for module in (estimates, refcache):
        monkeypatch.setattr(module, "locked", functools.partial(cachefiles.locked, wait=None))


PROCESSES = 16
SAVES = 5
EACH = 3


def _learn_and_save(where: Path, n: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    for save in range(SAVES):
        history = estimates.load(where)
        bucket = {f"job-{n}-{save}-{i}": (iso(now()) or "", 60.0 + i) for i in range(EACH)}
        history.learnt = {f"p{n}|discovery|us-east-1": bucket}
        history.changed = True
        assert estimates.save(history, where)


def _remember(where: Path, n: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    for save in range(SAVES):
        fresh = [refcache.CachedRef(f"discovery:us-east-1:j-{n}-{save}-{i}") for i in range(EACH)]
        assert refcache.remember(fresh, where)


def _run_together(target: object, where: Path) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    processes = [context.Process(target=target, args=(where, n, start)) for n in range(PROCESSES)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * PROCESSES


def test_durations_saved_at_once_by_many_commands_are_all_kept(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    _run_together(_learn_and_save, where)
    kept = estimates.load(where).samples
    assert sorted(kept) == sorted(f"p{n}|discovery|us-east-1" for n in range(PROCESSES))
    assert {key: len(bucket) for key, bucket in kept.items() if len(bucket) != SAVES * EACH} == {}


def test_references_kept_at_once_by_many_commands_are_all_kept(tmp_path: Path) -> None:
    where = tmp_path / "refs"
    _run_together(_remember, where)
    kept = [entry.ref for entry in refcache.load(where)]
    assert len(kept) == len(set(kept)) == PROCESSES * SAVES * EACH
