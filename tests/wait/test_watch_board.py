"""What `watch`'s live board shows on a terminal: before its first listing has
answered, and within a terminal too short for it."""

from __future__ import annotations

import io
from types import SimpleNamespace

from exportctl.ops.jobs import ListQuery
from exportctl.ops.polling.watcher import Watcher


def _listing(jobs: list[object], failures: list[object], notices: list[object]) -> object:
    class Listing:
        calls = SimpleNamespace(snapshot=lambda: {})

        def list(self, query: object) -> SimpleNamespace:
            return SimpleNamespace(jobs=jobs, failures=failures, notices=notices)

    return Listing()


def _board(watcher: Watcher, width: int = 120, height: int = 24) -> list[str]:
    from rich.console import Console

    from exportctl.output.live import WatchView

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, height=height, color_system=None,
                      force_terminal=True)  # fmt: skip
    console.print(WatchView(watcher, "us-east-1"))
    return buffer.getvalue().splitlines()


def test_the_board_says_the_jobs_are_being_read_until_the_first_listing_answers() -> None:
    import threading

    asked, answer = threading.Event(), threading.Event()

    class Slow:
        calls = SimpleNamespace(snapshot=lambda: {})

        def list(self, query: object) -> SimpleNamespace:
            asked.set()
            answer.wait()
            return SimpleNamespace(jobs=[], failures=[], notices=[])

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
