"""exportctl's cache folder, and how a file is written whole: a cache or store file
in it, or a downloaded file (:mod:`exportctl.ops.download.files`); and the lock a
cache file is re-read, merged and replaced under."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

# In the name of every temporary file written here: .NAME.exportctl-part-PID-RANDOM,
# so that those of a process that is gone can be told apart and removed.
TEMP_MARK = ".exportctl-part-"
# Only the user reads the cache: it names accounts, jobs and profiles.
PRIVATE = 0o600
# A downloaded file is as readable as any other file the user makes (umask applies).
SHARED = 0o666
# Windows would otherwise translate line ends in what is written.
_BINARY = getattr(os, "O_BINARY", 0)
# Opening a FIFO to read waits for a writer, unless it is opened this way (not on Windows).
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


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


def open_cached(path: Path) -> BinaryIO:
    """A cache file, opened to be read: only a regular file. A FIFO or a device put
    in its place would hold the command (or a Tab press) for ever; it is an OSError,
    as a file that cannot be read, which every cache goes without."""
    fd = os.open(path, os.O_RDONLY | _BINARY | _NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def replaceable(path: Path) -> bool:
    """Whether a file written whole may take ``path``'s place: nothing is there, or a
    regular file (or a link to one). A FIFO or a device put there (a link to
    /dev/zero) is left as it is, as it is never read (:func:`open_cached`)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


# How long a command waits for another's lock on a cache file before it goes on
# without (see :func:`locked`): far longer than a re-read, merge and replace takes.
LOCK_WAIT = 2.0
# How often it tries again meanwhile.
_LOCK_RETRY = 0.01


@contextlib.contextmanager
def locked(target: Path, wait: float | None = LOCK_WAIT) -> Iterator[bool]:
    """An exclusive advisory lock (flock) on ``NAME.lock`` beside ``target``, for
    a re-read, merge and replace of ``target`` by commands that end together: whether
    it is held. Held only that long, it is waited for at most ``wait`` seconds (a
    command that holds it while stopped, Ctrl-Z, must not hold the others); then, or
    where there is no lock to be had (Windows, a read-only folder, a file system
    without locks), the work goes on without it, as it did before there was one: a
    cache is a convenience, and the worst is one command's additions lost. ``wait``
    None: until it is held (the sandbox's world file, whose writers take turns)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows)
        yield False
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            target.with_name(f"{target.name}.lock"),
            os.O_RDWR | os.O_CREAT | _BINARY | _NONBLOCK,
            PRIVATE,
        )
    except OSError:
        yield False
        return
    try:
        give_up = None if wait is None else time.monotonic() + wait
        held = False
        while not held:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if give_up is None else fcntl.LOCK_NB))
                held = True
            except BlockingIOError:
                if give_up is not None and time.monotonic() >= give_up:
                    break
                time.sleep(_LOCK_RETRY)
            except OSError:
                break
        yield held
    finally:
        # Closing it lets the lock go.
        os.close(fd)


# Temporary files being written, so that an interrupted main thread can remove them
# itself: a writer may sit in a read that never ends, and nobody waits for it.
# Each temporary file, by the file it is to become.
_parts_lock = threading.Lock()
_parts: dict[Path, Path] = {}


def remove_parts(targets: Collection[Path] | None = None) -> None:
    """Delete the temporary files of this process still being written: every one, or
    those of ``targets`` (one download's files, where other downloads go on)."""
    with _parts_lock:
        for temp, target in list(_parts.items()):
            if targets is None or target in targets:
                with contextlib.suppress(OSError):
                    temp.unlink()
                del _parts[temp]


# The longest file name the usual file systems take, in bytes (ext4, APFS, NTFS's
# 255 UTF-16 units are at least as many).
NAME_MAX = 255


def temp_path(target: Path) -> Path:
    """The temporary file ``target`` is written to before it takes its place: its
    name shortened where needed, so that any name the disk takes for ``target`` has
    a temporary one it takes too."""
    mark = f"{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}"
    return target.with_name(f".{_temp_stem(target, mark)}{mark}")


def _temp_stem(target: Path, mark: str) -> str:
    room = NAME_MAX - 1 - len(mark.encode())
    return target.name.encode()[:room].decode(errors="ignore")


# .NAME.exportctl-part-PID-RANDOM, as temp_path names them.
PART = re.compile(r"^\.(?P<name>.+)" + re.escape(TEMP_MARK) + r"(?P<pid>[0-9]+)-[0-9a-f]{8}$")


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (someone else's too). Not on Windows, where
    os.kill(pid, 0) would end the process."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        # Someone else's process (EPERM) is alive too.
        return True
    return True


def remove_stale_parts_of(target: Path) -> None:
    """Remove the temporary files of ``target`` that a process now gone left (killed
    with SIGKILL mid-write, a crash): one listing of its folder, made as it is
    written, so that a cache rewritten now and then never gathers them."""
    if os.name == "nt":
        return
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        match = PART.match(name)
        if match is None:
            continue
        # Its target's name, as temp_path shortens it for a mark of this length.
        mark = name[len(match["name"]) + 1 :]
        if match["name"] == _temp_stem(target, mark) and not alive(int(match["pid"])):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _go_on() -> None:
    pass


def _ignore(size: int) -> None:
    pass


def write_atomically(
    target: Path,
    chunks: Iterable[str] | Iterable[bytes],
    *,
    mode: int = PRIVATE,
    disk: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    go_on: Callable[[], None] = _go_on,
    written: Callable[[int], None] = _ignore,
    check: Callable[[int], None] = _ignore,
    tidy: bool = True,
    only_over_files: bool = True,
) -> int:
    """Write ``chunks`` (text as UTF-8) to ``target``: readers see the old file or the
    new one, never half of either, and no temporary file is left behind. Returns the
    number of bytes written.

    ``disk`` is the context of every operation on the disk (a caller's translation of
    its errors), and not of the reading of ``chunks``, whose errors are the source's.
    ``go_on`` raises to stop: it is called before the temporary file is made (while
    :func:`remove_parts` waits) and before each chunk is written. ``written`` hears
    the size of each chunk once it is written, ``check`` the total before the file
    takes its place; what it raises leaves ``target`` as it was.

    ``tidy``: first remove the temporary files of ``target`` a process that is gone
    left (:func:`remove_stale_parts_of`); a caller that writes many files of one
    folder removes them all once instead (a download).

    ``only_over_files``: a FIFO or a device in ``target``'s place (a link to
    /dev/null) is left as it is, an OSError, as it is never read
    (:func:`replaceable`): the rule of every cache file. A download, whose place the
    user named, and the sandbox's world, which is kept rather than cached, turn it off.
    """
    temp = temp_path(target)
    total = 0
    try:
        with disk():
            target.parent.mkdir(parents=True, exist_ok=True)
            if only_over_files and not replaceable(target):
                raise OSError(errno.EINVAL, "not a regular file", str(target))
        if tidy:
            remove_stale_parts_of(target)
        with disk():
            with _parts_lock:
                go_on()
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, mode)
                _parts[temp] = target
            handle = os.fdopen(fd, "wb")
        try:
            for chunk in chunks:
                go_on()
                data = chunk.encode() if isinstance(chunk, str) else chunk
                with disk():
                    handle.write(data)
                total += len(data)
                written(len(data))
        except BaseException:
            with contextlib.suppress(OSError):
                handle.close()
            raise
        with disk():
            handle.close()
        check(total)
        with disk():
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    finally:
        with _parts_lock:
            _parts.pop(temp, None)
    return total
