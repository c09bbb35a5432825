"""The progress line of a long listing, on a terminal's stderr."""

from __future__ import annotations

import io

import pytest

from exportctl.output.progress import progress_line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_it_overwrites_itself_with_no_escape_code(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    write = progress_line()
    assert write is not None
    write("3 accounts")
    write("4 acc")
    write(None)
    # Spaces over what is left of the longer line; cleared, back to the line's start.
    assert screen.getvalue() == "\r3 accounts\r4 acc     \r     \r"
    assert "\x1b" not in screen.getvalue()


def test_none_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress_line() is None
