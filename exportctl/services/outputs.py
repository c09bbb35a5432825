"""What ``download`` fetches of a completed job, as a spec declares it
(``ServiceSpec.output``): the objects under an S3 prefix, a file at a URL, or the
files a manifest lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Output:
    """Where a completed job's output is (``Fields.destination``): what ``download`` fetches.

    ``kind``: ``s3``, the objects under an ``s3://BUCKET/PREFIX``; ``url``, the file
    at an HTTPS download URL; ``manifest``, the files a manifest lists (``manifest``),
    each checked against its MD5 there, and the manifests. ``keys_name_job``: the
    jobs share their prefix, so only the objects whose key names the job (a segment
    that is its id, or starts with it and '.', '-' or '_') are its own. ``folder``:
    the destination is a folder, as the service's API says of it
    (``s3://bucket-name/folder-name/``), also when the user gave it without its
    last '/': the keys below ``PREFIX/`` are the job's, never ``PREFIX-2/...``.
    ``holds``: what is at a ``url``, as ``download``'s help names it.
    """

    kind: Literal["s3", "url", "manifest"]
    keys_name_job: bool = False
    folder: bool = False
    # ``manifest``: the files a manifest in the destination's bucket lists, and no other.
    manifest: Manifest | None = None
    # What README.md's table of ``download`` adds to what is fetched: what the files
    # are, what else lands there.
    note: str = ""
    holds: str = "the file"


@dataclass(frozen=True)
class Manifest:
    """A job's list of its own files (``Output(kind="manifest")``).

    The record field ``record`` holds the manifest's key, in the bucket of the job's
    destination. The manifest is JSON; its member ``files`` holds the key of the list
    of files: JSON lines, each naming a file's key (``key``) and the base64 MD5 of its
    bytes (``md5``). Files land in DEST as their keys read below the manifest's folder.
    """

    record: str
    files: str
    key: str
    md5: str
