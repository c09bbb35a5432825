"""An export whose files a manifest lists: the manifest read from S3, then its list of
files, then exactly the files listed, each checked against the MD5 the list gives.

The two manifests are written into DEST too (from the bytes already read), so that
DEST holds the export as the service describes it; the other objects under the
export's folder (markers, checksums of the manifests) are not the export's data.
A file already in DEST with the listed MD5 is kept: a download run again fetches
only what is missing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from exportctl.domain.errors import AwsError, clip
from exportctl.domain.naming import Named
from exportctl.domain.printable import inline
from exportctl.ops.download.digests import checked
from exportctl.ops.download.files import write_file
from exportctl.ops.download.paths import safe_path
from exportctl.ops.download.pool import FetchOne
from exportctl.ops.download.records import Item, Plan
from exportctl.ops.download.resume import sort_plan
from exportctl.ops.download.s3 import read_body, s3_error
from exportctl.services.locations import ManifestLocation


class ManifestError(AwsError):
    """A manifest that does not read as one: nothing can be told of the export's files."""


def plan_manifest(
    client: Any, location: ManifestLocation, destination: Path, *, force: bool, named: Named
) -> tuple[Plan, FetchOne]:
    """The files the manifest lists (and the manifests), sorted into a plan, and what
    fetches each of them."""
    spec = location.manifest
    summary = _get(client, location.bucket, location.key, named)
    files_key = _member(_json(summary, location.uri), spec.files, location.uri)
    files_uri = f"s3://{location.bucket}/{files_key}"
    listing = _get(client, location.bucket, files_key, named)
    held = {location.key: summary, files_key: listing}
    items = [_held(location, destination, key, body) for key, body in held.items()]
    digests: dict[str, str] = {}
    for number, line in enumerate(listing.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{files_uri} line {number}"
        entry = _json(line.encode(), where)
        key = _member(entry, spec.key, where)
        if key in digests or key in held:
            continue
        digests[key] = _md5_hex(_member(entry, spec.md5, where), where)
        items.append(_item(location, destination, key, etag=digests[key]))
    plan = sort_plan(Plan(destination, location.uri), iter(items), force)
    return plan, _fetcher(client, location, held, digests, named)


def _item(
    location: ManifestLocation, destination: Path, key: str, *, etag: str, size: int | None = None
) -> Item:
    rel = key[len(location.base) :] if key.startswith(location.base) else key
    return Item(
        source=f"s3://{location.bucket}/{key}",
        path=safe_path(destination, rel),
        rel=rel,
        size=size,
        # An MD5 in hex, as a single-part ETag reads: what tells a file already in DEST.
        etag=etag,
        key=key,
    )


def _held(location: ManifestLocation, destination: Path, key: str, body: bytes) -> Item:
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return _item(location, destination, key, etag=digest, size=len(body))


def _get(client: Any, bucket: str, key: str, named: Named) -> bytes:
    where = f"s3://{bucket}/{key}"
    try:
        response = client.get_object(Bucket=bucket, Key=key)
        return b"".join(read_body(response["Body"]))
    except Exception as exc:
        raise s3_error(exc, where, named) from exc


def _json(body: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ManifestError(f"S3: {inline(where)} is not JSON ({clip(exc)}): no manifest") from exc
    if not isinstance(value, dict):
        raise ManifestError(f"S3: {inline(where)} is JSON but no object: no manifest")
    return value


def _member(value: dict[str, Any], name: str, where: str) -> str:
    found = value.get(name)
    if not isinstance(found, str) or not found:
        raise ManifestError(f"S3: {inline(where)} has no {name}: no manifest of the export's files")
    return found


def _md5_hex(given: str, where: str) -> str:
    try:
        raw = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise ManifestError(f"S3: {inline(where)}: {clip(given)!r} is not a base64 MD5")
    return raw.hex()


def _checked(chunks: Iterator[bytes], expected: str, source: str) -> Iterator[bytes]:
    """``chunks``, checked against the MD5 the manifest lists (hex)."""
    why = "it was changed or cut short after the export"
    return checked(
        chunks, expected, source=source, said_by="its manifest lists", why=why, shown=_b64
    )


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _fetcher(
    client: Any,
    location: ManifestLocation,
    held: dict[str, bytes],
    digests: dict[str, str],
    named: Named,
) -> FetchOne:
    def fetch(item: Item, on_bytes: Callable[[int], None], stop: threading.Event) -> int:
        assert item.key is not None
        body = held.get(item.key)
        try:
            if body is not None:
                return write_file(
                    item.path, iter((body,)), expected=len(body), on_bytes=on_bytes, stop=stop
                )
            response = client.get_object(Bucket=location.bucket, Key=item.key)
            chunks = _checked(read_body(response["Body"]), digests[item.key], item.source)
            return write_file(item.path, chunks, expected=None, on_bytes=on_bytes, stop=stop)
        except Exception as exc:
            raise s3_error(exc, item.source, named) from exc

    return fetch
