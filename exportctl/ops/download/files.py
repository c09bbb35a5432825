"""A downloaded file written whole: under a temporary name next to its place, renamed
when complete; and the temporary files of a process that is gone, removed."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from exportctl.domain.errors import AwsError, ExitCode, ExportctlError
from exportctl.domain.printable import inline
from exportctl.ops.download.paths import writing
from exportctl.store.cachefiles import PART, SHARED, alive, write_atomically

# How much is read at a time, from the network or from a file on disk.
CHUNK = 1024 * 1024


class Interrupted(ExportctlError):
    exit_code = ExitCode.INTERRUPTED


def remove_stale_parts(destination: Path) -> list[Path]:
    """Remove temporary files under ``destination`` left by a process that is gone
    (killed with SIGKILL, a crash, a power cut); those of live processes stay."""
    if os.name == "nt" or not destination.is_dir():
        # os.kill(pid, 0) would terminate the process on Windows.
        return []
    removed: list[Path] = []
    for folder, _, names in os.walk(destination):
        for name in names:
            match = PART.match(name)
            if match and not alive(int(match["pid"])):
                path = Path(folder, name)
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


def write_file(
    path: Path,
    chunks: Iterator[bytes],
    *,
    expected: int | None,
    on_bytes: Callable[[int], None],
    stop: threading.Event,
) -> int:
    """Write ``chunks`` to a temporary file next to ``path``, then rename it into place.

    What this disk refuses is a :class:`LocalError` naming the file; what the
    network does while ``chunks`` are read is not.
    """

    def go_on() -> None:
        if stop.is_set():
            raise Interrupted("interrupted")

    def check(written: int) -> None:
        if expected is not None and written != expected:
            raise AwsError(f"{inline(path.name)}: received {written} of {expected} bytes")

    return write_atomically(
        path,
        chunks,
        mode=SHARED,
        disk=lambda: writing(path),
        go_on=go_on,
        written=on_bytes,
        check=check,
        # The job's files are many in a folder: their stale parts were removed once,
        # before the first (remove_stale_parts), not a listing of the folder each.
        tidy=False,
        # What the user named is replaced whatever it is (the download's own rules
        # decide when a file in its place is written over).
        only_over_files=False,
    )
