"""stderr as every command writes to it: diagnostics, which never end a command.

A notice, a progress line or an error that stderr cannot take (a full disk, its
reader gone, a terminal hung up, a run started with ``2>&-``) is lost, and the
command goes on: the records on stdout, a download, the reference of a job it made
matter more than a line about them. Python's own stderr would raise into whatever
wrote it (an "unexpected error", exit 70) and fail once more at exit (status 120).
"""

from __future__ import annotations

import io
import os
import sys


class _Lossy(io.RawIOBase):
    """A file descriptor whose failed writes are taken as written, and then no
    more writes are tried."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.failed = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        try:
            return os.isatty(self._fd)
        except OSError:
            return False

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = len(data)
        if self.failed:
            return size
        view = memoryview(data)
        try:
            while view:
                # Whole, as a line of stderr goes out at once: a pipe may take part of it.
                view = view[os.write(self._fd, view) :]
        except InterruptedError:
            raise
        except OSError:
            self.failed = True
        return size


def guard() -> None:
    """stderr written as :class:`_Lossy` says, in its encoding; a closed one
    (``2>&-``) is the null device, its descriptor taken so that no file the command
    opens lands on it."""
    stream = sys.stderr
    if stream is None:
        try:
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            return
        if null != 2:
            os.dup2(null, 2)
            os.close(null)
        encoding, errors = "utf-8", "backslashreplace"
    elif isinstance(stream, io.TextIOWrapper):
        try:
            stream.flush()
            if stream.fileno() != 2:
                return
        except (OSError, ValueError):
            return
        encoding, errors = stream.encoding, stream.errors or "backslashreplace"
    else:
        return
    # Unbuffered: each write goes out whole as it is made, so that nothing is left to
    # fail at exit and a line is never held back behind a live view's frame.
    sys.stderr = io.TextIOWrapper(
        _Lossy(2),
        encoding=encoding,
        errors=errors,
        newline=None,
        write_through=True,
    )
