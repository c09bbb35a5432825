"""An object's MD5: which ETags are one, and a body checked against it as it is
written, so that bytes changed on their way never take a file's place."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from exportctl.domain.errors import AwsError
from exportctl.domain.printable import inline
from exportctl.ops.download.files import CHUNK

_MD5_ETAG = re.compile(r"^[0-9a-f]{32}$")


class DigestMismatch(AwsError):
    """A body whose MD5 is not the one its object, or its manifest, says."""


def etag_md5(etag: str | None) -> str | None:
    """The MD5 a single-part ETag reads as (hex); None for a multipart one, or none.
    Whether it is one also depends on the object's encryption: :func:`encrypted`."""
    value = (etag or "").strip('"').lower()
    return value if _MD5_ETAG.match(value) else None


def encrypted(answer: Mapping[str, Any]) -> bool:
    """Whether S3 encrypted the object with KMS or a key of the customer's, as a
    HeadObject or GetObject answer says: its ETag is then no MD5 of its bytes (RDS
    exports are encrypted with KMS)."""
    kms = str(answer.get("ServerSideEncryption") or "").startswith("aws:kms")
    return kms or bool(answer.get("SSECustomerAlgorithm"))


def file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checked(
    chunks: Iterator[bytes],
    expected: str,
    *,
    source: str,
    said_by: str,
    why: str,
    shown: Callable[[str], str] = str,
) -> Iterator[bytes]:
    """``chunks`` as they come; after the last one, a :class:`DigestMismatch` if their
    MD5 is not ``expected`` (hex): the file then never takes its place. The error
    names ``source``, what said the MD5 (``said_by``), both digests as ``shown``
    writes them, and ``why`` they may differ."""
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    got = digest.hexdigest()
    if got != expected:
        raise DigestMismatch(
            f"S3: {inline(source)} does not match the MD5 {said_by} ({shown(expected)}; its bytes: "
            f"{shown(got)}): {why}; it was not kept"
        )
