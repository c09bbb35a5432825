"""What `watch`'s live board shows on a terminal: before its first listing has
answered, and within a terminal too short for it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from test_watch import stop_after
from wait_support import FakeTime, Run

from exportctl.ops.callcounter import CallCounter
from exportctl.ops.jobs import ListQuery
from exportctl.ops.polling.watcher import Watcher
from exportctl.sandbox import Sandbox


def _listing(
    jobs: list[object], failures: list[object], notices: list[object], *, answered: bool = True
) -> object:
    class Listing:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            return SimpleNamespace(jobs=jobs, failures=failures, notices=notices,
                                   answered=answered)  # fmt: skip

    return Listing()


def _board(
    watcher: Watcher, width: int = 120, height: int = 24, *, view: object = None
) -> list[str]:
    """The board's frame as rich's live view draws it on a terminal of that size."""
    from rich.console import Console
    from rich.live import Live

    from exportctl.output.live import WatchView

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, height=height, color_system=None,
                      force_terminal=True)  # fmt: skip
    shown = view or WatchView(watcher, "us-east-1")
    with Live(shown, console=console, auto_refresh=False) as live:  # type: ignore[arg-type]
        live.refresh()
        drawn = buffer.getvalue()
    # The last frame, after the lines of the one before it were erased.
    frame = drawn.split("\x1b[2K")[-1].replace("\x1b[?25l", "")
    return [line.rstrip() for line in frame.splitlines()]


def test_the_board_says_the_jobs_are_being_read_until_the_first_listing_answers() -> None:
    import threading

    asked, answer = threading.Event(), threading.Event()

    class Slow:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            asked.set()
            answer.wait()
            return SimpleNamespace(jobs=[], failures=[], notices=[], answered=True)

    watcher = Watcher(Slow(), ListQuery(), keep=600)  # type: ignore[arg-type]
    first = threading.Thread(target=watcher._round)
    first.start()
    try:
        asked.wait()
        # The first round has begun and its listing has not answered.
        before = _board(watcher)
    finally:
        answer.set()
        first.join()

    assert before[0] == "Reading the export jobs…"
    assert not any("No export jobs running" in line for line in before)
    # No counts of jobs nobody has read.
    assert not any("pending" in line or "running" in line for line in before)
    assert before[-1] == "round 1 · Ctrl-C to quit"

    after = _board(watcher)

    # Listed, and nothing runs: today's words.
    assert after[0] == "No export jobs running."
    assert after[-1] == "round 1 · 0 pending · 0 running · 0 ended lately · Ctrl-C to quit"


def _failing_board(failures: int) -> Watcher:
    from test_watch import _job

    from exportctl.domain.errors import AwsError
    from exportctl.domain.model import State

    jobs = [_job("discovery", f"e-{n:02}", State.RUNNING) for n in range(40)]
    denied = [
        AwsError(f"Amazon DynamoDB: access denied in account {n:012}", service="dynamodb")
        for n in range(failures)
    ]
    watcher = Watcher(_listing(jobs, denied, []), ListQuery(), keep=600)  # type: ignore[arg-type]
    watcher._round()
    return watcher


@pytest.mark.parametrize("height", [1, 2, 3, 4, 5, 6, 10, 24, 30])
def test_a_short_terminal_shows_the_footer_then_the_failures_then_the_table(height: int) -> None:
    lines = _board(_failing_board(30), height=height)

    assert 1 <= len(lines) <= height
    # rich's bare cut is never what is left of a line.
    assert not any(line.strip() == "..." for line in lines)
    # The footer always, first here: the failures leave the table no room.
    assert lines[0].startswith("round 1 · 0 pending · 40 running · 0 ended lately")
    footer = 0
    failures = lines[footer + 1 :]
    shown = [line for line in failures if line.startswith("retrying after: ")]
    if height > 1:
        # 30 failures do not fit: those that do, then what is left counted.
        assert failures[-1].startswith("… ") and failures[-1].endswith(
            " more lines: a taller terminal shows them"
        )
        hidden = int(failures[-1].split()[1])
        assert len(shown) + hidden == 30
        assert shown == [
            f"retrying after: Amazon DynamoDB: access denied in account {n:012}"
            for n in range(len(shown))
        ]


@pytest.mark.parametrize("height", [5, 10, 24])
def test_the_table_gets_the_room_the_footer_and_failures_leave(height: int) -> None:
    lines = _board(_failing_board(2), height=height)

    assert len(lines) <= height
    assert not any(line.strip() == "..." for line in lines)
    assert lines[-1] == "retrying after: Amazon DynamoDB: access denied in account 000000000001"
    assert lines[-2] == "retrying after: Amazon DynamoDB: access denied in account 000000000000"
    assert lines[-3].startswith("round 1 · 0 pending · 40 running")
    # Above them, the table's first lines and the count of those it cannot show.
    table = lines[:-3]
    assert len(table) == height - 3
    assert table[-1].startswith("… ") and "more lines: a taller terminal shows them" in table[-1]
    if len(table) > 1:
        assert "REF" in table[0]


def test_a_notice_of_the_listing_is_told_once_as_a_notice_not_retried() -> None:
    from exportctl.domain.errors import AwsError
    from exportctl.ops.polling.events import Event

    # What the listing's failure rule makes a notice (a target out of reach that was
    # not asked for by name), not a failure that a later round may mend.
    home = AwsError(
        "account 210987654321: AWS Application Discovery: no Migration Hub home region is "
        "set for this account (or this is not it): pass --region with the home region",
        service="discovery",
    )
    told: list[Event] = []
    # Its only target out of reach: what the listing read is all there is, as `list`
    # prints its (empty) table then.
    listing = _listing([], [], [home], answered=False)
    watcher = Watcher(listing, ListQuery(), keep=600, on_event=told.append)  # type: ignore[arg-type]
    for _ in range(3):
        watcher._round()
    assert watcher.read and _board(watcher)[0] == "No export jobs running."

    assert [(e.kind, e.message) for e in told if e.kind != "round"] == [("notice", home.message)]
    # Nothing on the board retries it.
    assert watcher.problems == set()
    assert not any(line.startswith("retrying after") for line in _board(watcher))


def test_watch_says_a_denied_service_once_as_list_does(run: Run, fake_time: FakeTime,
                                                       sandbox: Sandbox) -> None:  # fmt: skip
    stop_after(fake_time, 3)
    sandbox.faults.deny = ["dynamodb"]

    watched = run("watch", "--interval", "10s")
    listed = run("list")

    assert watched.exit_code == 0, watched.stderr
    notices = [line for line in listed.stderr.splitlines() if "notice" in line]
    assert notices and all("Amazon DynamoDB" in line for line in notices)
    # The same lines, once over four rounds, and no retrying.
    assert [line for line in watched.stderr.splitlines() if "notice" in line] == notices
    assert "retrying after" not in watched.stderr


@pytest.fixture(scope="module")
def garbled() -> Iterator[Watcher]:
    """A watch's first round against a sandbox whose Personalize answers in HTML: the
    board's jobs, and a failure long enough to wrap."""
    from sleepless import frozen_sandbox

    from exportctl.aws.clients import AwsSettings, Clients
    from exportctl.ops.jobs import Jobs

    for sandbox in frozen_sandbox():
        sandbox.faults.garble = {"personalize": "html"}
        settings = AwsSettings(
            endpoint_url=sandbox.url, region="us-east-1", access_key="x", secret_key="x"
        )
        watcher = Watcher(Jobs(Clients(settings)), ListQuery(), keep=600)
        watcher._round()
        yield watcher


