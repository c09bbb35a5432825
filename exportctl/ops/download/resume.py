"""What is already in DEST: a file with the size (and MD5) of its object is kept, so
that a download run again fetches only what is missing; a different file in the way
is a conflict."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from exportctl.ops.download.files import CHUNK
from exportctl.ops.download.paths import check_names, writing
from exportctl.ops.download.records import Item, Plan

_MD5_ETAG = re.compile(r"^[0-9a-f]{32}$")


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


def sort_plan(plan: Plan, items: Iterator[Item], force: bool) -> Plan:
    """``items`` into ``plan``: to fetch, already present, or in conflict."""
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
