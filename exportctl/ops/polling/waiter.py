"""`wait`'s rounds: each refreshes the jobs still pending, on worker threads, until
every one is decided or the deadline comes (see the package's docstring)."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from exportctl.aws.deadlines import deadline
from exportctl.aws.errorcodes import THROTTLING_CODES
from exportctl.aws.translate import answer_of
from exportctl.domain.errors import (
    AwsError,
    BrokenAnswerError,
    ExportctlError,
    NotFoundError,
    UsageError,
)
from exportctl.domain.model import ExportJob
from exportctl.ops.polling.events import Event, Told
from exportctl.ops.polling.outcome import Outcome, Tracked, WaitResult
from exportctl.ops.polling.schedule import Backoff, repeat
from exportctl.ops.polling.timing import SLEEP_SLICE, Clock, Sleep, interruptible_sleep
from exportctl.ops.workers import Outcome as Finished
from exportctl.ops.workers import Workers

if TYPE_CHECKING:
    from exportctl.ops.conditions import Until
    from exportctl.ops.jobs import Jobs
    from exportctl.services.refs import JobKey


# Broken answers in a row about a job read well before, left for the next round.
BROKEN_ROUNDS = 3


def transient(exc: ExportctlError) -> bool:
    """A failure a later round may not meet: throttling, 5xx, the network."""
    if type(exc) is not AwsError:
        return False
    said = answer_of(exc.__cause__)
    if said is not None:
        status = said.status or 0
        return said.code in THROTTLING_CODES or status == 429 or status >= 500
    return True


class Waiter:
    """Polls jobs until each meets ``until`` or can no longer; see the package's docstring."""

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
        # Each told once while it lasts.
        self._told = Told()
        # The calls of a round run on these threads; a job whose call is still running
        # (deep in botocore's retries) sits the next rounds out, and the others go on.
        self._workers: Workers[dict[int, ExportJob | ExportctlError]] | None = None
        self._busy: set[int] = set()
        # When --timeout runs out, in ``clock``'s time (None: never).
        self._ends: float | None = None
        seen: dict[JobKey, Tracked] = {}
        for ref, key in targets:
            seen.setdefault(key, Tracked(ref, key))
        # The same job named twice is waited on once.
        self.tracked = list(seen.values())

    def run(self) -> WaitResult:
        self._ends = None if self.timeout is None else self.clock() + self.timeout
        # The deadline bounds this wait's calls too, botocore's retries and read
        # timeouts included, in the monotonic time they are made in; it is this
        # wait's alone (its context's), not its client's: another thread's calls
        # on the same client are not held to it.
        with deadline(None if self.timeout is None else time.monotonic() + self.timeout):
            return self._polled()

    def _polled(self) -> WaitResult:
        def before_sleep(delay: float) -> None:
            self.next_check = self.clock() + delay

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
            # Calls still running are left to end on their own: nobody waits for them.
            self._workers.close()
            self._workers = None
            self._busy.clear()
            # Whatever ended the wait, an error too, no check is to come.
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
        self.on_event(Event("round", calls=self.jobs.calls.since(before)))
        told = self._told.update(t.error.message for t in self.pending if t.error)
        if self._ends is None or self.clock() < self._ends:
            # Past the timeout nothing is retried: the failure (often the read the
            # deadline cut) is the timeout's, which the wait's end says.
            for message in told:
                self.on_event(Event("retrying", message=message))
        self.problems = self._told.current
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
            self.take(tracked, results[index])

    def take(self, tracked: Tracked, result: ExportJob | ExportctlError) -> None:
        """What one round read of one job: the job, or the error that kept it from
        us (raised again unless transient or "not found"). Public for a poller that
        runs the rounds itself (:class:`exportctl.api.AsyncClient`, on an event loop)."""
        if tracked.decided:
            return
        if isinstance(result, ExportJob):
            tracked.broken = 0
            self._update(tracked, result)
        elif isinstance(result, NotFoundError):
            self._lost(tracked, result)
        elif transient(result) or self._broken_once(tracked, result):
            tracked.error = result
        else:
            raise result

    @staticmethod
    def _broken_once(tracked: Tracked, error: ExportctlError) -> bool:
        """A broken answer about a job already read well: a connection cut midway or
        a proxy's bad moment, left for the next round, as a 5xx is; a first answer
        broken (an endpoint that is no service), or several in a row, ends the wait."""
        if not isinstance(error, BrokenAnswerError) or tracked.job is None:
            return False
        tracked.broken += 1
        return tracked.broken <= BROKEN_ROUNDS

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

            # An answer whose ARN is not of its documented form cannot be read back
            # (an emulator's): the key that read the job still reads it.
            with contextlib.suppress(UsageError):
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
