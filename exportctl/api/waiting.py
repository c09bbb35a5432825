"""The API's waits: `wait`'s engine (:class:`exportctl.ops.polling.waiter.Waiter`) set
up as the command sets it up, its outcome as jobs or a typed error, and its rounds
run from an event loop.

On an event loop a round is one call of the batched refresh (:meth:`Jobs.refresh`:
a parent's jobs from its listing, a batch-describing service's jobs in one call,
the others' on a bounded pool) run off the loop, and the sleep between rounds is
the loop's: a hundred jobs are a few threads for the length of a round, not a
thread each for the length of the wait.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from exportctl.api.errors import (
    ApiError,
    BadInput,
    JobFailed,
    JobNotFound,
    WaitTimeout,
    translated,
)
from exportctl.api.options import intervals, job_key, keyword, seconds
from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.ops.conditions import parse_until
from exportctl.ops.jobs import Jobs, Result
from exportctl.ops.polling.outcome import Outcome, Tracked, WaitResult
from exportctl.ops.polling.schedule import Backoff
from exportctl.ops.polling.timing import Clock, Pause, Sleep
from exportctl.ops.polling.waiter import Waiter
from exportctl.ops.polling.watcher import Watcher
from exportctl.services.forms import Named
from exportctl.services.refs import JobKey

# Runs a round's blocking calls off the event loop (asyncio.to_thread).
OffLoop = Callable[[Callable[[], list[Result]]], Awaitable[list[Result]]]


class TypedWaiter(Waiter):
    """The engine as the API hands it out: ``run()`` raises the API's errors, each
    with every job as last read, as :meth:`exportctl.Client.wait` does."""

    given: list[str]
    order: list[Tracked]

    def run(self) -> WaitResult:
        try:
            return super().run()
        except ExportctlError as exc:
            raise failed(Wait(self, self.given, self.order), exc) from exc


class TypedWatcher(Watcher):
    """The watch as the API hands it out: ``run()`` raises the API's errors."""

    _abandoned: str | None = None

    def run(self) -> None:
        with translated():
            super().run()
        if self._abandoned is not None:
            raise BadInput(self._abandoned)

    def abandon(self, reason: str) -> None:
        """End :meth:`run`, the round in progress too (:meth:`halt`), raising
        :class:`BadInput` that says ``reason`` (its client was closed)."""
        self._abandoned = f"{reason} while this watch ran"
        self.halt()


@dataclass
class Wait:
    """One wait, ready to run: the engine, and the job it tracks for each reference
    as given (the same job named twice is waited on once)."""

    waiter: Waiter
    given: list[str]
    order: list[Tracked]


def plan_keys(
    jobs: Jobs,
    targets: Sequence[tuple[str, JobKey]],
    *,
    until: str,
    timeout: float | timedelta | None,
    interval: float | timedelta,
    max_interval: float | timedelta | None,
    many_regions: bool,
    clock: Clock,
    sleep: Sleep,
    rng: random.Random,
    named: Named = keyword,
) -> Wait:
    """The wait for jobs already identified: each its reference as given, its key;
    ``named``: how the caller's user gives an option, in messages."""
    condition = parse_until(until, {key.service for _, key in targets}, named)
    first, cap = intervals(interval, max_interval, named)
    limit = seconds("timeout", timeout, positive=False)
    # Only a key without its region needs the default one (there may be none).
    keys = [job_key(key, jobs, many_regions=many_regions) for _, key in targets]
    waiter = TypedWaiter(
        jobs,
        list(zip([ref for ref, _ in targets], keys, strict=True)),
        condition,
        backoff=Backoff(interval=first, cap=cap),
        timeout=limit,
        clock=clock,
        sleep=sleep,
        rng=rng,
    )
    tracked = {t.key: t for t in waiter.tracked}
    waiter.given = [ref for ref, _ in targets]
    waiter.order = [tracked[key] for key in keys]
    return Wait(waiter, waiter.given, waiter.order)


