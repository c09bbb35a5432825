"""Progress for people: a bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from exportctl.ops.download.records import Item
from exportctl.output.downloadprogress import PlainReporter, RichReporter, progress_reporter


def item(rel: str) -> Item:
    return Item(source=f"s3://b/{rel}", path=Path("/nowhere") / rel, rel=rel, size=1000)


def test_a_terminal_gets_a_bar_with_files_bytes_and_rate() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None)
    reporter = progress_reporter(console)
    assert isinstance(reporter, RichReporter)
    reporter.planned(2, 2000)
    for rel in ("a.csv", "b.csv"):
        reporter.advanced(item(rel), 1000)
        reporter.finished(item(rel))
    reporter.close()
    text = buffer.getvalue()
    assert "files 2/2" in text
    assert "2.0/2.0 kB" in text
    assert "/s" in text


def test_a_pipe_gets_one_plain_line_per_file() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False, width=100)
    reporter = progress_reporter(console)
    assert isinstance(reporter, PlainReporter)
    reporter.planned(1, 1000)
    reporter.advanced(item("a.csv"), 1000)
    reporter.finished(item("a.csv"))
    assert buffer.getvalue() == "fetched a.csv\n"
