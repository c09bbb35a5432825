"""The live view: its rows, and a terminal left as it was found, even on Ctrl-C."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from exportctl.cli.context import AppContext
from exportctl.cli.fetching import Fetcher
from exportctl.cli.waitsession import Session
from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob, Progress, State
from exportctl.ops.conditions import parse_until
from exportctl.ops.polling.events import Event
from exportctl.ops.polling.outcome import Outcome, Tracked, WaitResult
from exportctl.ops.polling.waiter import Waiter
from exportctl.output.display import Display
from exportctl.output.live import WaitView, elapsed
from exportctl.output.outputspec import OutputSpec
from exportctl.services.refs import parse

START = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
PIN = "pinpoint:us-east-1:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9"
DISC = "discovery:us-east-1:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"


def _waiter() -> Waiter:
    waiter = Waiter(None, [(PIN, parse(PIN)), (DISC, parse(DISC))], parse_until("COMPLETED"),
                    clock=lambda: 100.0)  # type: ignore[arg-type]  # fmt: skip
    pin, disc = waiter.tracked
    pin.job = ExportJob(
        service="pinpoint", ref=PIN, id="9fe8", region="us-east-1", state=State.RUNNING,
        status="PROCESSING", created=START, progress=Progress(completed_pieces=3, total_pieces=12),
    )  # fmt: skip
    disc.job = ExportJob(
        service="discovery", ref=DISC, id="export-1ecb", region="us-east-1",
        state=State.COMPLETED, status="SUCCEEDED", created=START,
        message="Data export completed successfully.",
    )  # fmt: skip
    disc.outcome = Outcome.MET
    waiter.rounds = 3
    waiter.next_check = 107.0
    return waiter


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=160, color_system=None), buffer


def test_one_row_per_job_with_a_progress_bar_where_there_are_pieces() -> None:
    console, buffer = _console(terminal=False)
    waiter = _waiter()
    waiter.problems = {"Amazon Pinpoint: TooManyRequestsException (HTTP 429): Rate exceeded"}

    console.print(WaitView(waiter, "us-east-1"))

    text = buffer.getvalue()
    pin_row = next(line for line in text.splitlines() if "9fe8110102" in line)
    assert "RUNNING" in pin_row and "PROCESSING" in pin_row and "3/12" in pin_row
    assert "━" in pin_row  # the bar
    # The default region is left out of compact references.
    assert "pinpoint:ae7689447ab57a683536c4499d863386/" in pin_row
    disc_row = next(line for line in text.splitlines() if "export-1ecb" in line)
    assert disc_row.lstrip().startswith("✓") and "Data export completed" in disc_row
    assert "round 3 · next check in 7s · 1 of 2 pending" in text
    assert text.splitlines()[-1] == (
        "retrying after: Amazon Pinpoint: TooManyRequestsException (HTTP 429): Rate exceeded"
    )


def test_the_downloads_under_way_show_below_the_footer_before_the_failures() -> None:
    console, buffer = _console(terminal=True)
    waiter = _waiter()
    waiter.problems = {"Amazon Pinpoint: TooManyRequestsException (HTTP 429): Rate exceeded"}
    fetching = "discovery:export-1ecb19dd: fetching into out: 1/2 files, 150.0 MB of 300.0 MB"

    console.print(WaitView(waiter, "us-east-1", downloads=lambda: [fetching]))

    lines = buffer.getvalue().splitlines()
    assert lines[-3].startswith("round 3 · next check in 7s")
    assert lines[-2:] == [
        fetching,
        "retrying after: Amazon Pinpoint: TooManyRequestsException (HTTP 429): Rate exceeded",
    ]


def test_elapsed_runs_to_completion() -> None:
    done = START + timedelta(minutes=4, seconds=5)
    job = ExportJob(service="s", ref="r", id="i", region="r", state=State.COMPLETED,
                    status="DONE", created=START, completed=done)  # fmt: skip
    assert elapsed(job) == "4m05s"


def test_ctrl_c_stops_the_live_view_and_gives_the_cursor_back() -> None:
    console, buffer = _console(terminal=True)
    waiter = _waiter()
    display = Display(console, WaitView(waiter, "us-east-1"), "us-east-1")

    with pytest.raises(KeyboardInterrupt), display:
        assert display.is_live
        display.event(Event("changed", waiter.tracked[0], before=waiter.tracked[0].job))
        raise KeyboardInterrupt

    assert not display.is_live
    out = buffer.getvalue()
    assert out.rstrip().endswith("\x1b[?25h") or "\x1b[?25h" in out  # cursor shown again
    assert "9fe8110102" in out


def test_off_a_terminal_plain_lines_without_escape_codes() -> None:
    console, buffer = _console(terminal=False)
    waiter = _waiter()
    tracked: Tracked = waiter.tracked[0]
    assert tracked.job is not None
    before = tracked.job
    after = ExportJob(**{**before.__dict__, "state": State.RUNNING, "status": "COMPLETING",
                         "progress": Progress(completed_pieces=12, total_pieces=12)})  # fmt: skip
    tracked.job = after

    with Display(console, WaitView(waiter, "us-east-1"), "us-east-1") as display:
        assert not display.is_live
        display.event(Event("changed", tracked, before=before))
        display.event(Event("retrying", message="Amazon Pinpoint: TooManyRequestsException"))

    lines = buffer.getvalue().splitlines()
    assert "\x1b" not in buffer.getvalue()
    assert lines[0].endswith(
        "pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9  "
        "RUNNING (PROCESSING) -> RUNNING (COMPLETING)  12/12 pieces"
    )
    assert lines[1].endswith("retrying after: Amazon Pinpoint: TooManyRequestsException")


@pytest.mark.parametrize(
    ("width", "shown"), [(250, "arn:aws:backup-search:"), (110, "backupsearch:")]
)
def test_arns_give_way_to_compact_refs_on_narrow_terminals(width: int, shown: str) -> None:
    arn = (
        "arn:aws:backup-search:us-east-1:123456789012:search-export-job/"
        "2c376631-129f-4436-aaad-80b891baf90d"
    )
    waiter = Waiter(None, [(arn, parse(arn))], parse_until("COMPLETED"), clock=lambda: 0.0)  # type: ignore[arg-type]
    waiter.tracked[0].job = ExportJob(
        service="backupsearch", ref=arn, arn=arn, id="2c376631-129f-4436-aaad-80b891baf90d",
        region="us-east-1", state=State.RUNNING, status="RUNNING", created=START,
    )  # fmt: skip
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(WaitView(waiter, "us-east-1"))

    row = next(line for line in buffer.getvalue().splitlines() if "2c376631" in line)
    assert shown in row
    assert "2c376631-129f-4436-aaad-80b891baf90d" in row  # whole, not folded


def test_at_80_columns_no_reference_folds_and_service_gives_way_first() -> None:
    buffer = io.StringIO()
    Console(file=buffer, width=80, color_system=None).print(WaitView(_waiter(), "us-east-1"))
    lines = buffer.getvalue().splitlines()
    assert "SERVICE" not in buffer.getvalue()
    pin = "pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9"
    disc = "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"
    # Each reference whole on one line; the cells that follow it on the next.
    assert [line.strip(" ✓") for line in lines if "pinpoint:" in line or "discovery:" in line] == [
        pin,
        disc,
    ]
    assert all(len(line) <= 80 for line in lines if pin not in line)
    detail = lines[lines.index(next(x for x in lines if pin in x)) + 1]
    assert "RUNNING" in detail and "3/12" in detail
    assert len(lines) < 8


def test_elapsed_stops_when_a_job_ends_even_without_an_end_time() -> None:
    ended = START + timedelta(minutes=2)
    job = ExportJob(service="s", ref="r", id="i", region="r", state=State.FAILED,
                    status="FAILED", created=START, updated=ended)  # fmt: skip
    assert elapsed(job, START + timedelta(hours=5)) == "2m00s"
    # Discovery gives neither: the view stops the clock when it first sees the end.
    waiter = _waiter()
    frames = []
    for _ in range(2):
        buffer = io.StringIO()
        Console(file=buffer, width=200, color_system=None).print(WaitView(waiter, "us-east-1"))
        frames.append(next(x for x in buffer.getvalue().splitlines() if "export-1ecb" in x))
    assert frames[0] == frames[1]


def test_watch_footer_counts_pending_apart_from_running() -> None:
    from exportctl.ops.polling.watcher import Watched
    from exportctl.output.live import WatchView

    def job(n: int, state: State) -> ExportJob:
        return ExportJob(service="discovery", ref=f"discovery:us-east-1:export-{n}",
                         id=f"export-{n}", region="us-east-1", state=state,
                         status=state.value, created=START)  # fmt: skip

    class Board:
        rounds, next_check, problems, read = 2, None, set[str](), True

        def clock(self) -> float:
            return 0.0

        def rows(self) -> list[Watched]:
            states = [State.PENDING, State.PENDING, State.RUNNING, State.COMPLETED]
            return [Watched(job(i, s), since=0.0) for i, s in enumerate(states)]

    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None).print(WatchView(Board(), "us-east-1"))  # type: ignore[arg-type]
    assert "2 pending · 1 running · 1 ended lately" in buffer.getvalue()


def test_a_reference_wider_than_the_terminal_takes_its_shortest_form() -> None:
    arn = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/interactions-incremental"
    waiter = Waiter(None, [(arn, parse(arn))], parse_until("COMPLETED"), clock=lambda: 0.0)  # type: ignore[arg-type]
    waiter.tracked[0].job = ExportJob(
        service="personalize", ref=arn, arn=arn, id="interactions-incremental",
        region="us-east-1", state=State.RUNNING, status="CREATE IN_PROGRESS", created=START,
    )  # fmt: skip
    buffer = io.StringIO()
    Console(file=buffer, width=80, color_system=None).print(WaitView(waiter, "us-east-1"))
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    # Accepted back by status and wait (the job is looked up by its name).
    assert any(line.strip() == "personalize:interactions-incremental" for line in lines)
    assert parse("personalize:interactions-incremental").id == "interactions-incremental"


def test_account_and_region_columns_only_when_the_jobs_span_several() -> None:
    def header(waiter: Waiter) -> list[str]:
        console, buffer = _console(terminal=False)
        console.print(WaitView(waiter, "us-east-1"))
        line = next(line for line in buffer.getvalue().splitlines() if "STATE" in line)
        return line.split()

    one_place = _waiter()
    assert "ACCOUNT" not in header(one_place) and "REGION" not in header(one_place)

    spread = _waiter()
    pin, disc = spread.tracked
    assert pin.job is not None and disc.job is not None
    pin.job = replace(pin.job, account="123456789012")
    disc.job = replace(disc.job, account="210987654321", region="eu-west-1")
    shown = header(spread)
    assert shown.index("ACCOUNT") < shown.index("REGION") < shown.index("STATE")


@pytest.mark.parametrize("width", [80, 100, 120])
def test_event_lines_fit_the_terminal_as_table_rows_do(width: int) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, color_system=None)
    waiter = _waiter()
    tracked: Tracked = waiter.tracked[0]
    assert tracked.job is not None
    before = tracked.job
    after = ExportJob(**{**before.__dict__, "state": State.RUNNING, "status": "COMPLETING"})
    tracked.job = after
    display = Display(console, None, "us-east-1")
    display.event(Event("changed", tracked, before=before))

    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    ref = "pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9"
    # The reference whole on its line; the change below it, never broken inside a word.
    # Where the time beside the reference would not fit either, it goes below too.
    change = "RUNNING (PROCESSING) -> RUNNING (COMPLETING)  3/12 pieces"
    assert len(lines) == 2
    if len(ref) + len("HH:MM:SS  ") <= width:
        assert re.fullmatch(rf"\d\d:\d\d:\d\d  {re.escape(ref)}", lines[0]), lines
        assert lines[1] == f"    {change}"
    else:
        assert lines[0] == ref
        assert re.fullmatch(rf"\d\d:\d\d:\d\d  {re.escape(change)}", lines[1]), lines
    assert all(len(line) <= width for line in lines)


def test_an_event_line_too_long_for_the_terminal_is_cut_not_folded() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=60, color_system=None)
    display = Display(console, None, "us-east-1")
    display.event(Event("retrying", message="Amazon Pinpoint: TooManyRequestsException " * 4))
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert len(lines) == 2 and len(lines[1]) <= 60
    assert lines[1].startswith("    retrying after: Amazon Pinpoint") and lines[1].endswith("…")


@pytest.mark.parametrize("width", [40, 60])
def test_a_reference_no_form_of_which_fits_is_cut_with_an_ellipsis(width: int) -> None:
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(WaitView(_waiter(), None))
    rows = [line for line in buffer.getvalue().splitlines() if "pinpoint:" in line]
    assert rows and all(len(line) <= width for line in rows)
    # Not a plausible reference cut short in silence: the cut says so.
    assert all(line.rstrip().endswith("…") for line in rows if PIN.split(":")[-1] not in line)


def test_a_change_too_wide_keeps_its_message_on_a_line_of_its_own() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=60, color_system=None)
    waiter = _waiter()
    tracked: Tracked = waiter.tracked[1]
    assert tracked.job is not None
    before = tracked.job
    done = "Data export completed successfully for every agent."
    after = ExportJob(**{**before.__dict__, "state": State.COMPLETED, "status": "SUCCEEDED",
                         "message": done})  # fmt: skip
    tracked.job = after
    Display(console, None, "us-east-1").event(Event("changed", tracked, before=before))

    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    # Not the message cut to its first letter: the states, then the message below.
    assert lines[-2].strip().endswith("-> COMPLETED (SUCCEEDED)")
    assert lines[-1].strip().startswith("Data export completed")
    assert all(len(line) <= 60 for line in lines)


def test_a_reference_the_board_cannot_show_whole_is_known_as_such() -> None:
    from exportctl.output.live import whole_on_board

    # 84 characters with its region: whole in a table of 80, not beside the board's mark.
    job = ExportJob(service="pinpoint", ref=PIN.replace("us-east-1", "eu-west-1"),
                    id=PIN.rsplit("/", 1)[1], region="eu-west-1", state=State.RUNNING,
                    status="PROCESSING", created=START)  # fmt: skip
    assert not whole_on_board(job, "us-east-1", 80, accounts=False)
    assert whole_on_board(job, "us-east-1", 120, accounts=False)
    # In its home region the region is left out: 74 characters fit.
    assert whole_on_board(job, "eu-west-1", 80, accounts=False)


def test_elapsed_of_a_job_first_seen_ended_without_an_end_time_is_blank() -> None:
    from exportctl.output.live import _Rows

    rows = _Rows("us-east-1")
    done = ExportJob(service="discovery", ref=DISC, id="export-1ecb", region="us-east-1",
                     state=State.COMPLETED, status="SUCCEEDED", created=START)  # fmt: skip
    later = START + timedelta(minutes=5)
    # It ended before it was seen: when, nobody knows.
    assert rows.elapsed(done, later) == ""
    running = ExportJob(**{**done.__dict__, "ref": DISC + "-2", "state": State.RUNNING})
    ended = ExportJob(**{**running.__dict__, "state": State.COMPLETED})
    assert rows.elapsed(running, later) == "5m00s"
    # Seen running, then ended: it ran until it was first seen ended.
    assert rows.elapsed(ended, later + timedelta(minutes=1)) == "6m00s"


def test_a_burst_of_change_lines_renders_the_live_view_a_few_times_not_once_a_line() -> None:
    # Each print above a live view renders the whole view again: a wait on 800 jobs
    # drew 2-6 lines a second and overran its --timeout. A burst is printed together.
    console, buffer = _console(terminal=True)
    waiter = _waiter()
    renders = 0

    class Counted:
        def __rich_console__(self, console: Console, options: object) -> Iterator[str]:
            nonlocal renders
            renders += 1
            yield "the live view"

    tracked = waiter.tracked[0]
    with Display(console, Counted(), "us-east-1") as display:
        for _ in range(200):
            display.event(Event("changed", tracked, before=tracked.job))
        display.flush()
    out = buffer.getvalue()
    assert out.count("9fe8110102c995f1abef543b5dfce8a9") == 200
    # Two renders a print before (the print's and the refresh's): 400 here.
    assert renders < 40, renders


def _colours(width: int, *words: str) -> list[str | None]:
    """The colour each of ``words`` is drawn in by a wait's live view of three jobs:
    one running, one met and one that cannot be."""
    from rich.segment import Segment

    waiter = _waiter()
    disc = waiter.tracked[1].job
    assert disc is not None
    failed = replace(disc, ref=DISC + "0", id="export-failed", state=State.FAILED,
                     status="FAILED", message="Denied.")  # fmt: skip
    waiter.tracked.append(Tracked(failed.ref, parse(failed.ref), failed, Outcome.MISSED))
    console = Console(file=io.StringIO(), force_terminal=True, width=width,
                      color_system="standard")  # fmt: skip
    segments = [s for line in Segment.split_lines(console.render(WaitView(waiter, "us-east-1")))
                for s in line]  # fmt: skip
    found = [next(s.style for s in segments if word in s.text) for word in words]
    return [style.color.name if style and style.color else None for style in found]


@pytest.mark.parametrize("width", [200, 80])
def test_a_pending_job_is_not_drawn_red_and_an_ended_one_keeps_its_colour(width: int) -> None:
    # At 80 columns each row is two lines: the reference, then the other cells.
    # Still running: nothing says it failed (as on watch's board).
    assert _colours(width, "pinpoint:", "PROCESSING") == [None, None]
    # Met: green; cannot be met: red, on both lines of a row.
    assert _colours(width, "export-1ecb", "Data export completed") == ["green", "green"]
    assert _colours(width, "eccdf03eeddf0", "Denied.") == ["red", "red"]


@pytest.mark.parametrize("width", [50, 60])
def test_a_change_of_a_reference_wider_than_the_terminal_is_indented_below_it(width: int) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, color_system=None)
    tracked: Tracked = _waiter().tracked[0]
    assert tracked.job is not None
    before = tracked.job
    tracked.job = replace(before, state=State.FAILED, status="FAILED")
    Display(console, None, "us-east-1").event(Event("changed", tracked, before=before))

    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    ref = "pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9"
    # The reference whole (the terminal folds it); the change below, indented, not at
    # the left edge where the folded reference goes on.
    assert "".join(lines[:-1]) == ref
    assert re.fullmatch(r"    \d\d:\d\d:\d\d  RUNNING \(PROCESSING\) -> FAILED", lines[-1]), lines


class _Refused:
    """A client whose every download fails."""

    def download(self, job: ExportJob, destination: object, progress: object) -> object:
        raise ExportctlError("the object is gone")


# A live view; none (-q, or --json, whose stdout stays JSON alone); off a terminal.
@pytest.mark.parametrize(("terminal", "viewed"), [(True, True), (True, False), (False, True)])
def test_a_failed_download_is_said_above_the_live_view_not_across_it(
    terminal: bool, viewed: bool, tmp_path: Path
) -> None:
    # On stderr the line was written while the live view drew on stdout: it tore it.
    out, err = (
        Console(
            file=io.StringIO(), force_terminal=terminal, color_system="standard", highlight=False
        )
        for _ in range(2)
    )
    app = AppContext(_client=_Refused(), _out=out, _err=err)  # type: ignore[arg-type]
    waiter = _waiter()
    fetcher = Fetcher(app, tmp_path, several=False, quiet=False)
    view = WaitView(waiter, "us-east-1", downloads=fetcher.lines)
    with Display(out, view if viewed else None, "us-east-1") as display:
        fetcher.fetch(waiter.tracked[1], display)
        fetcher.finish()

    said = f"exportctl: error: {DISC}: download failed: the object is gone"
    above, aside = out.file.getvalue(), err.file.getvalue()  # type: ignore[attr-defined]
    # Above the live view when there is one (on its console), on stderr when not;
    # in the error's words and colour either way.
    live = terminal and viewed
    assert (said in above, said in aside) == (live, not live)
    assert f"\x1b[31m{said}" in (above if live else aside)


def test_after_a_timeout_the_live_view_says_the_wait_is_over_while_downloads_finish() -> None:
    # It went on showing the last round's pending jobs, their ELAPSED rising, as if
    # the wait went on, until the downloads ended.
    console, buffer = _console(terminal=True)
    fetching = "discovery:export-1ecb19dd: fetching into out: 1/2 files, 150.0 MB of 300.0 MB"
    waiter = _waiter()
    waiter.next_check = None
    waiter.timeout = 2.0

    class Fetched:
        def lines(self) -> list[str]:
            return [fetching]

        def finish(self) -> None:
            pass

    def timed_out() -> WaitResult:
        return WaitResult(waiter.tracked, timed_out=True, rounds=waiter.rounds)

    waiter.run = timed_out  # type: ignore[method-assign]
    app = AppContext(_out=console, _err=_console(terminal=False)[0])
    session = Session(app, waiter, OutputSpec(), quiet=False, region="us-east-1", single=False,
                      fetcher=Fetched())  # type: ignore[arg-type]  # fmt: skip
    assert session.run() == ExitCode.TIMEOUT

    # The last frame, drawn while a download was still under way.
    lines = buffer.getvalue().splitlines()
    footer = next(line for line in reversed(lines) if "round 3" in line)
    assert footer.endswith("round 3 · timed out after 2s; finishing 1 download")


def _failed_job(waiter: Waiter) -> WaitResult:
    pin = waiter.tracked[0]
    assert pin.job is not None
    pin.job = replace(pin.job, state=State.FAILED, status="FAILED", message="Denied.")
    pin.outcome = Outcome.MISSED
    return WaitResult(waiter.tracked, timed_out=False, rounds=waiter.rounds)


def _aws_error(waiter: Waiter) -> WaitResult:
    raise ExportctlError("pinpoint: AccessDeniedException: User is not authorized " + "x" * 80)


@pytest.mark.parametrize(
    ("ending", "said"),
    [
        (_failed_job, "round 3 · 1 job ended FAILED, not COMPLETED; finishing 1 download"),
        (
            _aws_error,
            "round 3 · ended on an error: pinpoint: AccessDeniedException: User is not "
            "authorized xxx…; finishing 1 download",
        ),
    ],
)
def test_after_an_error_the_live_view_says_how_the_wait_ended_while_downloads_finish(
    ending: Callable[[Waiter], WaitResult], said: str
) -> None:
    # A job that ended FAILED under --until COMPLETED, or an AWS error: the live view
    # went on showing the last round (`1 of 2 pending`, next check in 7s) as if the
    # wait went on, until the downloads ended.
    console, buffer = _console(terminal=True)
    waiter = _waiter()

    class Fetched:
        def lines(self) -> list[str]:
            return [f"{DISC}: fetching into out: 1/2 files, 150.0 MB of 300.0 MB"]

        def finish(self) -> None:
            pass

    def run() -> WaitResult:
        # As a wait's last round leaves it: no check to come.
        waiter.next_check = None
        return ending(waiter)

    waiter.run = run  # type: ignore[method-assign]
    app = AppContext(_out=console, _err=_console(terminal=False)[0])
    session = Session(app, waiter, OutputSpec(), quiet=False, region="us-east-1", single=False,
                      fetcher=Fetched())  # type: ignore[arg-type]  # fmt: skip
    try:
        assert session.run() == ExitCode.JOB_FAILED
    except ExportctlError:
        assert ending is _aws_error

    lines = buffer.getvalue().splitlines()
    footer = next(line for line in reversed(lines) if "round 3" in line)
    assert footer.endswith(said), footer


class _Ascii(io.StringIO):
    """A terminal written in an encoding that holds ASCII alone."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "ascii"


