"""exportctl's cache folder, and how a file in it is replaced."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def cache_dir() -> Path:
    """The folder; an OSError when there is none to be had, as for a file that
    cannot be read: every cache treats that as a cache it goes without."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base and Path(base).is_absolute():
        return Path(base) / "exportctl"
    try:
        home = Path.home()
    except RuntimeError as exc:
        # No HOME and no entry in the user database, as for a container run with
        # an arbitrary uid: Path.home() raises what no cache expects.
        raise FileNotFoundError(
            errno.ENOENT, "no home folder for the cache (set HOME or XDG_CACHE_HOME)"
        ) from exc
    return home / ".cache" / "exportctl"


def write_atomically(target: Path, chunks: Iterable[str]) -> None:
    """Write ``chunks`` to ``target`` (UTF-8): readers see the old file or the new one,
    never half of either, and no temporary file is left behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(chunks)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
