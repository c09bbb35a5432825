"""An export's objects in S3: listed page by page into a plan, each fetched as the
object the listing saw, and S3's errors said with the location."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from exportctl.aws.errorcodes import (
    CREDENTIAL_CODES,
    S3_CHANGED,
    S3_DENIED_CODES,
    S3_MISSING_CODES,
    S3_NO_BUCKET,
    cut_short,
)
from exportctl.aws.translate import answer_of, translate
from exportctl.domain.errors import (
    AwsError,
    BrokenAnswerError,
    CredentialsError,
    ExportctlError,
    LocalError,
    NotFoundError,
    clip,
    then,
)
from exportctl.domain.naming import Named, flag
from exportctl.domain.printable import inline
from exportctl.ops.download.digests import DigestMismatch, checked, encrypted, etag_md5
from exportctl.ops.download.files import CHUNK, write_file
from exportctl.ops.download.paths import safe_path
from exportctl.ops.download.pool import FetchOne
from exportctl.ops.download.records import Item, Plan
from exportctl.ops.download.resume import sort_plan
from exportctl.services.locations import S3Location


def s3_error(exc: BaseException, where: str, named: Named = flag) -> ExportctlError:
    """S3's errors, naming the location: missing is 3, denied is 4, the rest 5
    (``named``: how the caller's user gives an option, in the advice)."""
    if isinstance(exc, ExportctlError):
        return exc
    # A key, said inside a line: its tabs and newlines escaped too.
    where = inline(where)
    said = answer_of(exc)
    if said is not None:
        code, status = said.code, said.status
        message = said.message or code
        if code == S3_NO_BUCKET:
            return NotFoundError(f"S3: the bucket of {where} does not exist")
        if code in S3_MISSING_CODES or status == 404:
            return NotFoundError(f"S3: {where} does not exist (it may have expired or moved)")
        if code == S3_CHANGED or status == 412:
            # The IfMatch of a fetch: the object was replaced since it was listed.
            return AwsError(
                f"S3: {where} changed since it was listed (a new object under the same "
                "key): run the download again to fetch what is there now"
            )
        # A 403 of refused credentials says so as every call's does.
        if code not in CREDENTIAL_CODES and (code in S3_DENIED_CODES or status == 403):
            return CredentialsError(
                f"S3: access denied to {where} ({code or 'HTTP 403'}): "
                + then(message, "check s3:ListBucket and s3:GetObject for this identity")
            )
    err = translate(exc, named=named)
    if where not in err.message:
        # A body cut short, a checksum that did not match: which object, too.
        err.reword(f"{err.message} ({where})")
    return err


def plan_s3(
    client: Any, location: S3Location, destination: Path, *, force: bool, named: Named
) -> Plan:
    plan = Plan(destination, location.uri)

    def md5_etag(item: Item) -> bool:
        # Asked only of a file of the right size whose MD5 is not the ETag: one call.
        try:
            head = client.head_object(Bucket=location.bucket, Key=item.key)
        except Exception as exc:
            raise s3_error(exc, item.source, named) from exc
        return not encrypted(head)

    items = _s3_items(client, location, destination, named)
    return sort_plan(plan, items, force, md5_etag)


def _s3_items(client: Any, location: S3Location, destination: Path, named: Named) -> Iterator[Item]:
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=location.bucket, Prefix=location.listed
        )
        tokens: set[str] = set()
        for page in pages:
            _check_page(page, tokens, location)
            for obj in page.get("Contents") or ():
                key = obj["Key"]
                if not location.selects(key) or _folder_marker(key, obj):
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
        raise s3_error(exc, location.uri, named) from exc


def _folder_marker(key: str, obj: dict[str, Any]) -> bool:
    """An empty object whose key ends in '/': what consoles and tools write to show a
    folder, no file. One that holds bytes is refused before anything is written: no
    file can be named so, and its bytes are not to be left out unsaid."""
    if not key.endswith("/"):
        return False
    size = int(obj.get("Size", 0))
    if size:
        raise LocalError(
            f"key '{clip(key)}' ends in '/' and holds {size} byte{'' if size == 1 else 's'}: "
            "no file can be named so; fetch it with another tool"
        )
    return True


def _check_page(page: Any, tokens: set[str], location: S3Location) -> None:
    """A page S3 could have sent: one that names its bucket, whose next page is said
    when there is one, and never one seen before (a listing that would go round
    for ever, or a proxy's page taken for an empty listing)."""
    said = f"S3: the listing of {location.uri}"
    if not isinstance(page, dict) or ("Name" not in page and "KeyCount" not in page):
        raise BrokenAnswerError(f"{said} answered with no listing (a proxy in the way?)")
    token = page.get("NextContinuationToken")
    if page.get("IsTruncated") and not token:
        raise BrokenAnswerError(f"{said} says more pages follow and names none")
    if token is not None:
        if token in tokens:
            raise BrokenAnswerError(f"{said} goes round: a page token came back")
        tokens.add(token)


def read_body(body: IO[bytes]) -> Iterator[bytes]:
    """An object's bytes, a chunk at a time; the body closed at the end, read whole or not."""
    try:
        yield from iter(lambda: body.read(CHUNK), b"")
    finally:
        with contextlib.suppress(Exception):
            body.close()


# How many times an object is asked for when its answer breaks off midway: botocore
# retries a call whose answer never came, not a body cut short while being read.
STREAM_ATTEMPTS = 3


def s3_fetcher(client: Any, location: S3Location, named: Named) -> FetchOne:
    def fetch(item: Item, on_bytes: Callable[[int], None], stop: threading.Event) -> int:
        params: dict[str, Any] = {"Bucket": location.bucket, "Key": item.key}
        if item.etag:
            # The object listed, not one replaced since.
            params["IfMatch"] = item.etag
        got = [0]

        def counted(n: int) -> None:
            got[0] += n
            on_bytes(n)

        for attempt in range(1, STREAM_ATTEMPTS + 1):
            got[0] = 0
            try:
                # The call itself: botocore's retries are its.
                response = client.get_object(**params)
            except Exception as exc:
                raise s3_error(exc, item.source, named) from exc
            try:
                return write_file(
                    item.path,
                    _md5_checked(read_body(response["Body"]), response, item),
                    expected=item.size,
                    on_bytes=counted,
                    stop=stop,
                )
            except Exception as exc:
                if attempt < STREAM_ATTEMPTS and _broken_off(exc) and not stop.is_set():
                    # Written again from its start: what this attempt counted goes.
                    on_bytes(-got[0])
                    stop.wait(0.5 * attempt)
                    continue
                raise s3_error(exc, item.source, named) from exc
        raise AssertionError("unreachable")

    return fetch


def _md5_checked(chunks: Iterator[bytes], answer: dict[str, Any], item: Item) -> Iterator[bytes]:
    """The body, checked against the MD5 its ETag is, where it is one (a single-part
    object S3 did not encrypt with KMS or a customer's key); as it is elsewhere."""
    expected = etag_md5(answer.get("ETag"))
    if expected is None or encrypted(answer):
        return chunks

    return checked(
        chunks, expected, source=item.source, said_by="its ETag says", why="changed on its way"
    )


def _broken_off(exc: BaseException) -> bool:
    """An answer cut short while its body was read, or whose bytes differ from its
    MD5: the connection, not the object."""
    return isinstance(exc, (ConnectionError, DigestMismatch)) or cut_short(exc)
