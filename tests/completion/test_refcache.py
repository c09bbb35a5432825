"""The reference cache: bounded, most recent first, written whole, never in the way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn

import pytest
from click.shell_completion import BashComplete
from click.testing import CliRunner

from exportctl.cli.root import cli
from exportctl.ops import refcache
from exportctl.sandbox import Sandbox


def refs(n: int, tag: str) -> list[refcache.CachedRef]:
    return [refcache.CachedRef(f"discovery:us-east-1:{tag}-{i}") for i in range(n)]


def test_lives_in_the_xdg_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert refcache.cache_path() == tmp_path / "exportctl" / "refs"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert refcache.cache_path() == tmp_path / ".cache" / "exportctl" / "refs"


def test_newest_first_without_duplicates() -> None:
    assert refcache.remember(refs(3, "old"))
    assert refcache.remember([*refs(1, "new"), refcache.CachedRef("discovery:us-east-1:old-2")])
    assert [e.ref for e in refcache.load()] == [
        "discovery:us-east-1:new-0",
        "discovery:us-east-1:old-2",
        "discovery:us-east-1:old-0",
        "discovery:us-east-1:old-1",
    ]


def test_a_line_that_is_no_utf8_costs_that_line_only() -> None:
    assert refcache.remember(refs(3, "kept"))
    path = refcache.cache_path()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"discovery:us-east-1:bad-\xff\n" + b"".join(lines[1:]))
    # Decoded whole, one such byte lost every reference Tab offers.
    assert [e.ref for e in refcache.load()] == [e.ref for e in refs(3, "kept")]


def test_bounded() -> None:
    refcache.remember(refs(refcache.MAX_ENTRIES - 10, "a"))
    refcache.remember(refs(50, "b"))
    kept = [e.ref for e in refcache.load()]
    assert len(kept) == refcache.MAX_ENTRIES
    assert kept[:50] == [e.ref for e in refs(50, "b")]
    refcache.remember(refs(refcache.MAX_ENTRIES + 500, "c"))
    assert len(refcache.load()) == refcache.MAX_ENTRIES


def test_a_full_set_of_new_references_is_written_without_reading_the_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A listing of thousands of jobs fills the cache by itself: the old file has
    # nothing left to give, and reading it whole would only add to the peak memory.
    refcache.remember(refs(10, "old"))

    def forbidden(what: str) -> Callable[..., NoReturn]:
        def called(*args: object) -> NoReturn:
            raise AssertionError(what)

        return called

    new = refs(refcache.MAX_ENTRIES, "new")
    with monkeypatch.context() as patched:
        patched.setattr(refcache, "load", forbidden("the old file was read whole"))
        assert refcache.remember(new)
    assert refcache.load() == [refcache.CachedRef(e.ref, e.ref) for e in new]
    # The same again is compared line by line and writes nothing.
    with monkeypatch.context() as patched:
        patched.setattr(refcache, "load", forbidden("the old file was read whole"))
        patched.setattr(refcache, "write_atomically", forbidden("the same file was written"))
        assert refcache.remember(new)


def test_replaced_whole_leaving_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    refcache.remember(refs(5, "x"))
    refcache.remember(refs(5, "y"))
    # The lock it was replaced under stays, empty, for the next command.
    assert sorted(os.listdir(refcache.cache_dir())) == ["refs", "refs.lock"]


def test_tabs_and_newlines_cannot_break_lines() -> None:
    refcache.remember([refcache.CachedRef("discovery:e-1", about="bad\tabout\nline")])
    assert refcache.load() == [
        refcache.CachedRef("discovery:e-1", "discovery:e-1", "bad about line")
    ]


def test_a_cache_that_cannot_be_written_fails_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert refcache.remember(refs(1, "z")) is False
    assert refcache.load() == []
    env = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1"]
        for args in (["list"], ["list", "-o", "ndjson"], ["list", "--json"]):
            result = CliRunner().invoke(cli, [*base, *args], env=env)
            assert result.exit_code == 0, result.stderr
            assert result.stderr == ""


def test_the_same_references_again_write_nothing() -> None:
    entries = [refcache.CachedRef("discovery:e-1", about="discovery RUNNING")]
    refcache.remember([*entries, *refs(3, "q")])
    before = refcache.cache_path().stat().st_mtime_ns
    os.utime(refcache.cache_path(), ns=(before - 10**9, before - 10**9))
    assert refcache.remember(entries)
    assert refcache.cache_path().stat().st_mtime_ns == before - 10**9
    # A changed description is news, though.
    assert refcache.remember([refcache.CachedRef("discovery:e-1", about="discovery FAILED")])
    assert refcache.load()[0].about == "discovery FAILED"


class _Counted:
    """A file whose reads are counted, byte by byte."""

    def __init__(self, handle: BinaryIO, counts: list[int]) -> None:
        self._handle, self._counts = handle, counts

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._counts.append(len(data))
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self._handle.readline(size)
        self._counts.append(len(data))
        return data

    def __getattr__(self, name: str) -> object:
        return getattr(self._handle, name)

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def test_a_huge_cache_is_read_no_further_than_its_newest_entries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Newest first: what is past the first MAX_ENTRIES lines was never written by
    # exportctl, and reading it (hundreds of megabytes) held every Tab press and command.
    line = "discovery:us-east-1:e-{}\tdiscovery:e-{}\tdiscovery RUNNING\n"
    path = refcache.cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        handle.writelines(line.format(i, i) for i in range(refcache.MAX_ENTRIES * 20))
        # And a line that never ends.
        handle.write("x" * refcache.MAX_BYTES * 2)
    counts: list[int] = []
    opened = refcache.open_cached
    monkeypatch.setattr(refcache, "open_cached", lambda p: _Counted(opened(p), counts))
    kept = refcache.load()
    assert [e.ref for e in kept] == [f"discovery:us-east-1:e-{i}" for i in range(len(kept))]
    assert len(kept) == refcache.MAX_ENTRIES
    assert sum(counts) <= refcache.MAX_BYTES
    # Tab offers as many, no more.
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    assert len(shell.get_completions(["status"], "")) == refcache.MAX_ENTRIES
    # A command that records references reads no more of it, and keeps what it reads.
    counts.clear()
    assert refcache.remember([refcache.CachedRef("discovery:us-east-1:new")])
    assert sum(counts) <= 2 * refcache.MAX_BYTES
    assert path.stat().st_size < refcache.MAX_BYTES
    assert [e.ref for e in refcache.load()][:3] == [
        "discovery:us-east-1:new", "discovery:us-east-1:e-0", "discovery:us-east-1:e-1"
    ]  # fmt: skip


def test_a_first_line_that_never_ends_is_read_no_further_than_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = refcache.cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"discovery:us-east-1:" + b"e" * refcache.MAX_BYTES * 2)
    counts: list[int] = []
    opened = refcache.open_cached
    monkeypatch.setattr(refcache, "open_cached", lambda p: _Counted(opened(p), counts))
    assert refcache.load() == []
    assert sum(counts) <= refcache.MAX_BYTES
    counts.clear()
    assert refcache.remember([refcache.CachedRef("discovery:us-east-1:new")])
    assert sum(counts) <= 2 * refcache.MAX_BYTES
    assert [e.ref for e in refcache.load()] == ["discovery:us-east-1:new"]


def test_only_lines_that_are_references_are_kept() -> None:
    # What a disk error or another program left in the file: random bytes whose
    # fragments ("R\tR\t") were offered as references.
    import random

    good = [
        refcache.CachedRef("discovery:us-east-1:e-1", "discovery:e-1", "discovery RUNNING"),
        refcache.CachedRef("pinpoint:123456789012:eu-west-1:app/job", about="pinpoint FAILED"),
        refcache.CachedRef(
            "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/n",
            "personalize:n",
            "personalize COMPLETED",
        ),
    ]
    noise = random.Random(7).randbytes(100_000)
    damaged = [
        b"R\tR\t",
        b"discovery:us-east-1:e-\x1b[31m\tdiscovery:e-2\tdiscovery RUNNING",
        b"discovery:us-east-1:e-\x00\t\t",
        b"not a reference\t\t",
        b"arn:aws:personalize:nowhere:1:x\t\t",
        b"discovery:us-east-1:e-3\tdiscovery:e-3 \x07\tdiscovery \x1b]0;owned\x07RUNNING",
    ]
    lines = [good[0].line().encode(), noise, *damaged, good[1].line().encode(), noise,
             good[2].line().encode()]  # fmt: skip
    path = refcache.cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\n".join(lines) + b"\n")
    kept = refcache.load()
    # The last damaged line's reference is whole: it is kept without what is not.
    assert kept == [
        good[0],
        refcache.CachedRef("discovery:us-east-1:e-3", "discovery:us-east-1:e-3"),
        refcache.CachedRef(good[1].ref, good[1].ref, good[1].about),
        good[2],
    ]
    # Nothing else reaches a Tab press or the file again.
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    offered = shell.get_completions(["status"], "")
    assert [i.value for i in offered] == [e.ref for e in kept]
    assert refcache.remember([refcache.CachedRef("discovery:us-east-1:new")])
    assert refcache.load()[1:] == kept
    assert not [c for c in path.read_text("ascii") if not c.isprintable() and c not in "\t\n"]


def test_control_characters_are_never_written() -> None:
    refcache.remember(
        [
            refcache.CachedRef("discovery:us-east-1:e-1", about="discovery \x1b[2JRUNNING\x00"),
            refcache.CachedRef("discovery:us-east-1:e-\x1b[2J", about="discovery RUNNING"),
        ]
    )
    text = refcache.cache_path().read_text("utf-8")
    assert not [c for c in text if not c.isprintable() and c not in "\t\n"]
    [entry] = refcache.load()
    assert entry.ref == "discovery:us-east-1:e-1" and entry.about.isprintable()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.timeout(30)
def test_a_fifo_or_a_device_in_place_of_the_file_is_left_alone() -> None:
    path = refcache.cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    # No writer: opened to be read the usual way, it would hold the command for ever.
    assert refcache.load() == []
    assert refcache.remember(refs(2, "f")) is False
    assert path.is_fifo()
    path.unlink()
    path.symlink_to(os.devnull if not os.path.exists("/dev/zero") else "/dev/zero")
    assert refcache.load() == []
    assert refcache.remember(refs(2, "z")) is False
    assert path.is_symlink()
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    assert shell.get_completions(["status"], "") == []


def test_the_credentials_a_line_was_printed_with_are_kept_with_it() -> None:
    printed = refcache.CachedRef(
        "arn:aws:backup-search:us-east-1:210987654321:search-export-job/a7cff00d",
        "backupsearch:a7cff00d",
        "backupsearch RUNNING",
        "--sandbox --profile my team",
    )
    old = refcache.CachedRef("discovery:us-east-1:e-1", "discovery:e-1", "discovery FAILED")
    assert refcache.remember([printed, old])
    # A line whose credentials are not known is written as it was before they were.
    assert refcache.cache_path().read_text("utf-8").splitlines()[1] == (
        "discovery:us-east-1:e-1\tdiscovery:e-1\tdiscovery FAILED"
    )
    assert refcache.load() == [printed, old]
    assert refcache.account_of(printed.ref) == "210987654321"
    assert refcache.account_of("backupsearch:210987654321:us-east-1:a7cff00d") == "210987654321"
    assert refcache.account_of(printed.shown) is refcache.account_of(old.ref) is None
    # Credentials holding control characters (a damaged file) are none.
    refcache.cache_path().write_text(f"{old.ref}\t{old.shown}\t{old.about}\t--profile \x1b[2J\n")
    assert refcache.load() == [old]
