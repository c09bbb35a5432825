"""Fetching an export's files to a local directory: safely, resumably, concurrently.

* Objects are listed page by page (ListObjectsV2), so any number of files works.
* A file already in place with the same size (and, for single-part uploads, the
  same MD5 as the ETag) is skipped; an existing different file is an error
  unless ``force``.
* Each file is written under a temporary name in its own directory and renamed
  when complete: an error or an interrupt never leaves a partial file under the
  final name.
* A key that would land outside the destination (``..``, an absolute path) is
  refused before anything is fetched.
* Temporary files are named ``.NAME.exportctl-part-PID-RANDOM``: the owner's process
  id says whose they are. On Ctrl-C or SIGTERM the main thread removes every one
  still open, whatever its writer is doing; after a SIGKILL, the next download into
  the same destination removes those whose process is gone.

Nothing here prints: a :class:`Reporter` hears about progress.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, Protocol

from exportctl.domain.errors import (
    AwsError,
    CredentialsError,
    ExitCode,
    ExportctlError,
    LocalError,
    NotFoundError,
    UsageError,
    answer_of,
    clip,
    local_reason,
    translate,
)
from exportctl.ops.workers import Workers
from exportctl.services.locations import S3Location, UrlLocation
from exportctl.store.cachefiles import SHARED, TEMP_MARK, remove_parts, write_atomically

if TYPE_CHECKING:
    from exportctl.aws.clients import Clients
    from exportctl.domain.model import ExportJob

CHUNK = 1024 * 1024
CONCURRENCY = 8
URL_TIMEOUT = 60.0
# .NAME.exportctl-part-PID-RANDOM, as write_atomically names them.
_PART = re.compile(r"^\..+" + re.escape(TEMP_MARK) + r"(?P<pid>[0-9]+)-[0-9a-f]{8}$")
_MD5_ETAG = re.compile(r"^[0-9a-f]{32}$")


class Interrupted(ExportctlError):
    exit_code = ExitCode.INTERRUPTED


@dataclass
class Item:
    """One file to fetch: where from (``source``), where to, and what we know of it."""

    source: str
    path: Path
    rel: str
    size: int | None = None
    etag: str | None = None
    key: str | None = None


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
    bytes: int = 0
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


# -- paths --------------------------------------------------------------------------


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


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def same_file(item: Item) -> bool | None:
    """True: already there; False: a different file is in the way; None: nothing there."""
    if not item.path.exists():
        return None
    if not item.path.is_file():
        return False
    if item.size is not None and item.path.stat().st_size != item.size:
        return False
    etag = (item.etag or "").strip('"').lower()
    # A multipart ETag is no MD5 of the whole: the size has to do.
    if _MD5_ETAG.match(etag):
        return _md5(item.path) == etag
    return item.size is not None


def _sort(plan: Plan, items: Iterator[Item], force: bool) -> Plan:
    listed = list(items)
    check_names(listed)
    for item in listed:
        with writing(item.path):
            same = same_file(item)
        if same:
            plan.present.append(item)
        elif same is False and not force:
            plan.conflicts.append(item)
        else:
            plan.fetch.append(item)
    return plan


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


# -- writing ------------------------------------------------------------------------


def _alive(pid: int) -> bool:
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


def remove_stale_parts(destination: Path) -> list[Path]:
    """Remove temporary files under ``destination`` left by a process that is gone
    (killed with SIGKILL, a crash, a power cut); those of live processes stay."""
    if os.name == "nt" or not destination.is_dir():
        # os.kill(pid, 0) would terminate the process on Windows.
        return []
    removed: list[Path] = []
    for folder, _, names in os.walk(destination):
        for name in names:
            match = _PART.match(name)
            if match and not _alive(int(match["pid"])):
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
            raise AwsError(f"{path.name}: received {written} of {expected} bytes")

    return write_atomically(
        path,
        chunks,
        mode=SHARED,
        disk=lambda: writing(path),
        go_on=go_on,
        written=on_bytes,
        check=check,
    )


def _read(body: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from iter(lambda: body.read(CHUNK), b"")
    finally:
        with contextlib.suppress(Exception):
            body.close()


def run(
    plan: Plan,
    fetch_one: Callable[[Item, Callable[[int], None], threading.Event], int],
    reporter: Reporter,
    *,
    concurrency: int = CONCURRENCY,
) -> Summary:
    """Fetch every item of the plan with a bounded pool; the first error stops the rest."""
    summary = Summary(plan.source, plan.destination)
    summary.skipped = len(plan.present)
    summary.skipped_bytes = sum(i.size or 0 for i in plan.present)
    sizes = [i.size for i in plan.fetch]
    reporter.planned(len(plan.fetch), None if None in sizes else sum(s or 0 for s in sizes))
    stop = threading.Event()
    lock = threading.Lock()

    def one(item: Item) -> None:
        if stop.is_set():
            return
        size = fetch_one(item, lambda n: reporter.advanced(item, n), stop)
        with lock:
            summary.files += 1
            summary.bytes += size
            summary.paths.append(item.rel)
            # Once another file failed, its error is the command's last word: no
            # "fetched" line may come after it (``stop`` is set under this lock).
            if not stop.is_set():
                reporter.finished(item)

    workers: Workers[None] = Workers(min(concurrency, len(plan.fetch)), "exportctl-fetch")
    try:
        for item in plan.fetch:
            workers.submit(item, functools.partial(one, item))
        for _ in plan.fetch:
            outcome = workers.next()
            assert outcome is not None
            outcome.result()
    except BaseException:
        # The first error, Ctrl-C or SIGTERM: no new file is started, and those being
        # written are removed here, since their writers may never return.
        with lock:
            stop.set()
        remove_parts()
        raise
    finally:
        workers.close()
    summary.paths.sort()
    return summary


# -- S3 -----------------------------------------------------------------------------


def s3_error(exc: BaseException, where: str) -> ExportctlError:
    """S3's errors, naming the location: missing is 3, denied is 4, the rest 5."""
    if isinstance(exc, ExportctlError):
        return exc
    said = answer_of(exc)
    if said is not None:
        code, status = said.code, said.status
        message = said.message or code
        if code == "NoSuchBucket":
            return NotFoundError(f"S3: the bucket of {where} does not exist")
        if code in ("NoSuchKey", "404", "NotFound") or status == 404:
            return NotFoundError(f"S3: {where} does not exist (it may have expired or moved)")
        if code in ("AccessDenied", "403", "AllAccessDisabled") or status == 403:
            return CredentialsError(
                f"S3: access denied to {where} ({code or 'HTTP 403'}): {message}; "
                "check s3:ListBucket and s3:GetObject for this identity"
            )
    return translate(exc)