def _bar_of(console: Console, buffer: io.StringIO) -> str:
    """The progress bar in the row of the job 3 pieces of 12 in (25%), 20 cells wide."""
    console.print(WaitView(_waiter(), "us-east-1"))
    row = next(line for line in buffer.getvalue().splitlines() if "9fe8110102" in line)
    return row[row.rindex("3/12") - 21 : row.rindex("3/12") - 1]


@pytest.mark.parametrize(
    "plain",
    [
        {"color_system": None},  # TERM=dumb: rich finds no colours
        {"color_system": "truecolor", "no_color": True},  # NO_COLOR
    ],
)
def test_without_colour_the_bar_draws_what_remains_lighter(plain: dict[str, Any]) -> None:
    # Done and remaining drawn alike read as a full bar whatever the progress.
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, **plain)
    assert _bar_of(console, buffer) == "━" * 5 + "─" * 15


def test_in_colour_the_bar_is_one_line_its_colour_says_how_far() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, color_system="standard")
    console.print(WaitView(_waiter(), "us-east-1"))
    row = next(line for line in buffer.getvalue().splitlines() if "9fe8110102" in line)
    assert "━" * 20 + " 3/12" in re.sub(r"\x1b\[[0-9;]*m", "", row), row


@pytest.mark.parametrize("color_system", [None, "standard"])
def test_on_an_ascii_terminal_the_bar_is_ascii(color_system: Any) -> None:
    buffer = _Ascii()
    console = Console(file=buffer, force_terminal=True, width=160, color_system=color_system)
    console.print(WaitView(_waiter(), "us-east-1"))
    row = next(line for line in buffer.getvalue().splitlines() if "9fe8110102" in line)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", row)
    assert "#####--------------- 3/12" in plain, plain
