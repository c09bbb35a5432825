"""Where a download's files land: inside DEST only, side by side on this disk, and
what this disk refuses, said as a local error naming the file."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from exportctl.domain.errors import LocalError, UsageError, clip, local_reason
from exportctl.ops.download.records import Item


def safe_path(destination: Path, rel: str) -> Path:
    """``destination/rel``, refusing anything that would land outside ``destination``."""
    pure = PurePosixPath(rel)
    parts = [p for p in pure.parts if p not in ("", ".")]
    if (
        pure.is_absolute()
        or rel.startswith(("/", "\\"))
        or not parts
        or any(p == ".." or "\\" in p or ":" in p or "\x00" in p for p in parts)
    ):
        raise UsageError(f"refusing {rel!r}: it would land outside {destination}")
    target = destination.joinpath(*parts)
    root = destination.resolve()
    if not target.resolve().is_relative_to(root):
        raise UsageError(f"refusing {rel!r}: it would land outside {destination}")
    return target


def check_names(items: list[Item]) -> None:
    """Refuse, before anything is written, keys this disk cannot hold side by side:
    two that differ only by case (one would overwrite the other on the usual macOS
    and Windows file systems, wherever DEST is), or one that is also the folder of
    another (``dir`` and ``dir/file.csv``)."""
    by_folded: dict[str, str] = {}
    for item in items:
        other = by_folded.setdefault(item.rel.casefold(), item.rel)
        if other != item.rel:
            raise LocalError(
                f"keys '{clip(_key(other, items))}' and '{clip(_key(item.rel, items))}' "
                "differ only by case: they would overwrite each other on a "
                "case-insensitive file system (macOS, Windows); fetch them with another tool"
            )
    folders = {
        str(PurePosixPath(*PurePosixPath(i.rel).parts[:n])).casefold(): i.rel
        for i in items
        for n in range(1, len(PurePosixPath(i.rel).parts))
    }
    for item in items:
        inner = folders.get(item.rel.casefold())
        if inner is not None:
            raise LocalError(
                f"key '{clip(_key(item.rel, items))}' would be a file where key "
                f"'{clip(_key(inner, items))}' needs a folder of that name; "
                "fetch them with another tool"
            )


def _key(rel: str, items: list[Item]) -> str:
    return next((i.key or i.rel for i in items if i.rel == rel), rel)


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
    if destination.exists() and not destination.is_dir():
        raise LocalError(f"DEST {clip(destination, 300)} is a file, not a folder: choose another")