def plan_s3(client: Any, location: S3Location, destination: Path, *, force: bool = False) -> Plan:
    plan = Plan(destination, location.uri)
    return _sort(plan, _s3_items(client, location, destination), force)


def _s3_items(client: Any, location: S3Location, destination: Path) -> Iterator[Item]:
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.prefix
        )
        for page in pages:
            for obj in page.get("Contents") or ():
                key = obj["Key"]
                if not location.selects(key):
                    continue
                rel = key[len(location.base) :]
                yield Item(
                    source=f"s3://{location.bucket}/{key}",
                    path=safe_path(destination, rel),
                    rel=rel,
                    size=int(obj.get("Size", 0)),
                    etag=obj.get("ETag"),
                    key=key,
                )
    except Exception as exc:
        raise s3_error(exc, location.uri) from exc


def s3_fetcher(
    client: Any, location: S3Location
) -> Callable[[Item, Callable[[int], None], threading.Event], int]:
    def fetch(item: Item, on_bytes: Callable[[int], None], stop: threading.Event) -> int:
        try:
            params: dict[str, Any] = {"Bucket": location.bucket, "Key": item.key}
            if item.etag:
                # The object listed, not one replaced since.
                params["IfMatch"] = item.etag
            response = client.get_object(**params)
            return write_file(
                item.path,
                _read(response["Body"]),
                expected=item.size,
                on_bytes=on_bytes,
                stop=stop,
            )
        except Exception as exc:
            raise s3_error(exc, item.source) from exc

    return fetch


# -- pre-signed URLs ----------------------------------------------------------------


