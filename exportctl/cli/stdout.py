"""stdout as every command writes to it, and how a run's output ends: written whole,
its reader gone (the closed-pipe status) or its disk full (:data:`ExitCode.LOCAL`)."""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import select
import stat
import sys
from typing import Any, NoReturn

import click


class OutputError(OSError):
    """stdout refused what was written for another reason than its reader leaving
    (a full disk, an I/O error): told apart from every other OSError a command may
    meet, it is the command's end with :data:`ExitCode.LOCAL`."""


class _Stdout(io.BufferedWriter):
    """stdout's buffer: what it cannot write is an :class:`OutputError` (a closed pipe
    stays BrokenPipeError); ``whole`` flushes each write."""

    def __init__(self, raw: io.RawIOBase, buffer_size: int, *, whole: bool) -> None:
        super().__init__(raw, buffer_size)
        self._whole = whole

    def write(self, data: Any) -> int:
        try:
            written = super().write(data)
            if self._whole:
                super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc
        return written

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc


# What stdout's encoding cannot hold is written as JSON's escape of it (\u00e9 for é):
# JSON syntax is ASCII, so only a string's characters are ever replaced, and the
# document stays valid JSON in any locale; in a table the escape shows what it was.
UNENCODABLE = "exportctl.json-escape"


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start : error.end]:
        point = ord(char)
        if point > 0xFFFF:
            point -= 0x10000
            escaped.append(f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{point:04x}")
    return "".join(escaped), error.end


def _errors(stream: io.TextIOWrapper) -> str:
    """stdout's handler of what its encoding cannot hold: :data:`UNENCODABLE` in place
    of Python's defaults (strict, or a C locale's surrogateescape: a UnicodeEncodeError
    midway through the output); one chosen with PYTHONIOENCODING is kept."""
    given = stream.errors or "strict"
    # Python's own handler of a C or POSIX locale (surrogateescape) is no choice of the
    # user's, and writes no character it cannot encode: only PYTHONIOENCODING's is kept.
    chosen = given != "strict" and (
        given != "surrogateescape" or ":" in os.environ.get("PYTHONIOENCODING", "")
    )
    if chosen or codecs.lookup(stream.encoding).name.startswith("utf"):
        return given
    with contextlib.suppress(LookupError):
        codecs.lookup_error(UNENCODABLE)
        return UNENCODABLE
    codecs.register_error(UNENCODABLE, _json_escape)
    return UNENCODABLE


def guard() -> None:
    """stdout with the buffer above beneath its text layer, and written whole in any
    locale (:data:`UNENCODABLE`).

    Under ``python -u`` or PYTHONUNBUFFERED, stdout's text layer writes straight to
    the file descriptor and takes a short write for a whole one: when the reader of a
    pipe leaves in the middle of a table written at once, the rest is dropped without
    an error and the command ends 0. A buffered writer beneath it writes all or raises
    BrokenPipeError, which every command turns into the closed-pipe status. Buffered or
    not, a full disk raises :class:`OutputError` wherever the command writes."""
    stream = sys.stdout
    if stream is None:
        # Started with stdout closed (``>&-``): Python leaves None, which no command
        # expects; what one writes is said as a stdout that cannot take it.
        sys.stdout = _ClosedStdout()
        return
    if not isinstance(stream, io.TextIOWrapper):
        return
    errors = _errors(stream)
    if errors != stream.errors:
        stream.reconfigure(errors=errors)
    buffer = stream.buffer
    if isinstance(buffer, io.RawIOBase):
        raw, whole = buffer, True
    elif (
        isinstance(buffer, io.BufferedWriter)
        and not isinstance(buffer, _Stdout)
        and isinstance(buffer.raw, io.FileIO)
    ):
        # Nothing is written yet; should a caller have, it goes out first.
        stream.flush()
        raw, whole = buffer.raw, False
    else:
        return
    try:
        # The size open() gives a file's buffer: the device's block size (none on Windows).
        size = getattr(os.fstat(raw.fileno()), "st_blksize", 0)
    except (OSError, ValueError):
        size = 0
    sys.stdout = io.TextIOWrapper(
        _Stdout(raw, size if size > 1 else io.DEFAULT_BUFFER_SIZE, whole=whole),
        encoding=stream.encoding,
        errors=stream.errors,
        # As Python's own stdout: "\n" where that is the line end, translated elsewhere.
        newline=None,
        line_buffering=stream.line_buffering,
        write_through=whole or stream.write_through,
    )


class _ClosedStdout(io.TextIOBase):
    """stdout when the command started without one: writing to it fails as writing to
    a closed file descriptor does."""

    def write(self, text: str) -> int:
        raise OutputError(errno.EBADF, "stdout is closed")

    def isatty(self) -> bool:
        return False


def check_reader() -> None:
    """BrokenPipeError when stdout is a pipe whose reader has closed it (``| head``
    has its lines): a command that writes now and then (a wait or a watch on jobs
    that do not change) asks between its rounds instead of learning it at its next
    line. Nothing where that cannot be told (not a pipe, no poll)."""
    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return
    except (OSError, ValueError, AttributeError):
        return
    if not hasattr(select, "poll"):
        return
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    # The write end of a pipe whose every reader is gone is in error (POLLERR).
    if any(events & select.POLLERR for _, events in poller.poll(0)):
        raise BrokenPipeError


def finish(code: int) -> int:
    """``code`` once what stdout holds is out: the closed-pipe status when its reader
    is gone by then, :data:`ExitCode.LOCAL` (and one line on stderr) when it cannot
    take it, as when the disk is full."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        from exportctl.domain.errors import ExitCode

        discard()
        return int(ExitCode.CLOSED_PIPE)
    except OSError as exc:
        return output_failed(exc, code)
    try:
        duplicate = os.dup(sys.stdout.fileno())
    except (OSError, ValueError):
        # No file beneath (output captured in memory) or no descriptor left to check with.
        return code
    try:
        # Some file systems (NFS) report a failed write only when the file is closed:
        # closing a duplicate asks, and leaves stdout open.
        os.close(duplicate)
    except OSError as exc:
        return output_failed(exc, code)
    return code


def output_failed(exc: OSError, code: int = 0) -> int:
    """Say once that stdout refused the output; the command's code if it already
    failed, else :data:`ExitCode.LOCAL`."""
    from exportctl.domain.errors import ExitCode, local_reason

    with contextlib.suppress(Exception):
        click.echo(f"exportctl: error: cannot write to stdout: {local_reason(exc)}", err=True)
    discard()
    return code or int(ExitCode.LOCAL)


def discard() -> None:
    """What stdout still holds goes nowhere, instead of failing again at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def leave(code: int) -> NoReturn:
    """Exit with ``code`` once stdout and stderr are flushed, skipping the interpreter's
    teardown; a reader of stdout gone by then makes it the closed-pipe status, a
    stdout that cannot take what it holds :data:`ExitCode.LOCAL`."""
    code = finish(code)
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)
