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


def test_it_fits_the_terminal_it_is_written_to_not_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    class Stderr(Terminal):
        def fileno(self) -> int:
            return 2

    screen = Stderr()
    monkeypatch.setattr("sys.stderr", screen)
    monkeypatch.delenv("COLUMNS", raising=False)
    # stdout is a file (`list > jobs.txt`); stderr a terminal 30 columns wide.
    sizes = {2: os.terminal_size((30, 24))}

    def size(fd: int = 1) -> os.terminal_size:
        if fd not in sizes:
            raise OSError("not a terminal")
        return sizes[fd]

    monkeypatch.setattr("os.get_terminal_size", size)
    write = progress_line()
    assert write is not None
    write("regions 12/33, accounts 3/12, jobs 2,210")
    assert screen.getvalue() == "\rregions 12/33, accounts 3/12,"