# Widths at which rich, wrapping the failure between words, takes a line more than
# its length over the width.
@pytest.mark.parametrize("width", [*range(71, 77), 94, 95, 96, *range(142, 150)])
def test_a_failure_wrapped_between_words_is_whole_below_the_footer(
    garbled: Watcher, width: int
) -> None:
    (problem,) = garbled.problems
    assert "Amazon Personalize" in problem

    lines = _board(garbled, width=width, height=8)

    assert len(lines) <= 8
    assert not any(line.rstrip().endswith("...") for line in lines)
    footer = next(n for n, line in enumerate(lines) if line.startswith("round 1 · "))
    # Every word of it, under the footer: rich cut none of it.
    assert " ".join(" ".join(lines[footer + 1 :]).split()) == f"retrying after: {problem}"
    # The table has what is left.
    assert footer == 8 - len(lines[footer + 1 :]) - 1


def _sandbox_watcher(sandbox: Sandbox, services: tuple[str, ...]) -> Watcher:
    from exportctl.aws.clients import AwsSettings, Clients
    from exportctl.ops.jobs import Jobs

    # One attempt a call: botocore's retries would sleep for real.
    settings = AwsSettings(endpoint_url=sandbox.url, region="us-east-1", access_key="x",
                           secret_key="x", max_attempts=1)  # fmt: skip
    return Watcher(Jobs(Clients(settings)), ListQuery(services=services), keep=600)