def outcome(wait: Wait, result: WaitResult) -> list[ExportJob]:
    """Every job as last read, in the order given, when each met the condition; else
    the error that says why not (a timeout first, as the command's exit code says)."""
    results = [t.job for t in wait.order]
    # By identity: a job named twice is one Tracked, and Tracked is no dict key.
    unique = list({id(t): t for t in wait.order}.values())
    if result.timed_out:
        pending = [t for t in unique if not t.decided]
        raise _error(WaitTimeout, _timed_out(wait, pending), pending, results)
    for kind, outcomes in (
        (JobNotFound, (Outcome.NOT_FOUND, Outcome.GONE)),
        (JobFailed, (Outcome.MISSED,)),
    ):
        concerned = [t for t in unique if t.outcome in outcomes]
        if concerned:
            raise _error(kind, _why(wait, concerned), concerned, results)
    done = [job for job in results if job is not None]
    assert len(done) == len(results)
    return done


def failed(wait: Wait, error: ExportctlError) -> ApiError:
    """An error that ended the wait (credentials refused), with every job as last read."""
    from exportctl.api.errors import typed

    jobs = [t.job for t in wait.order if t.job is not None]
    return typed(error, jobs=jobs, refs=wait.given, results=[t.job for t in wait.order])


def _error(
    kind: type[ApiError],
    message: str,
    concerned: list[Tracked],
    results: list[ExportJob | None],
) -> ApiError:
    return kind(
        message,
        jobs=[t.job for t in concerned if t.job is not None],
        refs=[t.ref for t in concerned],
        results=results,
        service=concerned[0].key.service if concerned else None,
    )


def _timed_out(wait: Wait, pending: list[Tracked]) -> str:
    from exportctl.domain.timeutil import human_duration

    after = human_duration(wait.waiter.timeout or 0)
    return f"timed out after {after}; still pending: {_named(pending)}"


def _why(wait: Wait, concerned: list[Tracked]) -> str:
    wanted = wait.waiter.until.describe()
    said = []
    for tracked in concerned:
        job = tracked.job
        if tracked.outcome is Outcome.NOT_FOUND:
            why = tracked.error.message if tracked.error else ""
            said.append(f"{tracked.ref}: not found: {why}")
        elif tracked.outcome is Outcome.GONE:
            said.append(f"{tracked.label}: disappeared while waiting for {wanted}")
        elif job is not None:
            message = f": {' '.join(job.message.split())}" if job.message else ""
            if job.terminal:
                said.append(f"{job.ref}: ended {job.said_state}, not {wanted}{message}")
            else:
                said.append(f"{job.ref}: {job.said_state} can no longer be {wanted}{message}")
    return "; ".join(said)


def _named(pending: list[Tracked]) -> str:
    said = []
    for tracked in pending:
        job = tracked.job
        said.append(
            f"{tracked.label} (not read yet)" if job is None else f"{job.ref} {job.state.value}"
        )
    return "; ".join(said) or "none"


async def run_rounds(wait: Wait, *, pause: Pause, off_loop: OffLoop) -> WaitResult:
    """The rounds of ``wait`` as :meth:`Waiter.run` makes them (the first at once, then
    after a growing delay counted from the start of the last, the last at the
    deadline itself), each one refresh of the pending jobs run off the loop."""
    waiter = wait.waiter
    clock = waiter.clock
    rng = waiter.rng or random.Random()
    deadline = None if waiter.timeout is None else clock() + waiter.timeout
    while True:
        started = clock()
        waiter.rounds += 1
        pending = waiter.pending
        keys = [t.key for t in pending]
        results = await off_loop(functools.partial(waiter.jobs.refresh, keys))
        for tracked, result in zip(pending, results, strict=True):
            waiter.take(tracked, result)
        if not waiter.pending:
            return WaitResult(waiter.tracked, timed_out=False, rounds=waiter.rounds)
        now = clock()
        if deadline is not None and now >= deadline:
            return WaitResult(waiter.tracked, timed_out=True, rounds=waiter.rounds)
        delay = max(0.0, waiter.backoff.delay(waiter.rounds, rng) - (now - started))
        if deadline is not None:
            delay = min(delay, deadline - now)
        await pause(delay)
