"""What `wait` and `watch` show while they poll: a live table, and one line per change."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from exportctl.domain.model import ExportJob, State
from exportctl.domain.printable import one_line
from exportctl.domain.timeutil import human_duration, now
from exportctl.output.columns import Column, Step, choose, cut
from exportctl.output.jobtable import name_ref, place_columns, state_cell
from exportctl.output.livefit import TableLines, fit_view, problem_lines
from exportctl.output.statestyles import STATE_STYLES
from exportctl.output.styledlines import styled_lines
from exportctl.services.refs import compact_ref, short_ref

if TYPE_CHECKING:
    from exportctl.ops.polling.events import Event
    from exportctl.ops.polling.waiter import Waiter
    from exportctl.ops.polling.watcher import Watched, Watcher

# A running job's estimated completion as a short cell ('' for none): ``eta ~15:35``.
EtaText = Callable[[ExportJob, datetime], str]
_ETA = "ETA (ESTIMATE)"

_BAR_WIDTH = 20
_MIN_MESSAGE = 20
_MESSAGE = "PROGRESS / MESSAGE"
_QUIT = "Ctrl-C to quit"
_OUTCOME_MARKS = {"met": "✓", "missed": "✗", "gone": "✗", "not found": "✗"}
# A progress bar's glyphs: what is done, a half cell of it, what remains. In colour
# the two parts are one line, told apart by their colours; without colour what
# remains is a lighter line (rich's own bar leaves it out: the bar's length would
# no longer say where it ends); where the encoding has no box drawing, ASCII.
_Glyphs = tuple[str, str, str]
_COLOUR_BAR: _Glyphs = ("━", "╸", "━")
_PLAIN_BAR: _Glyphs = ("━", "╸", "─")
_ASCII_BAR: _Glyphs = ("#", "", "-")


def elapsed(job: ExportJob, reference: datetime | None = None) -> str:
    """How long the job has run, or ran: it stops when the job ended (its completion
    time, else its last update), or at ``reference`` when the service gives neither."""
    if job.created is None:
        return ""
    end = (job.completed or job.updated) if job.terminal else None
    end = end or reference or now()
    return human_duration((end - job.created).total_seconds())


def _status_line(job: ExportJob) -> str:
    # The vendor's word only where it says more than the state.
    if job.status == job.state.value:
        return job.state.value
    return f"{job.state.value} ({one_line(job.status) or '-'})"


def event_parts(
    event: Event, default_region: str | None, stamp: str, eta: str = ""
) -> tuple[Text, Text] | None:
    """The line a change leaves in the scrollback (or the whole output, off a terminal),
    in two parts: the time and the reference, then what happened. ``eta`` is the job's
    estimate, for a job seen or changed and still running."""
    tracked = event.tracked
    job = tracked.job if tracked else None
    ref = short_ref(job, default_region) if job else tracked.ref if tracked else ""
    head = Text(f"{stamp}  {ref}" if ref else stamp)
    tail = Text()
    if event.kind == "seen" and job:
        tail.append(_status_line(job), style=STATE_STYLES[job.state])
    elif event.kind == "changed" and job and event.before:
        tail.append(_status_line(event.before), style=STATE_STYLES[event.before.state])
        tail.append(" -> ")
        tail.append(_status_line(job), style=STATE_STYLES[job.state])
    elif event.kind == "gone":
        # Seen before, or never found at all (at the first check).
        tail.append("no longer found" if job else "not found", style="bold red")
        if event.message:
            tail.append(f": {event.message}")
        return head, tail
    elif event.kind == "retrying" and event.message:
        tail.append("retrying after: ", style="yellow")
        tail.append(event.message)
        return Text(stamp), tail
    else:
        return None
    extra = _detail(job)
    if extra:
        tail.append(f"  {extra}")
    if eta:
        tail.append(f"  {eta}", style="dim")
    return head, tail


def _detail(job: ExportJob) -> str:
    progress = job.progress
    if progress and progress.total_pieces and not job.terminal:
        return f"{progress.completed_pieces or 0}/{progress.total_pieces} pieces"
    return " ".join((job.message or "").split())


# What the live table gives up first when it is too wide: the same rule as
# `list` (exportctl.output.jobtable), with ELAPSED in place of CREATED.
_GIVE_UP = (
    Step("drop", _ETA),
    Step("drop", "SERVICE"),
    Step("shrink", _MESSAGE),
    Step("shorten", "REF"),
    Step("drop", "ELAPSED"),
    Step("drop", "STATUS"),
)


class _Rows:
    """The rows of a live table: a mark, the job (None until first read), its reference."""

    def __init__(
        self, default_region: str | None, eta: EtaText | None = None, *, accounts: bool = False
    ) -> None:
        self.default_region = default_region
        self.eta = eta
        # The command spans accounts: a shortened reference names its account.
        self.accounts = accounts
        # When a job without an end time of its own was first seen ended, having been
        # seen running (one first seen ended ended at a time nobody knows).
        self._ended: dict[str, datetime] = {}
        self._running: set[str] = set()

    def elapsed(self, job: ExportJob, reference: datetime) -> str:
        if not job.terminal:
            self._running.add(job.ref)
        elif not (job.completed or job.updated):
            if job.ref not in self._running:
                return ""
            reference = self._ended.setdefault(job.ref, reference)
        return elapsed(job, reference)

    def render(
        self,
        marks: Sequence[Text],
        jobs: Sequence[ExportJob | None],
        given: Sequence[str],
        notes: Sequence[str | None],
        width: int,
        glyphs: _Glyphs = _COLOUR_BAR,
    ) -> TableLines:
        """The table's lines: its columns chosen from every row, its lines made only
        for the rows asked for (those the terminal shows)."""
        reference = now()
        region = self.default_region
        counters = [_counter(job) for job in jobs]
        messages = [
            counter or " ".join((note or (job.message if job else "") or "").split())
            for job, counter, note in zip(jobs, counters, notes, strict=True)
        ]
        etas = [_eta_cell(self.eta(j, reference)) if self.eta and j else "" for j in jobs]
        many_accounts, places = place_columns(jobs)
        named = many_accounts or self.accounts
        columns = [
            Column("SERVICE", [j.service if j else "" for j in jobs]),
            Column(
                "REF",
                [short_ref(j, region) if j else g for j, g in zip(jobs, given, strict=True)],
                short_cells=[
                    compact_ref(j, region, account=named) if j else g
                    for j, g in zip(jobs, given, strict=True)
                ],
                fallback_cells=[
                    name_ref(j, region, account=named) if j else g
                    for j, g in zip(jobs, given, strict=True)
                ],
            ),
            *places,
            Column("STATE", [state_cell(j) if j else "…" for j in jobs]),
            Column("STATUS", [(j.status or "-") if j else "" for j in jobs]),
            Column(
                "ELAPSED", [self.elapsed(j, reference) if j else "" for j in jobs], justify="right"
            ),
            Column(_ETA, etas, always=False),
            Column(_MESSAGE, messages, min_width=_MIN_MESSAGE, always=False),
        ]
        steps = list(_GIVE_UP)
        if not any(j is not None and j.state is State.FAILED for j in jobs):
            steps.append(Step("drop", _MESSAGE))
        lead = max((m.cell_len for m in marks), default=0) + 1
        layout = choose(columns, max(1, width - lead), steps, key="REF")
        room = layout.width_of(_MESSAGE) or 0
        # A row is a line, or two stacked; so are the headings.
        per_row = 2 if layout.stacked else 1

        def first(count: int) -> Iterator[Text]:
            rows = min(len(jobs), max(0, -(-(count - per_row) // per_row)))
            bars = [_bar(jobs[i], counters[i], room, glyphs) for i in range(rows)]
            styles = {"STATE": [STATE_STYLES[j.state] if j else "dim" for j in jobs[:rows]]}
            lines = styled_lines(layout, rows, styles, prefix=marks, rich_cells={_MESSAGE: bars})
            return islice(lines, count)

        return TableLines(per_row * (1 + len(jobs)), first)


def _eta_cell(text: str) -> str:
    # The column's heading says it is an estimate: "~15:35" is enough in a cell.
    return text.removeprefix("eta ").removesuffix(" (estimate)")


def _counter(job: ExportJob | None) -> str:
    """Pieces done of a job that counts them, while it runs."""
    if job is None or job.terminal or job.progress is None or job.progress.fraction is None:
        return ""
    return f"{job.progress.completed_pieces or 0}/{job.progress.total_pieces}"


def _bar_glyphs(console: Console, options: ConsoleOptions) -> _Glyphs:
    """The glyphs of the progress bars ``console`` shows."""
    if options.ascii_only or options.legacy_windows:
        return _ASCII_BAR
    if console.no_color or console.color_system is None:
        return _PLAIN_BAR
    return _COLOUR_BAR


def _bar(job: ExportJob | None, counter: str, room: int, glyphs: _Glyphs) -> Text | None:
    """A progress bar and the counter, within ``room`` columns; None: the counter alone."""
    if not counter or job is None or job.progress is None:
        return None
    width = min(_BAR_WIDTH, room - len(counter) - 1)
    if width < 5:
        return None
    fraction = job.progress.fraction or 0.0
    done, half, remaining = glyphs
    halves = int(fraction * width * 2)
    bar = Text(done * (halves // 2), style="bar.complete")
    if halves % 2:
        bar.append(half, style="bar.complete")
    bar.append(remaining * (width - bar.cell_len), style="bar.back")
    bar.append(f" {counter}")
    return bar


def _footer(
    rounds: int, next_check: float | None, clock: Callable[[], float], extra: str = ""
) -> Text:
    parts = [f"round {rounds}"]
    if next_check is not None:
        parts.append(f"next check in {human_duration(max(0.0, next_check - clock()))}")
    if extra:
        parts.append(extra)
    return Text(" · ".join(parts), style="dim")


# The cells of the live view's footer an error that ended the wait may take.
_FOOTER_ERROR = 60


def ended_on_error(message: str) -> str:
    """The error that ended the wait, shortened for the live view's footer: its
    whole line follows once the downloads end."""
    return f"ended on an error: {cut(' '.join(message.split()), _FOOTER_ERROR)}"


class WaitView:
    """The live table of a wait: one row per job; rendered again on each refresh."""

    def __init__(
        self,
        waiter: Waiter,
        default_region: str | None,
        eta: EtaText | None = None,
        *,
        accounts: bool = False,
        downloads: Callable[[], list[str]] | None = None,
    ) -> None:
        self.waiter = waiter
        self.default_region = default_region
        self._rows = _Rows(default_region, eta, accounts=accounts)
        # The downloads of --download under way, each as far as it has got.
        self._downloads = downloads
        # What ended the wait (``timed out after 2s``), set while its downloads go on:
        # the last round's pending count would say the wait goes on too.
        self.ended: str | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        tracked = self.waiter.tracked
        marks = [_mark(t.outcome.value) for t in tracked]
        notes = [t.error.message if t.error else None for t in tracked]
        jobs = [t.job for t in tracked]
        glyphs = _bar_glyphs(console, options)
        given = [t.ref for t in tracked]
        rows = self._rows.render(marks, jobs, given, notes, options.max_width, glyphs)
        downloads = self._downloads() if self._downloads else []
        extra = f"{len(self.waiter.pending)} of {len(tracked)} pending"
        if self.ended is not None:
            noun = "download" if len(downloads) == 1 else "downloads"
            extra = f"{self.ended}; finishing {len(downloads)} {noun}" if downloads else self.ended
        footer = _footer(self.waiter.rounds, self.waiter.next_check, self.waiter.clock, extra)
        fetching = [Text(line, style="cyan") for line in downloads]
        problems = [*fetching, *problem_lines(self.waiter.problems)]
        yield from fit_view(rows, footer, problems, console, options)


def _mark(outcome: str) -> Text:
    """The mark before a job's row; its style is the row's (a pending job's has none)."""
    if outcome not in _OUTCOME_MARKS:
        return Text(" ")
    return Text(_OUTCOME_MARKS[outcome], style="green" if outcome == "met" else "red")


def whole_on_board(job: ExportJob, region: str | None, width: int, *, accounts: bool) -> bool:
    """Whether the board (its mark, then the reference) can show ``job``'s shortest
    reference whole at ``width``; one it cannot is printed whole above it too."""
    return len(compact_ref(job, region, account=accounts)) + 2 <= width


class WatchView:
    """The live board of `watch`: jobs not terminal, then those that ended lately."""

    def __init__(
        self,
        watcher: Watcher,
        default_region: str | None,
        eta: EtaText | None = None,
        *,
        accounts: bool = False,
    ) -> None:
        self.watcher = watcher
        self.default_region = default_region
        self._rows = _Rows(default_region, eta, accounts=accounts)
        # How far the round's listing is, once it has taken a second: the progress
        # line `list` shows on stderr, which would tear the board.
        self.progress: str | None = None

    def progressed(self, text: str | None) -> None:
        self.progress = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        watcher = self.watcher
        problems = problem_lines(watcher.problems)
        far = f"{self.progress} · " if self.progress else ""
        if not watcher.read:
            # Nothing listed yet: no board, and no counts, of jobs nobody has read.
            footer = _footer(watcher.rounds, watcher.next_check, watcher.clock, far + _QUIT)
            yield from fit_view(_one(Text("Reading the export jobs…")), footer, problems,
                                console, options)  # fmt: skip
            return
        rows = watcher.rows()
        footer = _footer(watcher.rounds, watcher.next_check, watcher.clock, far + _counts(rows))
        if not rows:
            yield from fit_view(_one(Text("No export jobs running.")), footer, problems,
                                console, options)  # fmt: skip
            return
        jobs: list[ExportJob | None] = [e.job for e in rows]
        marks = [
            _mark("met" if e.job.state is State.COMPLETED else "missed")
            if e.job.terminal
            else Text(" ")
            for e in rows
        ]
        refs = [e.job.ref for e in rows]
        notes: list[str | None] = [None] * len(rows)
        glyphs = _bar_glyphs(console, options)
        table = self._rows.render(marks, jobs, refs, notes, options.max_width, glyphs)
        yield from fit_view(table, footer, problems, console, options)


def _one(line: Text) -> TableLines:
    """A line in the table's place, given way as the table would."""
    return TableLines(1, lambda count: [line][:count])


def _counts(rows: Sequence[Watched]) -> str:
    """How many jobs are pending, running and ended, as the footer says it."""
    pending = sum(1 for e in rows if e.job.state is State.PENDING)
    running = sum(1 for e in rows if not e.job.terminal) - pending
    ended = len(rows) - pending - running
    return f"{pending} pending · {running} running · {ended} ended lately · {_QUIT}"