@pytest.mark.parametrize("services", [("rds",), ("rds", "logs")])
def test_a_round_whose_every_target_failed_read_nothing(
    sandbox: Sandbox, services: tuple[str, ...]
) -> None:
    sandbox.faults.error_rate = 1.0
    watcher = _sandbox_watcher(sandbox, services)
    watcher._round()
    watcher._round()

    assert len(watcher.problems) == len(services)
    assert not watcher.read
    lines = _board(watcher)
    assert lines[0] == "Reading the export jobs…"
    assert not any("No export jobs running" in line for line in lines)
    assert not any("pending" in line or "running" in line for line in lines)
    assert lines[1] == "round 2 · Ctrl-C to quit"
    # The failures below it, each retried.
    assert sum(line.startswith("retrying after: ") for line in lines[2:]) == len(services)

    # Once a target answers, the board is read, and stays so through a round of failures.
    sandbox.faults.error_rate = 0.0
    watcher._round()
    assert watcher.read and " pending · " in _board(watcher)[-1]
    sandbox.faults.error_rate = 1.0
    watcher._round()
    assert watcher.read


def test_a_round_where_one_target_answered_is_read(sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"rds"}
    watcher = _sandbox_watcher(sandbox, ("rds", "logs"))
    watcher._round()

    assert watcher.problems and watcher.read
    assert any(line.startswith("round 1 · 0 pending · ") for line in _board(watcher))


@pytest.mark.parametrize("width", [30, 40, 45])
@pytest.mark.parametrize("height", [4, 6, 10])
def test_on_a_narrow_terminal_the_count_of_lines_left_out_is_one_line(
    width: int, height: int
) -> None:
    # "… N more lines: a taller terminal shows them" is wider than these terminals:
    # folded, it took a line the view had not counted, and rich cut the last to ...
    lines = _board(_failing_board(30), width=width, height=height)

    assert 1 <= len(lines) <= height
    assert not any(line.strip() == "..." for line in lines)
    assert lines[-1].startswith("… ") and len(lines[-1]) <= width


def test_the_board_shows_how_far_a_long_listing_is() -> None:
    import threading

    from exportctl.output.live import WatchView

    asked, answer = threading.Event(), threading.Event()

    class Long:
        calls = CallCounter()

        def list(self, query: object, on_progress: object = None) -> SimpleNamespace:
            # What the listing's ticker says once it has taken a second, then clears.
            assert callable(on_progress)
            on_progress("regions 12/33, accounts 3/12, jobs 210")
            asked.set()
            answer.wait()
            on_progress(None)
            return SimpleNamespace(jobs=[], failures=[], notices=[], answered=True)

    watcher = Watcher(Long(), ListQuery(), keep=600)  # type: ignore[arg-type]
    view = WatchView(watcher, "us-east-1")
    watcher.on_progress = view.progressed
    first = threading.Thread(target=watcher._round)
    first.start()
    try:
        asked.wait()
        during = _board(watcher, view=view)
    finally:
        answer.set()
        first.join()

    assert during[0] == "Reading the export jobs…"
    assert during[-1] == "round 1 · regions 12/33, accounts 3/12, jobs 210 · Ctrl-C to quit"
    assert _board(watcher, view=view)[-1].startswith("round 1 · 0 pending")
