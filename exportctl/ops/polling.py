"""Polling export jobs until they meet a condition: the engine of `wait` and `watch`.

A round refreshes every job still undecided with as few calls as each service
allows (:meth:`Jobs.refresh_units`), on worker threads: each result is taken as
soon as its call returns, and a job whose call is still running (deep in
botocore's retries) sits the next rounds out while the others go on. Rounds are
driven by tenacity: the first at once, then exponential backoff with jitter from
``interval`` up to ``cap``, each counted from the start of the last round, never
sleeping past the deadline. Throttling, server errors and lost connections during
a round leave the jobs they hit undecided for the next round; only refused
credentials, denied access and requests AWS can never accept end a wait early.

Clock and sleep are injected, so a test moves time instead of waiting for it.
Nothing here prints: progress is reported as :class:`Event` to a callback.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import tenacity

from exportctl.domain.errors import (
    THROTTLING_CODES,
    AwsError,
    ExitCode,
    ExportctlError,
    NotFoundError,
    answer_of,
)
from exportctl.domain.model import ExportJob
from exportctl.ops.workers import Outcome as Finished
from exportctl.ops.workers import Workers

if TYPE_CHECKING:
    from exportctl.ops.conditions import Until
    from exportctl.ops.jobs import Jobs
    from exportctl.services.refs import JobKey

Clock = Callable[[], float]
Sleep = Callable[[float], None]

DEFAULT_INTERVAL = 5.0
DEFAULT_CAP = 60.0


# Longest stretch of a sleep Ctrl-C may have to wait for.
SLEEP_SLICE = 0.2


def interruptible_sleep(seconds: float) -> None:
    """``time.sleep`` in short slices.

    The kernel may hand SIGINT to any thread (the live view's refresh thread, an
    API call's worker); only the main thread's own sleep is cut short by it, so one
    long sleep could carry on for its whole length after Ctrl-C.
    """
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, SLEEP_SLICE))


@dataclass(frozen=True)
class Backoff:
    """Delays between rounds: ``interval * factor**(n-1)``, at most ``cap``, ± ``jitter``."""

    interval: float = DEFAULT_INTERVAL
    cap: float = DEFAULT_CAP
    factor: float = 1.5
    jitter: float = 0.1

    def base(self, round_number: int) -> float:
        """The delay after round ``round_number``, before jitter."""
        return min(self.cap, self.interval * self.factor ** max(0, round_number - 1))

    def delay(self, round_number: int, rng: random.Random) -> float:
        base = self.base(round_number)
        # Jitter spreads the calls of many waits started together (a CI matrix).
        spread = base * self.jitter
        return max(0.0, min(self.cap, base + rng.uniform(-spread, spread)))


class _Wait(tenacity.wait.wait_base):
    def __init__(
        self,
        backoff: Backoff,
        deadline: float | None,
        clock: Clock,
        rng: random.Random,
        started: list[float],
    ):
        self.backoff = backoff
        self.deadline = deadline
        self.clock = clock
        self.rng = rng
        self.started = started

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        delay = self.backoff.delay(retry_state.attempt_number, self.rng)
        # Rounds start every delay: the time the last one took counts.
        delay = max(0.0, delay - (self.clock() - self.started[0]))
        if self.deadline is not None:
            delay = max(0.0, min(delay, self.deadline - self.clock()))
        return delay


class _Stop(tenacity.stop.stop_base):
    def __init__(self, deadline: float | None, clock: Clock):
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline


def repeat(
    round_fn: Callable[[], bool],
    *,
    backoff: Backoff,
    timeout: float | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = interruptible_sleep,
    rng: random.Random | None = None,
    before_sleep: Callable[[float], None] | None = None,
) -> bool:
    """Run ``round_fn`` until it returns True; False if the deadline came first.

    The last round runs at the deadline itself. Exceptions from a round end it all.
    """
    deadline = None if timeout is None else clock() + timeout
    started = [clock()]

    def timed_round() -> bool:
        started[0] = clock()
        return round_fn()

    def announce(state: tenacity.RetryCallState) -> None:
        if before_sleep is not None and state.next_action is not None:
            before_sleep(state.next_action.sleep)

    retrying = tenacity.Retrying(
        sleep=sleep,
        wait=_Wait(backoff, deadline, clock, rng or random.Random(), started),
        stop=_Stop(deadline, clock),
        retry=tenacity.retry_if_result(lambda done: not done),
        before_sleep=announce,
        retry_error_callback=lambda state: False,
    )
    return bool(retrying(timed_round))


def transient(exc: ExportctlError) -> bool:
    """A failure a later round may not meet: throttling, 5xx, the network."""
    if type(exc) is not AwsError:
        return False
    said = answer_of(exc.__cause__)
    if said is not None:
        status = said.status or 0
        return said.code in THROTTLING_CODES or status == 429 or status >= 500
    return True


class Outcome(str, enum.Enum):
    PENDING = "pending"
    MET = "met"
    # Ended in a terminal state that is not the one waited for.
    MISSED = "missed"
    # Seen once, then no longer found.
    GONE = "gone"
    # Not found at the first check.
    NOT_FOUND = "not found"


@dataclass
class Tracked:
    """One job being waited on: the reference as given, and what is known of it."""

    ref: str
    key: JobKey
    job: ExportJob | None = None
    outcome: Outcome = Outcome.PENDING
    error: ExportctlError | None = None
    # Clock time of the last change of status, for "how long in this state".
    since: float | None = None

    @property
    def decided(self) -> bool:
        return self.outcome is not Outcome.PENDING

    @property
    def label(self) -> str:
        return self.job.ref if self.job else self.ref


@dataclass(frozen=True)
class Event:
    """Something worth telling: kind is seen, changed, met, missed, gone, retrying or round."""

    kind: str
    tracked: Tracked | None = None
    before: ExportJob | None = None
    message: str | None = None
    delay: float | None = None
    calls: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class WaitResult:
    tracked: list[Tracked]
    timed_out: bool
    rounds: int

    @property
    def exit_code(self) -> ExitCode:
        if self.timed_out:
            return ExitCode.TIMEOUT
        codes = {
            Outcome.MET: ExitCode.OK,
            Outcome.MISSED: ExitCode.JOB_FAILED,
            Outcome.GONE: ExitCode.JOB_FAILED,
            Outcome.NOT_FOUND: ExitCode.NOT_FOUND,
            Outcome.PENDING: ExitCode.TIMEOUT,
        }
        return max((codes[t.outcome] for t in self.tracked), default=ExitCode.OK)


class Waiter:
    """Polls jobs until each meets ``until`` or can no longer; see the module docstring."""

    def __init__(
        self,
        jobs: Jobs,
        targets: Sequence[tuple[str, JobKey]],
        until: Until,
        *,
        backoff: Backoff | None = None,
        timeout: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = interruptible_sleep,
        rng: random.Random | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.until = until
        self.backoff = backoff or Backoff()
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        self.on_event = on_event or (lambda event: None)
        self.rounds = 0
        self.next_check: float | None = None
        # Transient failures of the last round, by message: pending jobs are retried.
        self.problems: set[str] = set()
        # The calls of a round run on these threads; a job whose call is still running
        # (deep in botocore's retries) sits the next rounds out, and the others go on.
        self._workers: Workers[dict[int, ExportJob | ExportctlError]] | None = None
        self._busy: set[int] = set()
        seen: dict[JobKey, Tracked] = {}
        for ref, key in targets:
            seen.setdefault(key, Tracked(ref, key))
        # The same job named twice is waited on once.
        self.tracked = list(seen.values())

    def run(self) -> WaitResult:
        def before_sleep(delay: float) -> None:
            self.next_check = self.clock() + delay

        if self.timeout is not None:
            # The deadline bounds the calls too, botocore's retries and read timeouts
            # included, in the monotonic time they are made in.
            self.jobs.deadline = time.monotonic() + self.timeout
        from exportctl.ops.jobs import GET_CONCURRENCY

        self._workers = Workers(GET_CONCURRENCY, "exportctl-poll")
        try:
            done = repeat(
                self._round,
                backoff=self.backoff,
                timeout=self.timeout,
                clock=self.clock,
                sleep=self._pause,
                rng=self.rng,
                before_sleep=before_sleep,
            )
        finally:
            self.jobs.deadline = None
            # Calls still running are left to end on their own: nobody waits for them.
            self._workers.close()
            self._workers = None
            self._busy.clear()
        self.next_check = None
        return WaitResult(self.tracked, timed_out=not done, rounds=self.rounds)

    @property
    def pending(self) -> list[Tracked]:
        return [t for t in self.tracked if not t.decided]

    def _round(self) -> bool:
        assert self._workers is not None
        started = self.clock()
        self.rounds += 1
        self.next_check = None
        before = self.jobs.calls.snapshot()
        ready = [t for t in self.pending if id(t) not in self._busy]
        for indexes, unit in self.jobs.refresh_units([t.key for t in ready]):
            group = [ready[i] for i in indexes]
            self._busy.update(id(t) for t in group)
            self._workers.submit((group, indexes), unit)
        # Each result is taken as it comes, until the next round is due: a call deep
        # in retries holds back neither the others' results nor the next round.
        self._collect(started + self.backoff.base(self.rounds))
        after = self.jobs.calls.snapshot()
        calls = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
        self.on_event(Event("round", calls=calls))
        problems = {t.error.message for t in self.pending if t.error is not None}
        # A storm is told once while it lasts, not every round.
        for message in sorted(problems - self.problems):
            self.on_event(Event("retrying", message=message))
        self.problems = problems
        return not self.pending

    def _collect(self, until: float) -> None:
        """Take results as they come until ``until``, or until no call is running."""
        assert self._workers is not None
        while self._workers.running and self.pending:
            left = until - self.clock()
            if left <= 0:
                return
            outcome = self._workers.next(timeout=min(left, SLEEP_SLICE))
            if outcome is not None:
                self._take(outcome)

    def _pause(self, seconds: float) -> None:
        """The sleep between rounds; results of calls still running are taken as
        they come, and once every job is decided the next round comes at once."""
        assert self._workers is not None
        if self._workers.running:
            end = self.clock() + seconds
            self._collect(end)
            if not self.pending:
                return
            seconds = max(0.0, end - self.clock())
        self.sleep(seconds)

    def _take(self, outcome: Finished[dict[int, ExportJob | ExportctlError]]) -> None:
        group, indexes = cast("tuple[list[Tracked], list[int]]", outcome.tag)
        for tracked in group:
            self._busy.discard(id(tracked))
        results = outcome.result()
        for tracked, index in zip(group, indexes, strict=True):
            if tracked.decided:
                continue
            result = results[index]
            if isinstance(result, ExportJob):
                self._update(tracked, result)
            elif isinstance(result, NotFoundError):
                self._lost(tracked, result)
            elif transient(result):
                tracked.error = result
            else:
                raise result

    def _update(self, tracked: Tracked, job: ExportJob) -> None:
        previous = tracked.job
        tracked.job = job
        tracked.error = None
        # Decided before anything is said of it: a signal just after the line that
        # shows the job COMPLETED must not find it still pending.
        if self.until.met(job):
            tracked.outcome = Outcome.MET
        elif self.until.missed(job):
            tracked.outcome = Outcome.MISSED
        if previous is None:
            # Later rounds ask by the job's full reference: a Personalize name
            # needs no more listing once its ARN is known.
            from exportctl.services.refs import parse

            tracked.key = parse(job.ref)
            tracked.since = self.clock()
            self.on_event(Event("seen", tracked))
        elif (previous.status, previous.state) != (job.status, job.state):
            tracked.since = self.clock()
            self.on_event(Event("changed", tracked, before=previous))
        if tracked.outcome is Outcome.MET:
            self.on_event(Event("met", tracked))
        elif tracked.outcome is Outcome.MISSED:
            self.on_event(Event("missed", tracked))

    def _lost(self, tracked: Tracked, error: NotFoundError) -> None:
        tracked.error = error
        tracked.outcome = Outcome.GONE if tracked.job else Outcome.NOT_FOUND
        self.on_event(Event("gone", tracked, message=error.message))


@dataclass
class Watched:
    """A job on the watch board; ``ended`` is the clock time it was last seen ending."""

    job: ExportJob
    since: float
    ended: float | None = None


class Watcher:
    """Lists jobs every round: those not terminal and those that ended within ``keep``.

    New jobs appear as they are listed, jobs that end stay ``keep`` seconds, and a
    job no longer listed leaves at once. A service that fails a round is reported
    and tried again the next; refused credentials end the watch.
    """

    def __init__(
        self,
        jobs: Jobs,
        query: Any,
        *,
        keep: float,
        backoff: Backoff | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = interruptible_sleep,
        wall: Callable[[], Any] | None = None,
        rng: random.Random | None = None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        from dataclasses import replace

        from exportctl.domain.timeutil import now

        self.jobs = jobs
        # The state filter picks which jobs join the board; a job on it stays when it
        # moves to another state, so the listing itself is not filtered by state.
        self.states: frozenset[Any] = query.states
        self.query = replace(query, states=frozenset())
        self.keep = keep
        self.backoff = backoff or Backoff(factor=1.0)
        self.clock = clock
        self.sleep = sleep
        self.wall = wall or now
        self.rng = rng
        self.on_event = on_event or (lambda event: None)
        self.board: dict[str, Watched] = {}
        # Failures of the last round, by message: said once while they last.
        self.problems: set[str] = set()
        self.rounds = 0
        self.next_check: float | None = None
        # Every job of the last round's listing, also those not on the board.
        self.listed: list[ExportJob] = []

    def run(self) -> None:
        """Until interrupted (KeyboardInterrupt), or a failure no round can get past."""

        def before_sleep(delay: float) -> None:
            self.next_check = self.clock() + delay

        repeat(
            self._round,
            backoff=self.backoff,
            clock=self.clock,
            sleep=self.sleep,
            rng=self.rng,
            before_sleep=before_sleep,
        )

    def _round(self) -> bool:
        from datetime import timedelta

        self.rounds += 1
        self.next_check = None
        before = self.jobs.calls.snapshot()
        result = self.jobs.list(self.query)
        # Refused credentials and bad input (an unknown profile) do not mend by waiting.
        fatal = [
            e for e in result.failures if e.exit_code in (ExitCode.CREDENTIALS, ExitCode.USAGE)
        ]
        if fatal and not result.jobs:
            raise fatal[0]
        messages = {e.message for e in [*result.failures, *result.notices]}
        # Said once while it lasts, not every round.
        for message in sorted(messages - self.problems):
            self.on_event(Event("retrying", message=message))
        self.problems = messages
        self.listed = result.jobs
        now, wall = self.clock(), self.wall()
        listed: set[str] = set()
        for job in result.jobs:
            listed.add(job.ref)
            entry = self.board.get(job.ref)
            if entry is None:
                if self.states and job.state not in self.states:
                    continue
                ended = job.completed or job.updated or job.created
                if job.terminal and (ended is None or wall - ended > timedelta(seconds=self.keep)):
                    continue
                age = (wall - ended).total_seconds() if job.terminal and ended else 0.0
                entry = Watched(job, now, now - age if job.terminal else None)
                self.board[job.ref] = entry
                self.on_event(Event("seen", Tracked(job.ref, _key(job), job)))
                continue
            previous = entry.job
            entry.job = job
            if (previous.status, previous.state) != (job.status, job.state):
                entry.since = now
                entry.ended = now if job.terminal else None
                self.on_event(Event("changed", Tracked(job.ref, _key(job), job), before=previous))
        failed_services = {e.service for e in result.failures}
        for ref, entry in list(self.board.items()):
            if ref not in listed and entry.job.service not in failed_services:
                del self.board[ref]
                self.on_event(
                    Event("gone", Tracked(ref, _key(entry.job), entry.job), message="not listed")
                )
            elif entry.ended is not None and now - entry.ended > self.keep:
                del self.board[ref]
        after = self.jobs.calls.snapshot()
        calls = {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
        self.on_event(Event("round", calls=calls))
        return False

    def rows(self) -> list[Watched]:
        """Running jobs first, then those that ended, newest first within each."""
        from exportctl.ops.jobs import newest_first

        order = {
            job.ref: i for i, job in enumerate(newest_first([e.job for e in self.board.values()]))
        }
        return sorted(self.board.values(), key=lambda e: (e.job.terminal, order[e.job.ref]))


def _key(job: ExportJob) -> JobKey:
    from exportctl.services.refs import parse

    return parse(job.ref)


@dataclass
class Timing:
    """The clock, sleep and jitter the commands poll with; tests swap them for a fake
    clock, and a seeded jitter where the times printed must be the same every run."""

    clock: Clock = time.monotonic
    sleep: Sleep = interruptible_sleep
    rng: Callable[[], random.Random] = random.Random


TIMING = Timing()
