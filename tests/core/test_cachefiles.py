"""One way a file is written whole, for the caches and for downloads alike."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportctl.store import cachefiles
from exportctl.store.cachefiles import PRIVATE, SHARED, TEMP_MARK, write_atomically


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


def test_text_is_written_as_utf8_bytes_as_they_are(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "file"
    assert write_atomically(target, ["é\n", "line\r\n"]) == len("é\nline\r\n".encode())
    assert target.read_bytes() == "é\nline\r\n".encode()
    assert write_atomically(target, iter([b"\x00\xff", b"!"])) == 3
    assert target.read_bytes() == b"\x00\xff!"
    assert leftovers(target.parent) == []


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_cache_file_is_the_users_alone_a_download_as_the_umask_says(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "cache", ["x"])
        write_atomically(tmp_path / "download", [b"x"], mode=SHARED)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == PRIVATE
    assert stat.S_IMODE((tmp_path / "download").stat().st_mode) == 0o644


def test_a_failure_midway_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("old", encoding="utf-8")

    def broken() -> Iterator[str]:
        yield "new, but "
        assert leftovers(tmp_path), "the chunks go to a temporary file beside the target"
        raise ConnectionResetError("the source went away")

    with pytest.raises(ConnectionResetError):
        write_atomically(target, broken())
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_the_hooks_see_each_chunk_and_the_total_and_may_refuse(tmp_path: Path) -> None:
    target = tmp_path / "file"
    seen: list[int] = []
    with pytest.raises(ValueError, match="short"):
        write_atomically(
            target, [b"ab", b"cde"], written=seen.append, check=lambda n: _refuse(n, "short")
        )
    assert seen == [2, 3] and not target.exists() and leftovers(tmp_path) == []


def _refuse(total: int, why: str) -> None:
    assert total == 5
    raise ValueError(why)


class DiskRefused(Exception):
    pass


def test_disk_errors_go_through_the_callers_context_and_the_sources_do_not(
    tmp_path: Path,
) -> None:
    import contextlib

    @contextlib.contextmanager
    def disk() -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise DiskRefused(str(exc)) from exc

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    with pytest.raises(DiskRefused):
        write_atomically(blocked / "inside", ["x"], disk=disk)

    def source() -> Iterator[bytes]:
        raise TimeoutError("the network")
        yield b""

    with pytest.raises(TimeoutError):
        write_atomically(tmp_path / "file", source(), disk=disk)


def test_go_on_stops_before_the_file_is_made_and_before_each_chunk(tmp_path: Path) -> None:
    calls: list[int] = []

    def go_on() -> None:
        calls.append(len(calls))
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "file", ["a", "b", "c"], go_on=go_on)
    assert calls == [0, 1, 2] and list(tmp_path.iterdir()) == []


def test_an_interrupted_writer_leaves_its_temporary_file_to_remove_parts(tmp_path: Path) -> None:
    def stuck() -> Iterator[str]:
        yield "begun"
        # The main thread, interrupted, removes what its writers have open.
        [temp] = leftovers(tmp_path)
        assert temp.startswith(f".file{TEMP_MARK}{os.getpid()}-")
        cachefiles.remove_parts()
        assert leftovers(tmp_path) == []
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "file", stuck())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["x" * 255, "é" * 125 + ".csv"])
def test_the_longest_name_the_disk_takes_has_a_temporary_name_it_takes_too(
    tmp_path: Path, name: str
) -> None:
    from exportctl.ops.download.files import remove_stale_parts

    target = tmp_path / name
    assert len(target.name.encode()) <= cachefiles.NAME_MAX
    assert write_atomically(target, [b"data"]) == 4
    assert target.read_bytes() == b"data" and leftovers(tmp_path) == []
    # A process id above any Linux gives (pid_max is at most 2**22): one that is gone.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "getpid", lambda: 4194304)
        gone = cachefiles.temp_path(target)
    assert len(gone.name.encode()) <= cachefiles.NAME_MAX
    # Still found for what it is.
    gone.write_bytes(b"half")
    assert remove_stale_parts(tmp_path) == [gone]


def test_a_cache_file_is_read_as_it_is(tmp_path: Path) -> None:
    target = tmp_path / "cache"
    target.write_bytes(b"line\n")
    with cachefiles.open_cached(target) as handle:
        assert handle.read() == b"line\n"
    with pytest.raises(FileNotFoundError):
        cachefiles.open_cached(tmp_path / "none")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_or_a_device_in_a_caches_place_is_unreadable_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from exportctl.ops import estimates, refcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "exportctl"
    folder.mkdir()
    os.mkfifo(folder / "refs")
    os.mkfifo(folder / "durations.json")
    os.symlink(os.devnull, folder / "device")
    with pytest.raises(OSError):
        cachefiles.open_cached(folder / "device")
    read: list[object] = []
    # Opened as a file is, a FIFO without a writer never answers: the reader would
    # stay, and the test with it, so it runs beside the test, which looks once.
    reader = threading.Thread(
        target=lambda: read.extend([refcache.load(), estimates.load().samples]), daemon=True
    )
    reader.start()
    reader.join(30)
    assert read == [[], {}]
    # Nor is it replaced: what the user put there (a link to /dev/null, to keep no
    # references) stays, and the command goes on without the cache.
    assert refcache.remember([refcache.CachedRef("discovery:us-east-1:x")]) is False
    assert stat.S_ISFIFO((folder / "refs").stat().st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@pytest.mark.timeout(30)
def test_no_cache_file_takes_the_place_of_a_fifo_or_a_device(tmp_path: Path) -> None:
    # One rule for every cache file written: what is not a regular file (or a link to
    # one) is the user's, left as it is, and the write is an OSError every cache goes
    # without. A link to a regular file is replaced, as before.
    fifo, device, linked, kept = (tmp_path / name for name in ("fifo", "dev", "link", "kept"))
    os.mkfifo(fifo)
    device.symlink_to(os.devnull)
    kept.write_text("theirs")
    linked.symlink_to(kept)
    for target in (fifo, device):
        with pytest.raises(OSError):
            cachefiles.write_atomically(target, ["mine"])
    assert fifo.is_fifo() and os.readlink(device) == os.devnull
    assert cachefiles.write_atomically(linked, ["mine"]) == 4
    assert linked.read_text() == "mine" and kept.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev", "fifo", "kept", "link"]
    # A download takes the place of whatever the user named (its own rules say what).
    assert cachefiles.write_atomically(fifo, ["file"], only_over_files=False) == 4
    assert fifo.read_text() == "file"


@pytest.mark.skipif(os.name == "nt", reason="a pid's liveness is tested with POSIX signals")
def test_a_write_removes_the_parts_of_its_file_a_dead_process_left(tmp_path: Path) -> None:
    """A writer killed mid-write (SIGKILL) leaves its part: the next write of the same
    file removes it; a live process's part, and other files' parts, stay."""
    import subprocess
    import sys

    target = tmp_path / "endpoints.json"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "getpid", lambda: ended.pid)
        dead = cachefiles.temp_path(target)
        others = cachefiles.temp_path(tmp_path / "refs")
    live = cachefiles.temp_path(target).with_name(f".endpoints.json{TEMP_MARK}1-0badcafe")
    for part in (dead, others, live):
        part.write_bytes(b"half")
    write_atomically(target, ["whole"])
    assert target.read_text(encoding="utf-8") == "whole"
    assert leftovers(tmp_path) == sorted([others.name, live.name])
