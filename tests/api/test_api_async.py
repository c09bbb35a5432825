"""AsyncClient: the same methods as coroutines, waits polled from one event loop."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from exportctl import AsyncClient, Client, ExportJob, State, WaitTimeout
from exportctl.ops.jobs import GET_CONCURRENCY
from exportctl.ops.polling.timing import TIMING, interruptible_sleep
from exportctl.ops.start.slots import Stopped, stoppable
from exportctl.testing import SandboxHandle

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-{n:03d}"


class ThreadPeak:
    """The most threads of the client's alive at once while counting: those started
    since, the sandbox's own (a thread per connection it serves) left out."""

    def __init__(self) -> None:
        # Threads, not idents: an ended thread's ident is given to the next one.
        self.before = set(threading.enumerate())
        self.peak = 0
        self.names: set[str] = set()

    def ours(self) -> list[threading.Thread]:
        return [
            t
            for t in threading.enumerate()
            if t not in self.before and "process_request_thread" not in t.name
        ]

    def seen(self) -> None:
        alive = self.ours()
        self.peak = max(self.peak, len(alive))
        self.names.update(t.name.rstrip("0123456789") for t in alive)


def test_one_loop_waits_on_a_hundred_jobs_without_a_thread_each(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    # Half of a service that describes many jobs in one call, half of one that
    # describes one job a call.
    jobs = [client.start("discovery") for _ in range(50)]
    jobs += [
        client.start("dynamodb", table=TABLE.format(n=n), to="s3://exports-bucket/x/")
        for n in range(50)
    ]
    sandbox = exportctl_sandbox.sandbox
    sandbox.reset_calls()
    pauses: list[float] = []
    pause = TIMING.pause
    assert pause is not None

    async def counted_pause(seconds: float) -> None:
        pauses.append(seconds)
        await pause(seconds)

    monkeypatch.setattr(TIMING, "pause", counted_pause)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async def main() -> tuple[list[ExportJob], ThreadPeak]:
        beat = asyncio.create_task(ticker())
        threads = ThreadPeak()
        start = threading.Thread.start

        def counted(thread: threading.Thread) -> None:
            start(thread)
            threads.seen()

        monkeypatch.setattr(threading.Thread, "start", counted)
        try:
            done = await AsyncClient().wait(jobs, timeout=600)
        finally:
            monkeypatch.setattr(threading.Thread, "start", start)
            beat.cancel()
        return done, threads

    done, threads = asyncio.run(main())
    assert [j.ref for j in done] == [j.ref for j in jobs]
    assert {j.state for j in done} == {State.COMPLETED}
    rounds = len(pauses) + 1
    assert rounds >= 4
    # A round is a few threads (the loop's default executor, at most its size, and
    # the bounded pool of gets), never one a job; the loop ran other tasks while each
    # round was out. The last round's pool is told to end, not waited for: on a busy
    # machine its threads may still be leaving when the next round's start (seen: 15
    # threads against 14), so two pools are the bound.
    executor = min(32, (os.cpu_count() or 1) + 4)
    assert 0 < threads.peak <= 2 * GET_CONCURRENCY + executor < len(jobs), threads.names
    assert threads.names <= {"asyncio_", "exportctl-get-"}, threads.names
    assert ticks > rounds
    # Discovery's fifty jobs: one call a round.
    assert sandbox.calls[("discovery", "DescribeExportTasks")] <= rounds


def test_every_method_is_a_coroutine_of_the_clients(
    exportctl_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    async def main() -> dict[str, Any]:
        aclient = AsyncClient(region="us-east-1")
        job = await aclient.start("discovery")
        got = await aclient.get(job.ref)
        [done] = await aclient.wait(got, interval=2)
        summary = await aclient.download(done, tmp_path / "d")
        again = await aclient.rerun(done)
        listed = await aclient.list("discovery", limit=3)
        task = await aclient.start(
            "logs", log_group="/app/async", start_time="1h", bucket="b", queue=True
        )
        cancelled = await aclient.cancel(task)
        return {
            "done": done,
            "summary": summary,
            "again": again,
            "listed": listed,
            "cancelled": cancelled,
        }

    out = asyncio.run(main())
    assert out["done"].state is State.COMPLETED and out["summary"].files == 1
    assert out["again"].ref != out["done"].ref
    assert len(out["listed"]) == 3 and {j.service for j in out["listed"]} == {"discovery"}
    assert out["cancelled"].status == "PENDING_CANCEL"


def test_waits_on_one_loop_keep_their_own_deadlines(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    slow = client.start("dynamodb", table=TABLE.format(n=999), to="s3://exports-bucket/slow/")
    quick = client.start("discovery")
    aclient = AsyncClient()

    async def main() -> list[Any]:
        return await asyncio.gather(
            aclient.wait(slow, timeout=30),
            aclient.wait(quick),
            return_exceptions=True,
        )

    timed_out, [done] = asyncio.run(main())
    assert isinstance(timed_out, WaitTimeout) and timed_out.jobs[0].ref == slow.ref
    assert done.state is State.COMPLETED


def test_cancelling_the_task_ends_the_wait(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = Client().start("dynamodb", table=TABLE.format(n=998), to="s3://exports-bucket/c/")
    aclient = AsyncClient()

    async def main() -> None:
        sleeping = asyncio.Event()

        async def forever(seconds: float) -> None:
            sleeping.set()
            await asyncio.get_running_loop().create_future()

        monkeypatch.setattr(TIMING, "pause", forever)
        waiting = asyncio.create_task(aclient.wait(job, timeout=600))
        await sleeping.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    asyncio.run(main())


def test_a_wait_bounds_its_own_calls_not_another_tasks(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One loop, two tasks: a short wait whose calls its timeout cuts, and a get made
    # meanwhile, which the wait's deadline is no bound of (the sandbox answers each
    # call well after the wait's timeout).
    job = Client().start("discovery")
    sandbox = exportctl_sandbox.sandbox
    monkeypatch.setattr(sandbox.faults, "latency", 2.0)
    before = sandbox.calls_report()["total"]
    aclient = AsyncClient()

    async def main() -> list[Any]:
        waiting = asyncio.create_task(aclient.wait(job, timeout=0.3, interval=0.2))
        # The get is made while the wait's first call is in flight.
        for _ in range(3000):
            if sandbox.calls_report()["total"] != before:
                break
            await asyncio.sleep(0.01)
        return await asyncio.gather(waiting, aclient.get(job.ref), return_exceptions=True)

    timed_out, got = asyncio.run(main())
    assert isinstance(timed_out, WaitTimeout), timed_out
    assert isinstance(got, ExportJob) and got.ref == job.ref, got


def test_cancelling_a_listing_ends_its_reading(
    own_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read whole off the loop, on a thread asyncio cannot stop: cancelled, the listing
    # is closed, and its dispatcher (waiting for room under the caps while every call
    # hangs a minute) ends; without the close it would read on for minutes. The calls
    # left hanging are on a sandbox of the test's own, which ends them.
    monkeypatch.setattr(own_sandbox.sandbox.faults, "latency", 60.0)
    aclient = AsyncClient(region=["us-east-1", "us-west-2"])
    # Threads, not idents: an ended thread's ident (another test's dispatcher, ending)
    # is given to the next one.
    before = set(threading.enumerate())

    def dispatchers() -> list[threading.Thread]:
        # Alive: enumerate() also lists a thread still being started.
        return [
            t
            for t in threading.enumerate()
            if t.name == "fanout" and t not in before and t.is_alive()
        ]

    async def main() -> None:
        listing = asyncio.create_task(aclient.list())
        for _ in range(3000):
            if dispatchers():
                break
            await asyncio.sleep(0.01)
        assert dispatchers(), "the listing started no dispatcher"
        listing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listing
        for _ in range(1000):
            if not dispatchers():
                break
            await asyncio.sleep(0.02)
        assert not dispatchers(), "the cancelled listing went on reading"

    asyncio.run(main())


LOGS = {"log_group": "/app/queued", "start_time": "1d", "bucket": "log-archive"}


def _slot_held(sandbox: SandboxHandle) -> ExportJob:
    """A logs job holding the service's one slot until the test frees it."""
    holder = Client().start("logs", **LOGS, queue=True)
    sandbox.set_status(holder, "RUNNING")
    return holder


class Polls:
    """The queue's sleep between its polls: counted, and the sandbox's clock left
    still, so that the slot stays held until the test frees it."""

    def __init__(self) -> None:
        self.count = 0
        self.polling = threading.Event()

    def __call__(self, seconds: float) -> None:
        self.count += 1
        self.polling.set()
        # A poll's pace, so that the loop does not spin; no time is measured.
        threading.Event().wait(0.01)


@pytest.mark.parametrize("queued", ["start", "submit"])
def test_cancelling_a_queued_start_ends_its_queue_without_a_job(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, queued: str
) -> None:
    # The queue polls in a thread asyncio cannot stop: cancelled, its task stops it
    # between polls, and it sends no create once the slot comes free after the cancel.
    holder = _slot_held(exportctl_sandbox)
    polls = Polls()
    monkeypatch.setattr(TIMING, "sleep", polls)
    client = Client()
    before = {job.ref for job in client.list("logs")}
    aclient = AsyncClient()

    async def main() -> None:
        if queued == "start":
            waiting = asyncio.ensure_future(aclient.start("logs", **LOGS, queue=True))
        else:
            plan = await aclient.plan_start("logs", **LOGS)
            waiting = asyncio.ensure_future(aclient.submit(plan, queue=True))
        while not polls.polling.is_set():
            await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # Free: a queue still polling would take the slot now.
        exportctl_sandbox.set_status(holder, "COMPLETED")

    # asyncio.run returns once its threads have ended: the queue's too.
    asyncio.run(main())
    polled = polls.count
    after = {job.ref for job in client.list("logs")}
    assert after == before, "the cancelled start made a job"
    assert polls.count == polled, "the cancelled queue polls on"


def test_a_queued_start_waits_for_the_slot_as_before(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = _slot_held(exportctl_sandbox)
    polls = Polls()

    def freeing(seconds: float) -> None:
        polls(seconds)
        exportctl_sandbox.set_status(holder, "COMPLETED")

    monkeypatch.setattr(TIMING, "sleep", freeing)
    started = Client().start("logs", **LOGS, queue=True)
    assert started.ref != holder.ref and polls.count >= 1


def test_the_queues_sleep_between_polls_ends_once_stopped() -> None:
    # The real sleep (the sandbox's tests move a clock instead): a stop from the
    # loop's thread cuts it short rather than letting it run its length.
    stop = threading.Event()
    pause = stoppable(interruptible_sleep, stop)
    threading.Timer(0.05, stop.set).start()
    with pytest.raises(Stopped):
        pause(3600)
