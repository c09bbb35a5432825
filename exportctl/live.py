"""What `wait` and `watch` show while they poll: a live table, and one line per change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from exportctl.model import ExportJob
from exportctl.refs import short_ref
from exportctl.render import STATE_STYLES
from exportctl.timeutil import human_duration, now

if TYPE_CHECKING:
    from exportctl.polling import Event, Tracked, Waiter, Watcher

_BAR_WIDTH = 20
_MIN_MESSAGE = 10
_OUTCOME_MARKS = {"met": "✓", "missed": "✗", "gone": "✗", "not found": "✗"}


def elapsed(job: ExportJob, reference: datetime | None = None) -> str:
    """How long the job has run, or ran."""
    if job.created is None:
        return ""
    end = job.completed if job.terminal and job.completed else reference or now()
    return human_duration((end - job.created).total_seconds())


def progress_cell(job: ExportJob) -> RenderableType | None:
    progress = job.progress
    if progress is None or progress.fraction is None or job.terminal:
        return None
    done = progress.completed_pieces or 0
    grid = Table.grid(padding=(0, 1))
    grid.add_row(
        ProgressBar(total=progress.total_pieces, completed=done, width=_BAR_WIDTH),
        f"{done}/{progress.total_pieces}",
    )
    return grid


def _status_line(job: ExportJob) -> str:
    # The vendor's word only where it says more than the state.
    if job.status == job.state.value:
        return job.state.value
    return f"{job.state.value} ({job.status or '-'})"


def event_line(event: Event, default_region: str | None, stamp: str) -> Text | None:
    """The line a change leaves in the scrollback (or the whole output, off a terminal)."""
    tracked = event.tracked
    job = tracked.job if tracked else None
    ref = short_ref(job, default_region) if job else tracked.ref if tracked else ""
    line = Text(f"{stamp}  ")
    if event.kind == "seen" and job:
        line.append(ref + "  ")
        line.append(_status_line(job), style=STATE_STYLES[job.state])
        extra = _detail(job)
        if extra:
            line.append(f"  {extra}")
        return line
    if event.kind == "changed" and job and event.before:
        line.append(ref + "  ")
        line.append(_status_line(event.before), style=STATE_STYLES[event.before.state])
        line.append(" -> ")
        line.append(_status_line(job), style=STATE_STYLES[job.state])
        extra = _detail(job)
        if extra:
            line.append(f"  {extra}")
        return line
    if event.kind == "gone":
        line.append(f"{ref}  ")
        line.append("no longer found", style="bold red")
        if event.message:
            line.append(f": {event.message}")
        return line
    if event.kind == "retrying" and event.message:
        line.append("retrying after: ", style="yellow")
        line.append(event.message)
        return line
    return None


def _detail(job: ExportJob) -> str:
    progress = job.progress
    if progress and progress.total_pieces and not job.terminal:
        return f"{progress.completed_pieces or 0}/{progress.total_pieces} pieces"
    return " ".join((job.message or "").split())


def _message_width(width: int, refs: Sequence[str], statuses: Sequence[str]) -> int:
    """What is left for the message once the other columns have their full width."""
    ref = max((len(r) for r in refs), default=3)
    status = min(28, max([10, *(len(s) for s in statuses)]))
    return max(_MIN_MESSAGE, width - (1 + 12 + ref + 9 + status + 7) - 2 * 6)


def _refs(
    jobs: Sequence[ExportJob | None],
    given: Sequence[str],
    default_region: str | None,
    width: int,
    statuses: Sequence[str],
) -> list[str]:
    """The references to show: ARNs give way to compact forms when they would fold."""
    refs = [short_ref(j, default_region) if j else g for j, g in zip(jobs, given, strict=True)]
    if _message_width(width, refs, statuses) > _MIN_MESSAGE:
        return refs
    from exportctl.refs import compact_ref

    return [compact_ref(j, default_region) if j else g for j, g in zip(jobs, given, strict=True)]


def _table(message_width: int | None = None) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("", no_wrap=True, width=1)
    table.add_column("SERVICE", no_wrap=True, min_width=12)
    # The reference folds rather than being cut: it is what people copy.
    table.add_column("REF", overflow="fold")
    table.add_column("STATE", no_wrap=True, min_width=9)
    table.add_column("STATUS", no_wrap=True, min_width=10, max_width=28)
    table.add_column("ELAPSED", no_wrap=True, min_width=7, justify="right")
    # On a narrow terminal the message shrinks first.
    table.add_column(
        "PROGRESS / MESSAGE", no_wrap=True, overflow="ellipsis", max_width=message_width
    )
    return table


def _row(
    table: Table, mark: Text, job: ExportJob | None, ref: str, note: str | None, reference: datetime
) -> None:
    if job is None:
        table.add_row(mark, "", ref, Text("…", style="dim"), "", "", note or "")
        return
    table.add_row(
        mark,
        job.service,
        ref,
        Text(job.state.value, style=STATE_STYLES[job.state]),
        job.status or "-",
        elapsed(job, reference),
        progress_cell(job) or " ".join((note or job.message or "").split()),
    )


def _footer(
    rounds: int, next_check: float | None, clock: Callable[[], float], extra: str = ""
) -> Text:
    parts = [f"round {rounds}"]
    if next_check is not None:
        parts.append(f"next check in {human_duration(max(0.0, next_check - clock()))}")
    if extra:
        parts.append(extra)
    return Text(" · ".join(parts), style="dim")


class WaitView:
    """The live table of a wait: one row per job; rendered again on each refresh."""

    def __init__(self, waiter: Waiter, default_region: str | None) -> None:
        self.waiter = waiter
        self.default_region = default_region

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        reference = now()
        tracked_jobs = self.waiter.tracked
        statuses = [t.job.status for t in tracked_jobs if t.job]
        refs = _refs([t.job for t in tracked_jobs], [t.ref for t in tracked_jobs],
                     self.default_region, options.max_width, statuses)  # fmt: skip
        table = _table(_message_width(options.max_width, refs, statuses))
        for tracked, ref in zip(tracked_jobs, refs, strict=True):
            self._add(table, tracked, ref, reference)
        pending = len(self.waiter.pending)
        extra = f"{pending} of {len(self.waiter.tracked)} pending"
        yield table
        yield _footer(self.waiter.rounds, self.waiter.next_check, self.waiter.clock, extra)
        for problem in sorted(self.waiter.problems):
            yield Text(f"retrying after: {problem}", style="yellow")

    def _add(self, table: Table, tracked: Tracked, ref: str, reference: datetime) -> None:
        job = tracked.job
        outcome = tracked.outcome.value
        mark = Text(_OUTCOME_MARKS.get(outcome, " "), style="green" if outcome == "met" else "red")
        note = tracked.error.message if tracked.error else None
        _row(table, mark, job, ref, note, reference)


class WatchView:
    """The live board of `watch`: jobs not terminal, then those that ended lately."""

    def __init__(self, watcher: Watcher, default_region: str | None) -> None:
        self.watcher = watcher
        self.default_region = default_region

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        reference = now()
        rows = self.watcher.rows()
        statuses = [e.job.status for e in rows]
        jobs: list[ExportJob | None] = [e.job for e in rows]
        refs = _refs(jobs, [e.job.ref for e in rows], self.default_region, options.max_width,
                     statuses)  # fmt: skip
        table = _table(_message_width(options.max_width, refs, statuses))
        for entry, ref in zip(rows, refs, strict=True):
            job = entry.job
            mark = Text(" ")
            if job.terminal:
                mark = Text("✓" if job.state.value == "COMPLETED" else "✗",
                            style="green" if job.state.value == "COMPLETED" else "red")  # fmt: skip
            _row(table, mark, job, ref, None, reference)
        running = sum(1 for e in rows if not e.job.terminal)
        extra = f"{running} running · {len(rows) - running} ended lately · Ctrl-C to quit"
        body: list[RenderableType] = [table] if rows else [Text("No export jobs running.")]
        body.append(
            _footer(self.watcher.rounds, self.watcher.next_check, self.watcher.clock, extra)
        )
        body.extend(
            Text(f"retrying after: {p}", style="yellow") for p in sorted(self.watcher.problems)
        )
        yield from body


class Display:
    """A live view on a terminal; elsewhere, and in the scrollback, one line per event."""

    def __init__(
        self, console: Console, view: RenderableType | None, default_region: str | None
    ) -> None:
        self.console = console
        self.view = view
        self.default_region = default_region
        self.live: Live | None = None

    @property
    def is_live(self) -> bool:
        return self.live is not None

    def __enter__(self) -> Display:
        if self.view is not None and self.console.is_terminal:
            self.live = Live(
                self.view,
                console=self.console,
                refresh_per_second=4,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            # Also on Ctrl-C: the cursor comes back and the last frame stays.
            self.live.stop()
            self.live = None

    def event(self, event: Event) -> None:
        stamp = now().astimezone().strftime("%H:%M:%S")
        line = event_line(event, self.default_region, stamp)
        if line is not None:
            self.print(line)

    def print(self, line: Text) -> None:
        self.console.print(line, soft_wrap=True)
        if self.live is not None:
            self.live.refresh()
