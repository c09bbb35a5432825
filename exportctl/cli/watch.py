"""`exportctl watch`: a live board of the export jobs running now, until Ctrl-C."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli import stdout
from exportctl.cli.context import AppContext, notice_line, pass_app
from exportctl.cli.events import EventSink, exec_option
from exportctl.cli.examples import epilog
from exportctl.cli.options import (
    ScopedCommand,
    duration_option,
    filter_options,
    scope_of,
    service_option,
)
from exportctl.cli.output import shaping_options
from exportctl.cli.paramtypes import Choice
from exportctl.domain.errors import ExportctlError, UsageError
from exportctl.output.outputspec import JOB_RECORD_FIELDS, OutputSpec

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob
    from exportctl.ops.polling.events import Event
    from exportctl.ops.polling.outcome import Tracked
    from exportctl.ops.polling.watcher import Watcher
    from exportctl.output.display import Display


@click.command(
    cls=ScopedCommand,
    epilog=epilog(
        "exportctl --sandbox watch",
        "exportctl --sandbox watch --status running --keep 1h",
        "exportctl watch --region all --interval 30s",
    ),
)
@service_option(multiple=True, help="Only this service (repeatable; default: every service).")
@filter_options
@duration_option("--keep", default="10m", help="How long a job that ended stays on the board.")
@duration_option("--interval", default="5s", help="Delay between refreshes.")
@click.option(
    "--output",
    "-o",
    type=Choice(("table", "ndjson"), case_sensitive=False),
    default="table",
    help="table (the live board, or a line a change off a terminal), or ndjson: one "
    'event a line on stdout, {"type": ADDED|MODIFIED|ENDED|DELETED, "job": record}.',
)
@shaping_options(JOB_RECORD_FIELDS)
@exec_option("ends")
@pass_app
@click.pass_context
def watch(
    ctx: click.Context,
    app: AppContext,
    /,
    services: tuple[str, ...],
    states: tuple[str, ...],
    since: object,
    keep: float,
    interval: float,
    out: OutputSpec,
    exec_command: str | None,
    **scope: Any,
) -> None:
    """Watch export jobs: those running, and those that ended in the last --keep.

    Each refresh lists the services as `exportctl list` does, with the same
    filters; new jobs appear, jobs that end are marked and leave after --keep.
    Off a terminal, each new job and each change of state is printed as a line.
    Ctrl-C is how a watch ends: exit 0. Credentials or access refused by every
    target end it with exit 4; other failures are shown and retried at the next
    refresh.

    With -o ndjson, --fields and --query shape the job of each event line as
    `wait -o ndjson` does, the type kept: --query applies to the job record
    (after --fields), not to the whole event, so `--query state` prints
    {"type": "ENDED", "job": "COMPLETED"}; --exec still gets the job whole. The
    board and the lines for people are not shaped, so without -o ndjson both
    options are refused (exit 2).
    """
    from exportctl.ops import interrupts

    try:
        code = _watch(app, services, states, since, keep, interval, out, exec_command, scope)
    except KeyboardInterrupt:
        # Before the first round too (the embedded sandbox starting, the clients
        # being made), Ctrl-C is the user ending the watch.
        code = None
    app.debug_calls()
    # Ctrl-C is how a watch ends (0); Ctrl-\, SIGTERM or SIGHUP is something else
    # ending it.
    if code is not None:
        ctx.exit(code)
    ctx.exit(0 if interrupts.word() == "interrupted" else interrupts.exit_code())


def _watch(
    app: AppContext,
    services: tuple[str, ...],
    states: tuple[str, ...],
    since: object,
    keep: float,
    interval: float,
    out: OutputSpec,
    exec_command: str | None,
    scope: dict[str, Any],
) -> int | None:
    """The watch, until Ctrl-C or a signal; the exit code of a round that ended it."""
    from datetime import datetime

    from exportctl.output.display import Display
    from exportctl.output.live import WatchView
    from exportctl.output.progress import progress_line

    check_shaping(out)
    # The one-line "no region" error, first.
    app.client.default_region()
    region = app.client.home_region()
    watcher = app.client.watching(
        services,
        states=states,
        since=since if isinstance(since, datetime) else None,
        keep=keep,
        interval=interval,
        **scope_of(scope),
    )
    from exportctl.cli.estimates import Estimates

    estimates = Estimates(app)
    lines = out.format == "ndjson"
    from exportctl.output.shaping import shaper

    sink = EventSink(
        app,
        lines=lines,
        exec_command=exec_command,
        ends_on_decision=False,
        shape=shaper(out) if out.fields or out.query else None,
    )
    # With event lines on stdout, people's view of the changes goes to stderr.
    accounts = app.many_accounts
    view = None if lines else WatchView(watcher, region, estimates.short, accounts=accounts)
    display = Display(app.err if lines else app.out, view, region, estimates.short)
    board_only = _BoardOnly(display, watcher, region, lambda: app.out.width, accounts=accounts)

    def on_event(event: Event) -> None:
        sink.handle(event)
        if event.kind == "changed" and event.tracked and event.tracked.job:
            estimates.observe(event.before, event.tracked.job)
        if event.kind == "round":
            # The round's lines, before what is said of the round.
            board_only.narrowed()
            display.flush()
            stdout.check_reader()
            # What this round listed is the history the estimates start from.
            estimates.learn(watcher.listed)
            if app.debug:
                summary = ", ".join(f"{s}.{op}={n}" for (s, op), n in sorted(event.calls.items()))
                app.err.print(
                    f"exportctl: debug: round {watcher.rounds}: API calls: {summary or 'none'}",
                    markup=False,
                    soft_wrap=True,
                )
            return
        if event.kind == "notice" and event.message:
            if display.is_live:
                # Above the board, in the scrollback: stderr would tear the live view.
                display.print(notice_line(event.message))
            else:
                app.notice(event.message)
            return
        if event.kind == "retrying":
            # The live board shows it below the table while it lasts.
            if event.message and not display.is_live:
                app.notice(f"retrying after: {event.message}")
            return
        if board_only.left_to_board(event):
            return
        display.event(event)

    watcher.on_event = on_event
    code: int | None = None
    try:
        with display:
            # How far a round's listing is, once it has taken a second: on the live
            # board, else as `list` shows it (stderr, if a terminal).
            watcher.on_progress = (
                view.progressed
                if view is not None and display.is_live
                else progress_line(streaming_to_terminal=sys.stdout.isatty())
            )
            watcher.run()
    except KeyboardInterrupt:
        pass
    except ExportctlError:
        if not watcher.failures:
            raise
        # The round that ended the watch: every failure, as `list` says them.
        code = app.report(watcher.failures)
    finally:
        # Ended by Ctrl-C: --exec commands still running got it too.
        sink.finish(0.0)
        estimates.save()
    return code


class _BoardOnly:
    """On a terminal the board shows the first round; the scrollback gets changes, and
    the references the board cannot show whole (never cut anywhere). A reference left
    to the board is printed whole once when a narrower terminal cuts it there."""

    def __init__(
        self,
        display: Display,
        watcher: Watcher,
        region: str | None,
        width: Callable[[], int],
        *,
        accounts: bool,
    ) -> None:
        self.display = display
        self.watcher = watcher
        self.region = region
        self.width = width
        self.accounts = accounts
        # The first round's jobs shown whole on the board alone, and the narrowest
        # width that was decided at.
        self._left: dict[str, Tracked] = {}
        self._decided_at: int | None = None

    def left_to_board(self, event: Event) -> bool:
        """Whether ``event`` is shown by the board alone; otherwise it is printed, its
        reference whole, and the board no longer holds it alone."""
        tracked = event.tracked
        job = tracked.job if tracked else None
        width = self.width()
        if not (
            self.display.is_live
            and event.kind == "seen"
            and self.watcher.rounds == 1
            and (job is None or self._whole(job, width))
        ):
            if tracked is not None:
                self._left.pop(tracked.ref, None)
            return False
        if tracked is not None:
            self._left[tracked.ref] = tracked
            self._decided_at = min(width, self._decided_at or width)
        return True

    def narrowed(self) -> None:
        """The references left to the board that a narrower terminal cuts there,
        printed whole (as each job is now)."""
        width = self.width()
        if self._decided_at is None or width >= self._decided_at:
            return
        from exportctl.ops.polling.events import Event

        self._decided_at = width
        for ref, tracked in list(self._left.items()):
            entry = self.watcher.board.get(ref)
            if entry is None:  # off the board: cut nowhere
                del self._left[ref]
            elif not self._whole(entry.job, width):
                del self._left[ref]
                self.display.event(Event("seen", replace(tracked, job=entry.job)))

    def _whole(self, job: ExportJob, width: int) -> bool:
        from exportctl.output.live import whole_on_board

        return whole_on_board(job, self.region, width, accounts=self.accounts)


def check_shaping(out: OutputSpec) -> None:
    """Refuse --fields and --query that would shape nothing, before anything is sent."""
    out.check_fields(JOB_RECORD_FIELDS)
    given = [name for name, value in (("--fields", out.fields), ("--query", out.query)) if value]
    if given and out.format != "ndjson":
        # The board and its change lines are for people, not records to cut up.
        raise UsageError(
            f"{' and '.join(given)} shape{'s' if len(given) == 1 else ''} the job of each "
            "event line: add -o ndjson (the board and its lines are for people)"
        )