def url_error(exc: BaseException, where: str) -> ExportctlError:
    """urllib's errors without the URL's signature: ``where`` is already redacted."""
    import http.client
    import urllib.error

    if isinstance(exc, ExportctlError):
        return exc
    if isinstance(exc, urllib.error.HTTPError):
        if exc.code in (401, 403):
            return CredentialsError(
                f"download refused by {where} (HTTP {exc.code}): the pre-signed URL may "
                "have expired; read the job again for a fresh one"
            )
        if exc.code in (404, 410):
            return NotFoundError(f"nothing at {where} (HTTP {exc.code})")
        return AwsError(f"download from {where} failed (HTTP {exc.code})")
    if isinstance(exc, (http.client.HTTPException, urllib.error.URLError, OSError)):
        reason = getattr(exc, "reason", None) or type(exc).__name__
        return AwsError(f"download from {where} failed: {reason}")
    raise exc


def fetch_url(
    location: UrlLocation,
    destination: Path,
    filename: str,
    reporter: Reporter,
    *,
    force: bool = False,
    dry_run: bool = False,
) -> Summary:
    """GET the URL without AWS signing; the file lands as ``destination/filename``."""
    import urllib.request

    where = location.display
    check_destination(destination)
    item = Item(source=where, path=safe_path(destination, filename), rel=filename)
    summary = Summary(where, destination, dry_run=dry_run)
    if dry_run:
        summary.files, summary.paths = 1, [filename]
        return summary
    stop = threading.Event()
    try:
        with urllib.request.urlopen(location.url, timeout=URL_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            item.size = int(length) if length and length.isdigit() else None
            with writing(item.path):
                same = same_file(item)
            if same:
                summary.skipped, summary.skipped_bytes = 1, item.size or 0
                return summary
            if same is False and not force:
                raise UsageError(
                    f"{item.path} exists and differs from the download: pass --force to replace it"
                )
            reporter.planned(1, item.size)
            size = write_file(
                item.path,
                iter(lambda: response.read(CHUNK), b""),
                expected=item.size,
                on_bytes=lambda n: reporter.advanced(item, n),
                stop=stop,
            )
    except Exception as exc:
        raise url_error(exc, where) from None
    reporter.finished(item)
    summary.files, summary.bytes, summary.paths = 1, size, [filename]
    return summary


# -- one job ------------------------------------------------------------------------


def fetch_job(
    clients: Clients,
    job: ExportJob,
    destination: Path,
    reporter: Reporter,
    *,
    force: bool = False,
    dry_run: bool = False,
    concurrency: int = CONCURRENCY,
) -> Summary:
    """Fetch what a COMPLETED export job wrote."""
    from exportctl.services.locations import default_dirname, output_of

    location = output_of(job)
    if not dry_run:
        remove_stale_parts(destination)
    if isinstance(location, UrlLocation):
        name = location.filename or f"{default_dirname(job)}.zip"
        return fetch_url(location, destination, name, reporter, force=force, dry_run=dry_run)
    # The client of the job's region: botocore follows S3's redirect when the bucket
    # is elsewhere.
    client = clients.client("s3", job.region)
    check_destination(destination)
    plan = plan_s3(client, location, destination, force=force)
    if not plan.fetch and not plan.present and not plan.conflicts:
        raise NotFoundError(f"S3: no objects of {job.ref} under {location.uri}")
    if plan.conflicts:
        first = plan.conflicts[0].path
        more = f" and {len(plan.conflicts) - 1} more" if len(plan.conflicts) > 1 else ""
        raise UsageError(
            f"{first}{more} already exist and differ from {location.uri}: "
            "pass --force to replace them"
        )
    if dry_run:
        summary = Summary(plan.source, destination, dry_run=True)
        summary.files = len(plan.fetch)
        summary.bytes = sum(i.size or 0 for i in plan.fetch)
        summary.skipped = len(plan.present)
        summary.skipped_bytes = sum(i.size or 0 for i in plan.present)
        summary.paths = sorted(i.rel for i in plan.fetch)
        return summary
    return run(plan, s3_fetcher(client, location), reporter, concurrency=concurrency)
