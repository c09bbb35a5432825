"""`watch`'s rounds: each lists the jobs again and updates the board."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exportctl.domain.errors import EndpointGone, ExitCode, ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.ops.polling.events import Event, Told
from exportctl.ops.polling.outcome import Tracked
from exportctl.ops.polling.schedule import Backoff, repeat
from exportctl.ops.polling.timing import Clock, Sleep, interruptible_sleep

if TYPE_CHECKING:
    from exportctl.ops.jobs import Jobs
    from exportctl.services.refs import JobKey


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
        # The failures of the round that ended the watch, all of them (it raises the first).
        self.failures: list[ExportctlError] = []
        # Told how far each round's listing is, once it has taken a second.
        self.on_progress: Callable[[str | None], None] | None = None
        # Each told once while it lasts.
        self._told = Told()
        self._noted = Told()
        self.rounds = 0
        # A round counts from its start; the board has nothing to count until a
        # listing has answered (a slow or frozen service holds the first for long),
        # and one whose every target failed has read nothing either.
        self.read = False
        self.next_check: float | None = None
        # Every job of the last round's listing, also those not on the board.
        self.listed: list[ExportJob] = []
        self._stopped = threading.Event()
        # halt(): the round in progress is not taken for one either.
        self._halted = False
        # Jobs seen ended on the board: told once, never added again (a service's
        # clock ahead of this one's would make one dropped after --keep look new).
        self._done: set[str] = set()
        # Jobs seen running while the state filter kept them off the board: one that
        # joins it ended, ended while watched, however long ago its times say.
        self._running: set[str] = set()
        # Services that answered a round: a job of theirs first listed ended later
        # started and ended between two rounds (not one a refused round hid).
        self._answered: set[str] = set()

    def run(self) -> None:
        """Until interrupted (KeyboardInterrupt), :meth:`stop`, or a failure no round
        can get past."""

        def before_sleep(delay: float) -> None:
            self.next_check = self.clock() + delay

        if self._stopped.is_set():
            return
        try:
            repeat(
                self._round,
                backoff=self.backoff,
                clock=self.clock,
                sleep=self._pause,
                rng=self.rng,
                before_sleep=before_sleep,
            )
        except _Stopped:
            self.next_check = None

    def stop(self) -> None:
        """End :meth:`run`, from any thread: at once between rounds, else once the
        round in progress has listed (and told its events)."""
        self._stopped.set()

    def halt(self) -> None:
        """:meth:`stop`, the round in progress too: its listing, which whoever halts
        the watch stops (its clients closed), is not taken for a round, and nothing
        of it is told (not read whole, its missing jobs would be said gone)."""
        self._halted = True
        self._stopped.set()

    def _pause(self, seconds: float) -> None:
        """The wait between rounds, cut short by :meth:`stop`."""
        if self.sleep is interruptible_sleep:
            interruptible_sleep(seconds, until=self._stopped)
        else:
            self.sleep(seconds)
        if self._stopped.is_set():
            raise _Stopped

    def _round(self) -> bool:
        from datetime import timedelta

        self.rounds += 1
        self.next_check = None
        before = self.jobs.calls.snapshot()
        result = self.jobs.list(self.query, on_progress=self.on_progress)
        if self._halted:
            raise _Stopped
        # The failures of a round that some target answered, or that waiting may mend
        # (one target throttled while the others refuse), are retried. One whose every
        # target refused its credentials or access, was given bad input (an unknown
        # profile) or found its server gone ends the watch, as `list` ends with them,
        # its notices said first.
        if not result.answered and result.failures and all(map(_lasting, result.failures)):
            self._notices(result.notices)
            self.failures = list(result.failures)
            raise result.failures[0]
        for message in self._told.update(result.failures):
            self.on_event(Event("retrying", message=message))
        self.problems = self._told.current
        self._notices(result.notices)
        self.listed = result.jobs
        now, wall = self.clock(), self.wall()
        # A service refused this round (a failure, or a notice in a listing of all):
        # its jobs are not gone for not being listed. One of no service (an account
        # out of reach) may be any job's.
        troubled = {e.service for e in [*result.failures, *result.notices]}
        answered = set(self._answered)
        listed: set[str] = set()
        for job in result.jobs:
            listed.add(job.ref)
            entry = self.board.get(job.ref)
            if entry is None:
                if job.ref in self._done:
                    continue
                if self.states and job.state not in self.states:
                    if not job.terminal:
                        self._running.add(job.ref)
                    continue
                watched = job.ref in self._running
                ended = job.completed or job.updated or job.created
                if (
                    job.terminal
                    and not watched
                    and (ended is None or wall - ended > timedelta(seconds=self.keep))
                ):
                    continue
                self._running.discard(job.ref)
                age = (wall - ended).total_seconds() if job.terminal and ended else 0.0
                entry = Watched(job, now, now - max(age, 0.0) if job.terminal else None)
                self.board[job.ref] = entry
                tracked = Tracked(job.ref, _key(job), job)
                self.on_event(Event("seen", tracked))
                if job.terminal:
                    self._done.add(job.ref)
                    if watched or job.service in answered:
                        # Seen running, or started and ended between two rounds of a
                        # service that answered: it ended while watched (the first
                        # round's jobs ended before).
                        self.on_event(Event("ended", tracked))
                continue
            previous = entry.job
            entry.job = job
            if (previous.status, previous.state) != (job.status, job.state):
                entry.since = now
                entry.ended = now if job.terminal else None
                if job.terminal:
                    self._done.add(job.ref)
                self.on_event(Event("changed", Tracked(job.ref, _key(job), job), before=previous))
        if None not in troubled:
            self._answered |= {job.service for job in result.jobs} | (
                set(self.query.services or _every_service()) - troubled
            )
        for ref, entry in list(self.board.items()):
            if ref not in listed and None not in troubled and entry.job.service not in troubled:
                del self.board[ref]
                self.on_event(
                    Event("gone", Tracked(ref, _key(entry.job), entry.job), message="not listed")
                )
            elif entry.ended is not None and now - entry.ended > self.keep:
                del self.board[ref]
        # A notice is a target out of reach for good: the rest is all there is to read,
        # as `list` prints its table then.
        self.read = self.read or result.answered or bool(result.notices)
        self.on_event(Event("round", calls=self.jobs.calls.since(before)))
        return False

    def _notices(self, notices: list[ExportctlError]) -> None:
        # A target out of reach (the listing's failure rule: a notice, as `list` says
        # it) stays so whatever a round waits: said once, never as retried.
        fresh = self._noted.said_now(notices)
        # In the listing's order, as `list` says them (their count last).
        for message in dict.fromkeys(fresh[e.message] for e in notices if e.message in fresh):
            self.on_event(Event("notice", message=message))

    def rows(self) -> list[Watched]:
        """Running jobs first, then those that ended, newest first within each."""
        from exportctl.domain.model import newest_first

        order = {
            job.ref: i for i, job in enumerate(newest_first([e.job for e in self.board.values()]))
        }
        return sorted(self.board.values(), key=lambda e: (e.job.terminal, order[e.job.ref]))


class _Stopped(Exception):
    """A watch told to stop, ending its run."""


def _lasting(error: ExportctlError) -> bool:
    """A failure no later round mends by itself."""
    lasting = (ExitCode.CREDENTIALS, ExitCode.USAGE)
    return error.exit_code in lasting or isinstance(error, EndpointGone)


def _every_service() -> list[str]:
    from exportctl.services import service_names

    return list(service_names())


def _key(job: ExportJob) -> JobKey:
    from exportctl.services.refs import parse

    return parse(job.ref)
