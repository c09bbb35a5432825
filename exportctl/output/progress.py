"""A one-line progress report on stderr, for fan-outs that take a while."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable


def progress_line(*, streaming_to_terminal: bool = False) -> Callable[[str | None], None] | None:
    """A writer of one self-overwriting line on stderr, or None off a terminal (and
    when records stream to the same terminal, where the line would tear them)."""
    if not sys.stderr.isatty() or streaming_to_terminal:
        return None
    lock = threading.Lock()
    shown = [0]

    def write(text: str | None) -> None:
        width = _width()
        with lock:
            line = "" if text is None else text[: max(1, width - 1)]
            # Spaces over what the last line left, not an erase sequence: no escape
            # codes at all, as --no-color and NO_COLOR ask (and TERM=dumb knows none).
            rest = " " * max(0, shown[0] - len(line))
            # Cleared, the cursor goes back to where the next line starts.
            sys.stderr.write(f"\r{line}{rest}" + ("\r" if text is None else ""))
            shown[0] = len(line)
            sys.stderr.flush()

    return write


def _width() -> int:
    """COLUMNS, else the width of the terminal the line is written to: stderr's, not
    stdout's (shutil's measure), which may be a file (`list > jobs.txt`)."""
    given = os.environ.get("COLUMNS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80
