"""The plugin's client used where no test is pointed (a fixture of a wider scope, its
threads, an event loop's): each call points the process at the sandbox while it
runs, calls of several threads at once included, and leaves it as it found it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from exportctl.api.client import Client
from exportctl.aws.deadlines import BACKOFFS
from exportctl.domain import timeutil
from exportctl.ops.polling.timing import TIMING
from exportctl.sandbox import Sandbox
from exportctl.testing import SandboxHandle

# How long a thread waits for another that could have got there: ample for one
# that can, and the time a test takes where one rightly cannot.
MEETING = 2.0


@pytest.fixture
def handle(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A sandbox of the test's own, the test not pointed at it (as a fixture of a
    wider scope is not)."""
    for name in ("config", "credentials"):
        (tmp_path / name).write_text("")
    handle = SandboxHandle(Sandbox(port=0, clock=lambda: 0.0).start(), tmp_path)
    try:
        yield handle
    finally:
        handle.stop()


def _settings() -> tuple[Any, ...]:
    """What pointing the process changes, and a call of the client puts back."""
    env = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    return env, BACKOFFS.sleep, BACKOFFS.clock, TIMING.sleep, TIMING.clock, timeutil.wall_clock


def _pointed_at(handle: SandboxHandle) -> bool:
    return (
        os.environ.get("AWS_ENDPOINT_URL") == handle.url
        and BACKOFFS.sleep is not None
        and timeutil.wall_clock == handle.sandbox.clock.now_epoch
    )


