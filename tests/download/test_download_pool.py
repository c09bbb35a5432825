"""Several downloads in one process (`wait --download` fetches two jobs at a time):
one download's failure removes its own files being written, never another's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportctl.ops.download.pool import run
from exportctl.ops.download.records import Item, NullReporter, Plan
from exportctl.store.cachefiles import write_atomically


def test_a_failed_download_leaves_another_downloads_file_being_written(tmp_path: Path) -> None:
    halfway = threading.Event()
    go_on = threading.Event()

    def chunks() -> Iterator[bytes]:
        yield b"first half, "
        halfway.set()
        go_on.wait(30)
        yield b"second half"

    other = tmp_path / "other" / "big.csv"
    errors: list[BaseException] = []

    def write() -> None:
        try:
            write_atomically(other, chunks())
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    assert halfway.wait(30)

    def refused(item: Item, advanced: object, stop: threading.Event) -> int:
        raise PermissionError("access denied")

    mine = tmp_path / "mine"
    plan = Plan(
        mine, "s3://bucket/p/", fetch=[Item("s3://bucket/p/a.csv", mine / "a.csv", "a.csv")]
    )
    with pytest.raises(PermissionError):
        run(plan, refused, NullReporter())
    go_on.set()
    writer.join(30)
    assert errors == []
    assert other.read_bytes() == b"first half, second half"
