"""What a download is made of: the files to fetch, sorted into a plan, and what it
tells: its progress, to a reporter, and its summary at the end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


@dataclass
class Item:
    """One file to fetch: where from (``source``), where to, and what we know of it."""

    source: str
    path: Path
    rel: str
    size: int | None = None
    etag: str | None = None
    key: str | None = None


def total_size(items: Iterable[Item]) -> int | None:
    """The items' bytes together; None when the size of one is not known (a file a
    manifest lists without it): a sum of the others would say less than will come."""
    sizes = [item.size for item in items]
    return None if None in sizes else sum(size or 0 for size in sizes)


@dataclass
class Plan:
    destination: Path
    source: str
    fetch: list[Item] = field(default_factory=list)
    present: list[Item] = field(default_factory=list)
    conflicts: list[Item] = field(default_factory=list)


@dataclass
class Summary:
    source: str
    destination: Path
    files: int = 0
    # None: a dry run that cannot know the size of a file it would fetch without
    # fetching it.
    bytes: int | None = 0
    skipped: int = 0
    skipped_bytes: int = 0
    dry_run: bool = False
    paths: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "destination": str(self.destination),
            "files": self.files,
            "bytes": self.bytes,
            "skipped": self.skipped,
            "skipped_bytes": self.skipped_bytes,
            "dry_run": self.dry_run,
            "paths": self.paths,
        }


class Reporter(Protocol):
    def planned(self, files: int, size: int | None) -> None: ...
    def advanced(self, item: Item, nbytes: int) -> None: ...
    def finished(self, item: Item) -> None: ...


class NullReporter:
    def planned(self, files: int, size: int | None) -> None:
        pass

    def advanced(self, item: Item, nbytes: int) -> None:
        pass

    def finished(self, item: Item) -> None:
        pass
