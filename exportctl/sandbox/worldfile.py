"""The embedded sandbox's world, kept from one ``--sandbox`` command to the next.

Each ``--sandbox`` command serves its own sandbox in its own process; so that a job
one command starts is there for the next (``start``, then ``status``, ``wait``,
``download``, ``rerun``), the changes commands make to the worlds are kept in a
JSON file of the cache folder, with the clock they run on:

* the clock: the wall time the world started (timestamps stay put) and the
  scenario time reached, which goes on from there at the command's own speed
  (``EXPORTCTL_SANDBOX_SPEED``) while no command runs;
* each account's changes to its seeded jobs: the jobs added by the create calls
  (placeholders tagged, see :func:`encode`), deletions and status overrides, and
  the state of the random generator its ids come from, so ids stay unique.

The seeded jobs themselves are not kept: the same seed makes them again.

Two commands at once (a ``watch`` in one terminal, a ``start`` in another) share
the file: a change is made under an exclusive lock on a file beside it (reloading
first what another command saved), and every request is answered after reloading a
file that changed. A world no command used for :data:`IDLE_LIMIT` seconds starts
afresh, so does one ``exportctl sandbox --reset`` deleted (a command running
meanwhile does not write it back). Without a cache folder
each command has a world of its own, as when nothing was kept.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from exportctl.domain.errors import LocalError, local_reason
from exportctl.sandbox.clock import LATEST_EPOCH, SandboxClock
from exportctl.sandbox.jobs import At, DownloadUrl, Job, Phase
from exportctl.sandbox.scenario import Scenario
from exportctl.sandbox.worlds import Worlds
from exportctl.store.cachefiles import cache_dir, locked, open_cached, write_atomically

FORMAT = 1
# A world left alone this long starts afresh: the next demo shows jobs running again.
IDLE_LIMIT = 30 * 60.0
# Epoch seconds past the last year a timestamp can have (9999).
_LAST_EPOCH = 253402300799.0
# A command running that long (a watch) says it is still there, so that its world
# does not count as idle for the commands that start meanwhile.
HEARTBEAT = 5 * 60.0

Stamp = tuple[int, int, int]

# What open_cached says of a FIFO, a device or a folder (EINVAL), and of a socket:
# no world there, as a file no sandbox wrote.
_NOT_A_FILE = (errno.EINVAL, errno.ENXIO)


def folder() -> Path:
    """Where the world is kept; an OSError when there is no cache folder."""
    return cache_dir() / "sandbox"


# -- the tagged JSON of jobs --------------------------------------------------------

_TAG = "$"


def encode(value: Any) -> Any:
    """``value`` as JSON: placeholders and tuples become one-key objects whose key
    starts with ``$``; an object of the sandbox's own with such a key is wrapped, so
    nothing reads back as what it was not."""
    if isinstance(value, At):
        return {"$at": value.seconds}
    if isinstance(value, DownloadUrl):
        return {"$download": [value.export_id, value.signature]}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"cannot keep a mapping with keys {list(value)!r}")
        items = {k: encode(v) for k, v in value.items()}
        return {"$dict": items} if any(k.startswith(_TAG) for k in value) else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the sandbox's world file")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        [(key, inner)] = value.items()
        if key == "$at":
            return At(float(inner))
        if key == "$download":
            export_id, signature = inner
            return DownloadUrl(str(export_id), str(signature))
        if key == "$tuple":
            return tuple(decode(v) for v in inner)
        if key == "$dict":
            return {k: decode(v) for k, v in inner.items()}
    return {k: decode(v) for k, v in value.items()}


def encode_job(job: Job) -> dict[str, Any]:
    return {
        "service": job.service,
        "kind": job.kind,
        "region": job.region,
        "id": job.id,
        "created": job.created,
        "phases": [[p.at, p.status, encode(p.fields)] for p in job.phases],
        "attrs": encode(job.attrs),
        "parent": job.parent,
        "aliases": list(job.aliases),
        "override": job.override,
        "deleted": job.deleted,
    }


def decode_job(raw: Mapping[str, Any]) -> Job:
    return Job(
        service=str(raw["service"]),
        kind=str(raw["kind"]),
        region=str(raw["region"]),
        id=str(raw["id"]),
        created=float(raw["created"]),
        phases=[Phase(float(at), str(status), decode(f)) for at, status, f in raw["phases"]],
        attrs=decode(raw["attrs"]),
        parent=None if raw["parent"] is None else str(raw["parent"]),
        aliases=tuple(str(a) for a in raw["aliases"]),
        override=None if raw["override"] is None else str(raw["override"]),
        deleted=bool(raw["deleted"]),
    )


# -- the worlds' changes -------------------------------------------------------------


class Changes:
    """What commands changed in the worlds of one sandbox, against the seeded jobs."""

    def __init__(self, worlds: Worlds) -> None:
        self.worlds = worlds
        # Each world as seeded: its job count and its generator's state, taken as it
        # is made. A world not made yet is as seeded: it has no changes.
        self.seeded: dict[str, int] = {}
        self.seeded_rng: dict[str, Any] = {}
        worlds.watch(self._seeded)

    def _seeded(self, account: str, world: Scenario) -> None:
        self.seeded[account] = len(world.jobs)
        self.seeded_rng[account] = world.rng.getstate()

    def snapshot(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for account, world in self.worlds.made().items():
            seeded = self.seeded[account]
            marks = [
                [n, job.deleted, job.override]
                for n, job in enumerate(world.jobs[:seeded])
                if job.deleted or job.override is not None
            ]
            added = [encode_job(job) for job in world.jobs[seeded:]]
            rng = world.rng.getstate()
            if marks or added or rng != self.seeded_rng[account]:
                version, state, gauss = rng
                out[account] = {
                    "seeded": seeded,
                    "marks": marks,
                    "added": added,
                    "rng": [version, list(state), gauss],
                }
        return out

    def compatible(self, saved: Mapping[str, Any]) -> bool:
        """Whether ``saved`` changes these very worlds (the same accounts, seeded alike)."""
        return all(
            account in self.worlds and entry["seeded"] == self._seeded_count(account)
            for account, entry in saved.items()
        )

    def _seeded_count(self, account: str) -> int:
        self.worlds[account]  # made, if it was not
        return self.seeded[account]

    def restore(self, saved: Mapping[str, Any]) -> None:
        """Put the worlds back as ``saved`` says, in place: whoever holds a world
        (a request being answered) sees the change."""
        for account in saved:
            self.worlds[account]  # made, to take its changes
        for account, world in self.worlds.made().items():
            seeded = self.seeded[account]
            entry = saved.get(account)
            world.truncate(seeded)
            for job in world.jobs:
                job.deleted, job.override = False, None
            if entry is None:
                world.rng.setstate(self.seeded_rng[account])
                continue
            for n, deleted, override in entry["marks"]:
                job = world.jobs[int(n)]
                job.deleted = bool(deleted)
                job.override = None if override is None else str(override)
            for raw in entry["added"]:
                world.add(decode_job(raw))
            version, state, gauss = entry["rng"]
            world.rng.setstate((version, tuple(state), gauss))


# -- the file ------------------------------------------------------------------------


class WorldFile:
    """The worlds of one embedded sandbox, kept in (and reloaded from) the file.

    ``lock`` is the sandbox's own: the worlds change under it, and the file's lock
    is only ever taken while holding it.
    """

    def __init__(
        self,
        worlds: Worlds,
        clock: SandboxClock,
        lock: threading.RLock,
        *,
        seed: int,
        speed: float = 1.0,
        where: Path | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        base = where if where is not None else folder()
        self.path = base / "world.json"
        self.changes = Changes(worlds)
        self.clock = clock
        self.lock = lock
        self.seed = seed
        self.speed = speed
        # Which world this is (a fresh one gets a new name) and the file last read or
        # written; None: not in the file (yet, or any more).
        self.name = ""
        self.stamp: Stamp | None = None
        self.saved_at = 0.0
        # Told, once, that what this command changes is not kept.
        self.notice = notice
        self._unkept_said = False

    @classmethod
    def open(
        cls,
        worlds: Worlds,
        clock: SandboxClock,
        lock: threading.RLock,
        *,
        seed: int,
        speed: float = 1.0,
        where: Path | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> WorldFile | None:
        """The kept world, reloaded into ``worlds`` and ``clock`` (or, when none is
        kept, kept from now on); None when there is no cache folder to keep it in, or
        it cannot be written (said to ``notice``)."""
        try:
            kept = cls(worlds, clock, lock, seed=seed, speed=speed, where=where, notice=notice)
        except OSError:
            return None  # no cache folder: each command has a world of its own, as said
        try:
            with kept._file_lock():
                if not kept._reload(startup=True):
                    kept.name = os.urandom(8).hex()
                    kept._write()
        except OSError as exc:
            kept._unkept(exc)
            return None
        return kept

    # -- what the sandbox calls ----------------------------------------------------

    def refresh(self) -> None:
        """Before a request is answered: what another command saved since."""
        with self.lock:
            if _stamp(self.path) not in (self.stamp, None):
                with contextlib.suppress(OSError):
                    self._reload()
            if time.time() - self.saved_at > HEARTBEAT:
                self.save()

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change of the worlds: the latest saved first, then saved with it,
        unless the world was reset meanwhile (see :meth:`save`)."""
        with self.lock, self._file_lock():
            reset = self._reset_since()
            self._reload_if_changed()
            try:
                yield
            finally:
                if not reset:
                    try:
                        self._write()
                    except OSError as exc:
                        self._unkept(exc)

    def save(self) -> None:
        """Save the worlds and the clock as they are now, with what another command
        saved since; not when the file was deleted since it was last seen: ``exportctl
        sandbox --reset`` ran meanwhile, and a world it forgot stays forgotten."""
        try:
            with self.lock, self._file_lock():
                if self._reset_since():
                    # Not tried again at every request: the next heartbeat, or the
                    # world another command keeps from now on, reloaded as it comes.
                    self.saved_at = time.time()
                    return
                self._reload_if_changed()
                self._write()
        except OSError as exc:
            # Not kept; not tried again at every request until the next heartbeat.
            self.saved_at = time.time()
            self._unkept(exc)

    # -- inside ------------------------------------------------------------------

    def _file_lock(self) -> contextlib.AbstractContextManager[bool]:
        # Held until taken; where none can be (a read-only folder), the change is
        # made, only not kept.
        return locked(self.path, wait=None)

    def _unkept(self, exc: OSError) -> None:
        # A cache folder that exists but cannot be written (read-only) would otherwise
        # lose a started job without a word.
        if self.notice is None or self._unkept_said:
            return
        self._unkept_said = True
        self.notice(
            f"the --sandbox world cannot be kept in {self.path} ({local_reason(exc)}):"
            " the next --sandbox command will not see what this one changes"
        )

    def _reset_since(self) -> bool:
        """Whether the file this command read or wrote was deleted since."""
        return self.stamp is not None and _stamp(self.path) is None

    def _reload_if_changed(self) -> None:
        if _stamp(self.path) not in (self.stamp, None):
            with contextlib.suppress(OSError):
                self._reload()

    def _reload(self, *, startup: bool = False) -> bool:
        """Take in the file; False when it holds no world to go on with (none, another
        format or seed, one idle too long, one not readable)."""
        try:
            # A FIFO put in its place would hold every --sandbox command for ever.
            with open_cached(self.path) as handle:
                info = os.fstat(handle.fileno())
                data = json.loads(handle.read())
        except (FileNotFoundError, ValueError):
            return False
        except OSError as exc:
            if exc.errno not in _NOT_A_FILE:
                raise
            return False
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        try:
            name, start_wall, elapsed, saved_at, worlds = self._parse(data)
        except Exception:
            # A file no sandbox of this version wrote: not read again until it
            # changes, replaced by the next save; never a failed answer.
            self.stamp = stamp
            return False
        now = time.time()
        if startup and now - saved_at > IDLE_LIMIT:
            return False
        # The scenario went on while no command ran, at this command's speed.
        reached = elapsed + max(0.0, now - saved_at) * self.speed
        with self.lock:
            try:
                self.changes.restore(worlds)
            except Exception:
                # Another version's worlds after all: the seeded ones again.
                self.changes.restore({})
                self.stamp = stamp
                return False
            if name == self.name:
                # The same world: its clock never goes back.
                reached = max(reached, self.clock.elapsed())
            self.clock.resume(reached, start_wall)
            self.name, self.stamp, self.saved_at = name, stamp, saved_at
        return True

    def _parse(self, data: Any) -> tuple[str, float, float, float, dict[str, Any]]:
        if not isinstance(data, dict):
            raise TypeError("not a world")
        if data.get("format") != FORMAT or data.get("seed") != self.seed:
            raise ValueError("another world")
        worlds = data["worlds"]
        if not isinstance(worlds, dict) or not self.changes.compatible(worlds):
            raise ValueError("other worlds")
        times = [float(data[key]) for key in ("start_wall", "elapsed", "saved_at")]
        if not all(math.isfinite(t) and abs(t) < _LAST_EPOCH for t in times):
            # Python's json reads NaN and 1e308: such a clock's answers none can read.
            raise ValueError("a clock out of any calendar")
        start_wall, elapsed, saved_at = times
        if start_wall + elapsed > LATEST_EPOCH:
            # Each in a calendar, their sum out of any: every answer failed.
            raise ValueError("a clock past the last the sandbox keeps")
        return str(data["name"]), start_wall, elapsed, saved_at, worlds

    def _write(self) -> None:
        now = time.time()
        data = {
            "format": FORMAT,
            "name": self.name,
            "seed": self.seed,
            "start_wall": self.clock.start_wall,
            "elapsed": self.clock.elapsed(),
            "saved_at": now,
            "worlds": self.changes.snapshot(),
        }
        # Not a cache the command goes without: a FIFO or a device in its place is no
        # world (never read), and the world kept takes its place.
        write_atomically(
            self.path, [json.dumps(data, separators=(",", ":"))], only_over_files=False
        )
        self.stamp = _stamp(self.path)
        self.saved_at = now


def _stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def reset() -> Path | None:
    """Delete the kept world: the file deleted, None when there was none (or no
    cache folder); a :class:`LocalError` naming it when it cannot be deleted."""
    try:
        base = folder()
    except OSError:
        return None
    path = base / "world.json"
    if not path.exists():
        return None
    try:
        with locked(path, wait=None):
            path.unlink(missing_ok=True)
    except OSError as exc:
        raise LocalError(
            f"cannot delete the --sandbox world kept in {path}: {local_reason(exc)}"
        ) from exc
    return path
