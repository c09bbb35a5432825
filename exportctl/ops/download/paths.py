"""Where a download's files land: inside DEST only, side by side on this disk, and
what this disk refuses, said as a local error naming the file."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from exportctl.domain.errors import ConflictError, LocalError, clip, local_reason
from exportctl.ops.download.records import Item


def _landing(rel: str) -> tuple[str, ...]:
    """The folders and name ``rel`` lands on: empty and ``.`` parts are no folder."""
    return tuple(p for p in PurePosixPath(rel).parts if p not in ("", "."))


def safe_path(destination: Path, rel: str) -> Path:
    """``destination/rel``, refusing anything that would land outside ``destination``
    or that this system cannot name."""
    parts = _landing(rel)
    if (
        PurePosixPath(rel).is_absolute()
        or rel.startswith(("/", "\\"))
        or not parts
        or any(p == ".." or "\\" in p for p in parts)
        # A drive ("C:") on Windows, where any colon also names a stream of a file.
        or (os.name == "nt" and any(":" in p for p in parts))
    ):
        raise ConflictError(f"refusing {rel!r}: it would land outside {destination}")
    if any("\x00" in p for p in parts):
        raise ConflictError(f"refusing {rel!r}: a file name cannot hold a NUL character")
    target = destination.joinpath(*parts)
    root = destination.resolve()
    if not target.resolve().is_relative_to(root):
        raise ConflictError(
            f"refusing {rel!r}: a link in {destination} would take it outside {destination}"
        )
    return target


def check_names(items: list[Item]) -> None:
    """Refuse, before anything is written, keys this disk cannot hold side by side:
    two that land on one file (``a/b`` and ``a//b``), or differ only by case (one
    would overwrite the other on the usual macOS and Windows file systems, wherever
    DEST is), or one that is also the folder of another (``dir`` and ``dir/file.csv``)."""
    # Each key's folders and name, worked out once.
    landings = [(item, _landing(item.rel)) for item in items]
    by_folded: dict[str, tuple[Item, tuple[str, ...]]] = {}
    for item, landing in landings:
        other, its = by_folded.setdefault("/".join(landing).casefold(), (item, landing))
        if other is item:
            continue
        first, second = clip(other.key or other.rel), clip(item.key or item.rel)
        if its == landing:
            raise LocalError(
                f"keys '{first}' and '{second}' would both be the file "
                f"'{clip('/'.join(landing))}'; fetch them with another tool"
            )
        raise LocalError(
            f"keys '{first}' and '{second}' differ only by case: they would overwrite "
            "each other on a case-insensitive file system (macOS, Windows); fetch them "
            "with another tool"
        )
    folders = {
        "/".join(landing[:n]).casefold(): item
        for item, landing in landings
        for n in range(1, len(landing))
    }
    for item, landing in landings:
        inner = folders.get("/".join(landing).casefold())
        if inner is not None:
            raise LocalError(
                f"key '{clip(item.key or item.rel)}' would be a file where key "
                f"'{clip(inner.key or inner.rel)}' needs a folder of that name; "
                "fetch them with another tool"
            )


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Errors of this disk while writing ``path``: local, naming the file (exit 73)."""
    try:
        yield
    except OSError as exc:
        where = (
            exc.filename if exc.errno in (errno.ENOTDIR, errno.EEXIST) and exc.filename else path
        )
        raise LocalError(f"cannot write {clip(where, 300)}: {local_reason(exc)}") from exc


def check_destination(destination: Path) -> None:
    """DEST can take the files: a folder, or one to be made in the nearest folder above
    it that exists, which this process may write. Checked before the work (a start's
    create, a long wait), not found once the job has run."""
    said = clip(destination, 300)
    if destination.is_symlink() and not destination.exists():
        raise LocalError(f"DEST {said} is a link to nothing: choose another")
    if destination.exists() and not destination.is_dir():
        raise LocalError(f"DEST {said} is a file, not a folder: choose another")
    above = next((p for p in (destination, *destination.parents) if p.exists()), None)
    if above is None:
        return
    if not above.is_dir():
        raise LocalError(f"DEST {said}: {clip(above, 300)} is a file, not a folder")
    if not os.access(above, os.W_OK | os.X_OK):
        raise LocalError(f"DEST {said}: {clip(above, 300)} cannot be written")
