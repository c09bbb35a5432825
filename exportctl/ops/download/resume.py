"""What is already in DEST: a file with the size (and MD5) of its object is kept, so
that a download run again fetches only what is missing; a different file in the way
is a conflict."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from exportctl.domain.errors import LocalError, clip
from exportctl.ops.download.digests import etag_md5, file_md5
from exportctl.ops.download.paths import check_names, writing
from exportctl.ops.download.records import Item, Plan


def same_file(
    item: Item,
    *,
    size_will_do: bool = True,
    md5_etag: Callable[[Item], bool] = lambda item: True,
) -> bool | None:
    """True: already there; False: a different file is in the way; None: nothing there.

    Without an MD5 to compare (a multipart ETag, or none), a file of the right size
    counts as there only where ``size_will_do``: --force asks for what may differ
    to be fetched again, and a file of the same size may differ. ``md5_etag`` says,
    of an object whose ETag looks like an MD5 and is not that of the file, whether
    it is one: S3 writes another kind for objects it encrypts with KMS or a key of
    the customer's (RDS exports are encrypted with KMS)."""
    if not item.path.exists():
        return None
    if not item.path.is_file():
        return False
    if item.size is not None and item.path.stat().st_size != item.size:
        return False
    etag = etag_md5(item.etag)
    # A multipart ETag is no MD5 of the whole: the size has to do.
    if etag is not None:
        if file_md5(item.path) == etag:
            return True
        if md5_etag(item):
            return False
        # Encrypted: its ETag says nothing of its bytes, and the size has to do.
    return item.size is not None and size_will_do


def sort_plan(
    plan: Plan,
    items: Iterator[Item],
    force: bool,
    md5_etag: Callable[[Item], bool] = lambda item: True,
) -> Plan:
    """``items`` into ``plan``: to fetch, already present, or in conflict
    (``md5_etag``: see :func:`same_file`)."""
    listed = list(items)
    check_names(listed)
    for item in listed:
        with writing(item.path):
            if item.path.is_dir():
                # Not a file that differs: --force replaces files, never a folder.
                raise LocalError(
                    f"cannot write {clip(item.path, 300)}: a folder is in the way; "
                    "move it, or choose another DEST"
                )
            same = same_file(item, size_will_do=not force, md5_etag=md5_etag)
            if same and item.size is None:
                # Kept for its MD5 (a manifest lists no size): the file is the object
                # byte for byte, so its size is the object's.
                item.size = item.path.stat().st_size
        if same:
            plan.present.append(item)
        elif same is False and not force:
            plan.conflicts.append(item)
        else:
            plan.fetch.append(item)
    return plan
