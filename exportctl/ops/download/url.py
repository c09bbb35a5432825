"""An export given as a pre-signed URL: one file, fetched without AWS signing."""

from __future__ import annotations

import threading
from pathlib import Path

from exportctl.domain.errors import (
    AwsError,
    ConflictError,
    CredentialsError,
    ExportctlError,
    NotFoundError,
)
from exportctl.ops.download.files import CHUNK, write_file
from exportctl.ops.download.paths import check_destination, safe_path, writing
from exportctl.ops.download.records import Item, Reporter, Summary
from exportctl.ops.download.resume import same_file
from exportctl.services.forms import Named, flag, switch
from exportctl.services.locations import UrlLocation

URL_TIMEOUT = 60.0


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
    direct: bool = False,
    named: Named = flag,
) -> Summary:
    """GET the URL without AWS signing; the file lands as ``destination/filename``.
    ``direct``: past any proxy the environment names (the embedded sandbox's URL);
    ``named``: how the caller's user gives ``--force``, in messages. A dry run sends
    the GET only when a file is there to compare (without ``force``), and reads its
    headers alone; otherwise it knows no size (``Summary.bytes`` is None)."""
    import urllib.request

    where = location.display
    check_destination(destination)
    item = Item(source=where, path=safe_path(destination, filename), rel=filename)
    # The URL whole, as json, csv and text keep a job's: human output shows it cut.
    summary = Summary(location.url, destination, dry_run=dry_run)
    with writing(item.path):
        there = item.path.exists()
    if dry_run and (force or not there):
        # Fetched whatever is there, so no call is needed to say so; but the size is
        # told only by the answer, which a dry run does not ask for.
        summary.files, summary.bytes, summary.paths = 1, None, [filename]
        return summary
    stop = threading.Event()
    try:
        handlers = [urllib.request.ProxyHandler({})] if direct else []
        opener = urllib.request.build_opener(*handlers)
        with opener.open(location.url, timeout=URL_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            item.size = int(length) if length and length.isdigit() else None
            with writing(item.path):
                same = same_file(item, size_will_do=not force)
            if same:
                summary.skipped, summary.skipped_bytes = 1, item.size or 0
                return summary
            if same is False and not force:
                raise ConflictError(
                    f"{item.path} exists and differs from the download",
                    f"pass {switch(named, 'force')} to replace it",
                )
            if dry_run:
                # The file there was compared as the run would: by the answer's
                # headers, its body left unread.
                summary.files, summary.bytes, summary.paths = 1, item.size, [filename]
                return summary
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
