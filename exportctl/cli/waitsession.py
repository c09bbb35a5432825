"""One wait as a person or a pipeline sees it: the live view or its lines, the event
lines of -o ndjson, and the outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from exportctl.cli import stdout
from exportctl.cli.context import AppContext
from exportctl.cli.estimates import ETA_FIELDS
from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.output.formats import emit
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec, Records

if TYPE_CHECKING:
    from exportctl.cli.estimates import Estimates
    from exportctl.cli.events import EventSink
    from exportctl.cli.fetching import Fetcher
    from exportctl.ops.polling.events import Event
    from exportctl.ops.polling.outcome import Tracked, WaitResult
    from exportctl.ops.polling.waiter import Waiter


class Session:
    """Shows one wait as it goes, and its outcome."""

    def __init__(
        self,
        app: AppContext,
        waiter: Waiter,
        out: OutputSpec,
        *,
        quiet: bool,
        region: str | None,
        single: bool,
        fetcher: Fetcher | None = None,
        estimates: Estimates | None = None,
        sink: EventSink | None = None,
        timeout_given: float | None = None,
        known: Mapping[str, ExportJob] | None = None,
    ) -> None:
        self.sink = sink
        # What a start or a cancel knows of a job (by the reference given): its
        # record, should no read of it succeed.
        self.known = dict(known or {})
        # The --timeout as the user gave it, not what was left of it after a start.
        self.timeout_given = timeout_given
        self.fetcher = fetcher
        self.estimates = estimates
        self.app = app
        self.waiter = waiter
        self.out = out
        self.quiet = quiet
        # The region the references it prints may leave out.
        self.region = region
        self.single = single
        self._printed = False

    def run(self) -> ExitCode:
        from exportctl.output.display import Display
        from exportctl.output.live import WaitView, ended_on_error

        app = self.app
        eta = self.estimates.short if self.estimates else None
        view = (
            None
            if self.quiet or self.out.machine
            else WaitView(
                self.waiter,
                self.region,
                eta,
                accounts=app.many_accounts,
                downloads=self.fetcher.lines if self.fetcher else None,
            )
        )
        console = app.err if self.out.machine else app.out
        display = Display(console, view, self.region, eta)

        def on_event(event: Event) -> None:
            if self.sink is not None:
                self.sink.handle(event)
            tracked = event.tracked
            if event.kind == "changed" and tracked and tracked.job and self.estimates:
                self.estimates.observe(event.before, tracked.job)
            if event.kind == "round":
                # The round's lines, before what is said of the round.
                display.flush()
                stdout.check_reader()
                if app.debug:
                    summary = ", ".join(
                        f"{s}.{op}={n}" for (s, op), n in sorted(event.calls.items())
                    )
                    app.err.print(
                        f"exportctl: debug: round {self.waiter.rounds}: API calls: "
                        f"{summary or 'none'}",
                        markup=False,
                        soft_wrap=True,
                    )
                return
            if self.fetcher is not None and event.kind == "met" and event.tracked:
                # Fetched now, beside the rounds that wait for the other jobs.
                if not self.quiet:
                    display.event(event)
                    display.flush()
                self.fetcher.fetch(event.tracked, display)
                return
            if self.quiet:
                return
            if event.kind == "retrying":
                # On a terminal the live view shows it below the table while it lasts.
                if event.message and not display.is_live:
                    app.notice(f"retrying after: {event.message}")
                return
            display.event(event)

        self.waiter.on_event = on_event
        try:
            with display:
                # While its downloads finish, the live view says how the wait ended:
                # its last round's pending count would say it goes on.
                ending = view if self.fetcher is not None else None
                try:
                    result = self.waiter.run()
                except ExportctlError as error:
                    if ending is not None:
                        ending.ended = ended_on_error(error.message)
                    self._fetched()
                    raise
                if ending is not None:
                    ending.ended = self._ended(result)
                self._fetched()
        except KeyboardInterrupt:
            return self.interrupted()
        except ExportctlError:
            # stdout stays valid JSON whatever ends the wait.
            self.records(failed=True)
            raise
        self._report(result)
        return result.exit_code

    def _fetched(self) -> None:
        """The wait has ended, whatever ended it but a signal: what it saw COMPLETED is
        fetched before the command ends (the live view shows how far)."""
        if self.fetcher is not None:
            self.fetcher.finish()

    def interrupted(self) -> ExitCode:
        """Says what a signal left (the downloads it cut short, the jobs still
        pending); the exit code it gives."""
        from exportctl.ops import interrupts

        word = interrupts.word()
        cuts = self.fetcher.abandon() if self.fetcher else []
        pending = self.waiter.pending
        if not self.quiet:
            for cut in cuts:
                self.app.error(f"{word}; {cut}")
            if pending:
                self._pending(word, pending)
            elif not cuts:
                self.app.error(word)
        return ExitCode(interrupts.exit_code())

    def records(self, *, failed: bool) -> None:
        """The jobs as last read: in the chosen format, or for people the table
        --fields or -o wide asks for (the live view is the plain table's);
        ``failed``: the wait ended in an error (:attr:`Records.failed`)."""
        if self._printed:
            return
        self._printed = True
        if self.sink is not None and self.sink.lines:
            # -o ndjson: the jobs went out as events, each as it changed.
            return
        read = [t.job for t in self.waiter.tracked if t.job is not None]
        jobs = [
            job
            for t in self.waiter.tracked
            if (job := t.job if t.job is not None else self.known.get(t.ref)) is not None
        ]
        if not self.out.machine:
            if jobs and (self.out.fields or self.out.wide):
                from exportctl.cli.estimates import Estimates
                from exportctl.cli.output import print_job_table

                estimates = self.estimates or Estimates(self.app)
                print_job_table(self.app, jobs, self.out, estimates)
            return
        emit(
            self.out,
            Records(
                jobs,
                to_dict=self.estimates.record if self.estimates else ExportJob.to_dict,
                table=_no_table,
                default_fields=JOB_DEFAULT_FIELDS,
                single=self.single,
                known_fields=(*JOB_RECORD_FIELDS, *ETA_FIELDS),
                failed=lambda: failed,
            ),
        )
        if read:
            from exportctl.ops import refcache

            refcache.remember_jobs(
                read,
                self.region,
                accounts=self.app.many_accounts,
                where=self.app.credentials_named(),
            )

    def _report(self, result: WaitResult) -> None:
        from exportctl.ops.polling.outcome import Outcome

        if self.quiet:
            return
        said: set[str] = set()
        for tracked in result.tracked:
            if tracked.outcome in (Outcome.MISSED, Outcome.GONE, Outcome.NOT_FOUND):
                # What could not be searched for it (accounts that refused), as
                # `status` says it: once, before the error.
                for notice in tracked.error.notices if tracked.error else ():
                    if notice.message not in said:
                        said.add(notice.message)
                        self.app.notice(notice.message)
                self.app.error(_why(tracked, self.waiter.until.describe()))
        if result.timed_out:
            self._pending(f"timed out after {self._timeout_said()}", self.waiter.pending)
        elif result.exit_code == ExitCode.OK and not self.out.machine:
            count = len(result.tracked)
            noun = "job" if count == 1 else "jobs"
            word = self.waiter.until.describe()
            outcome = (
                word if word in ("COMPLETED", "FAILED", "CANCELLED") else f"met --until {word}"
            )
            self.app.out.print(f"{count} {noun} {outcome}", markup=False, soft_wrap=True)

    def _ended(self, result: WaitResult) -> str | None:
        """How the wait ended, as its last lines say it, shortened for the live view's
        footer (``1 job ended FAILED, not COMPLETED``); None if every job met it."""
        from collections import Counter

        from exportctl.ops.polling.outcome import Outcome

        if result.timed_out:
            return f"timed out after {self._timeout_said()}"
        wanted = self.waiter.until.describe()
        whys: Counter[str] = Counter()
        for tracked in result.tracked:
            job = tracked.job
            if tracked.outcome is Outcome.MISSED and job is not None:
                whys[
                    f"ended {job.state.value}, not {wanted}"
                    if job.terminal
                    else f"can no longer be {wanted}"
                ] += 1
            elif tracked.outcome is Outcome.GONE:
                whys["disappeared"] += 1
            elif tracked.outcome is Outcome.NOT_FOUND:
                whys["not found"] += 1
        said = [f"{n} {'job' if n == 1 else 'jobs'} {why}" for why, n in whys.items()]
        return "; ".join(said) or None

    def _timeout_said(self) -> str:
        """The --timeout that ended the wait, as the user gave it (``2s``, ``500ms``)."""
        from exportctl.domain.timeutil import given_duration

        given = self.waiter.timeout if self.timeout_given is None else self.timeout_given
        return given_duration(given or 0)

    def _pending(self, what: str, pending: Sequence[Tracked]) -> None:
        if self.quiet:
            return
        self.app.error(f"{what}; still pending: {still_pending(pending)}")


def still_pending(pending: Sequence[Tracked]) -> str:
    """The jobs still pending as a timeout or an interrupt names them: so many as the
    line has room for, the others counted (hundreds named would be cut where an
    error line is clipped, the rest unsaid)."""
    shown: list[str] = []
    room = _ROOM
    for tracked in pending[:_NAMED]:
        text = _now(tracked)
        if shown and len(text) + 2 > room:
            break
        shown.append(text)
        room -= len(text) + 2
    more = f"; and {len(pending) - len(shown)} more" if len(pending) > len(shown) else ""
    return ("; ".join(shown) or "none") + more


# The pending jobs a timeout or an interrupt names at most (--json has them all), and
# the characters they may take: an error line is clipped at 2,000.
_NAMED = 20
_ROOM = 1_500


def _now(tracked: Tracked) -> str:
    job = tracked.job
    if job is None:
        return f"{tracked.label} (not read yet)"
    return f"{tracked.label} {job.said_state}"


def _why(tracked: Tracked, wanted: str) -> str:
    from exportctl.ops.polling.outcome import Outcome

    job = tracked.job
    if tracked.outcome is Outcome.NOT_FOUND:
        return f"{tracked.ref}: not found: {tracked.error.message if tracked.error else ''}"
    if tracked.outcome is Outcome.GONE:
        return f"{tracked.label}: disappeared while waiting for {wanted}"
    assert job is not None
    message = f": {' '.join(job.message.split())}" if job.message else ""
    if not job.terminal:
        return f"{job.ref}: {job.said_state} can no longer be {wanted}{message}"
    return f"{job.ref}: ended {job.said_state}, not {wanted}{message}"


def _no_table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
    raise AssertionError("wait prints no table of records")