def _in_threads(**targets: Callable[[], Any]) -> dict[str, Any]:
    """Each target run in a thread of its name, all at once: what each returned
    or raised."""
    results: dict[str, Any] = {}

    def run(name: str, target: Callable[[], Any]) -> None:
        try:
            results[name] = target()
        except BaseException as exc:  # told to the test, whatever it is
            results[name] = exc

    threads = [
        threading.Thread(target=run, args=(name, target), name=name)
        for name, target in targets.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_calls_of_two_threads_at_once_share_one_pointing_and_leave_none(
    handle: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each call, once pointed, waits for the other: the first, that the second runs
    # too; the second, that the first has ended (and so let go of its pointing).
    get = Client.get
    second_in, first_out = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def held(self: Client, *args: Any, **kwargs: Any) -> Any:
        name = threading.current_thread().name
        if name == "first":
            second_in.wait(MEETING)
        elif name == "second":
            second_in.set()
            first_out.wait(MEETING)
            seen["second runs on pointed"] = _pointed_at(handle)
        return get(self, *args, **kwargs)

    monkeypatch.setattr(Client, "get", held)
    job = handle.add_job("discovery")
    before = _settings()
    # Two threads pointing the process at once, each past the other's check, as
    # the scheduler may run them: where one caller points it at a time, the
    # second cannot get there while the first is there (the meeting breaks).
    meeting = threading.Barrier(2, timeout=MEETING)
    clock = SandboxHandle._clock

    def met(self: SandboxHandle, patch: pytest.MonkeyPatch) -> None:
        clock(self, patch)
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()

    monkeypatch.setattr(SandboxHandle, "_clock", met)
    client = handle.client()

    def first() -> Any:
        try:
            return client.get(job)
        finally:
            first_out.set()

    results = _in_threads(first=first, second=lambda: client.get(job))

    assert [type(r) for r in results.values()] == [type(job)] * 2, results
    # Nothing of the sandbox's left in the process once both have ended...
    assert _settings() == before
    assert "AWS_ENDPOINT_URL" not in os.environ
    # ...nor taken from it while one ran.
    assert seen == {"second runs on pointed": True}
    assert meeting.broken, "two calls pointed the process at once"


def test_a_pointed_block_begun_while_a_threads_call_runs_is_pointed_to_its_end(
    handle: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    get = Client.get
    calling, block_begun = threading.Event(), threading.Event()

    def held(self: Client, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "caller":
            calling.set()
            block_begun.wait(MEETING)
        return get(self, *args, **kwargs)

    monkeypatch.setattr(Client, "get", held)
    job = handle.add_job("discovery")
    before = _settings()
    client = handle.client()
    caller = threading.Thread(target=client.get, args=(job,), name="caller")
    caller.start()
    assert calling.wait(MEETING)
    with handle.pointed():
        block_begun.set()
        caller.join(60)
        # The call ended before the block: the block is pointed still.
        assert _pointed_at(handle)
    assert _settings() == before


def test_a_pointed_block_keeps_the_faults_calls_in_flight_take(handle: SandboxHandle) -> None:
    faults = handle.sandbox.faults
    taken = threading.Event()

    def take() -> None:
        # As the sandbox answers a call: its next fate taken, under its lock.
        handle.sandbox._next_fate("logs", "CreateExportTask")
        taken.set()

    class Fate(str):
        def __deepcopy__(self, memo: dict[int, Any]) -> str:
            # A call in flight takes its fate while the block saves the faults:
            # it waits for the copy where the copy is made under the sandbox's lock.
            taking.start()
            taken.wait(MEETING / 4)
            return str(self)

    taking = threading.Thread(target=take)
    faults.fates = {"CreateExportTask": [Fate("ok"), "throttle"]}
    with handle.pointed():
        taking.join(60)
        faults.fates = {}
    # Put back as they were when the block began, before that call took its fate.
    assert faults.fates == {"CreateExportTask": ["ok", "throttle"]}


def _throttled(handle: SandboxHandle, operation: str = "DescribeExportTasks") -> Callable[[], None]:
    """The next calls of ``operation`` (Discovery's reads of its jobs) throttled:
    botocore backs off 3 times, on the sandbox's clock where pointed."""
    handle.sandbox.faults.update({"fates": {operation: ["throttle"] * 3}})
    before = handle.elapsed

    def backed_off_on_the_sandbox_clock() -> None:
        assert handle.sandbox.faults.fates[operation] == []
        assert handle.elapsed > before

    return backed_off_on_the_sandbox_clock


def test_a_listing_read_after_the_call_backs_off_on_the_sandbox_clock(
    handle: SandboxHandle,
) -> None:
    handle.add_job("discovery")
    listing = handle.client().list("discovery")
    backed_off = _throttled(handle)
    before = _settings()
    assert list(listing)
    backed_off()
    assert _settings() == before


def test_a_streamed_listing_is_pointed_while_read_and_let_go_at_its_end(
    handle: SandboxHandle,
) -> None:
    for _ in range(2):
        handle.add_job("discovery")
    before = _settings()
    listing = handle.client().list("discovery", stream=True)
    next(listing)
    # Pages read ahead between two jobs are read pointed.
    assert _pointed_at(handle)
    listing.close()
    assert _settings() == before
    half_read = handle.client().list("discovery", stream=True)
    next(half_read)
    del half_read
    assert _settings() == before


def test_a_planned_wait_and_watch_back_off_on_the_sandbox_clock(handle: SandboxHandle) -> None:
    client = handle.client()
    started = client.submit(client.plan_start("discovery"))
    # Ended already: the wait's first round ends it, with no sleep of its own.
    handle.advance(60)
    wait = client.waiting([(started.ref, started.key)], timeout=600)
    watch = client.watching("discovery")
    watch.on_event = lambda event: watch.stop()
    before = _settings()
    backed_off = _throttled(handle)
    wait.waiter.run()
    backed_off()
    backed_off = _throttled(handle)
    watch.run()
    backed_off()
    assert _settings() == before


def test_backups_read_after_the_call_back_off_on_the_sandbox_clock(
    handle: SandboxHandle,
) -> None:
    client = handle.client()
    export = next(iter(client.list("backupsearch", limit=1)))
    backups = client.backups(export)
    backed_off = _throttled(handle, "ListSearchJobBackups")
    assert list(backups)
    backed_off()


def test_a_rerun_planned_backs_off_on_the_sandbox_clock(handle: SandboxHandle) -> None:
    job = handle.add_job("discovery")
    handle.advance(60)
    backed_off = _throttled(handle)
    handle.client().plan_rerun(job)
    backed_off()


def test_every_method_of_the_client_that_calls_is_pointed(handle: SandboxHandle) -> None:
    # None of these makes a call: they name, close, or make the core unconnected.
    calls_nothing = {"board", "close", "closed", "commanded", "named"}
    client = type(handle.client())
    unpointed = {
        name
        for name in dir(Client)
        if not name.startswith("_") and getattr(client, name) is getattr(Client, name)
    }
    assert unpointed == calls_nothing
