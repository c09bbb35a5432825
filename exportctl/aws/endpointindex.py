"""botocore's endpoint data, decoded a service at a time.

botocore's endpoint data (``endpoints.json``: every partition and every service,
1.2 MB) is decoded whole when a session makes its first client: 15-30 ms of every
command that calls AWS, for the handful of services the command asks about. The
first command keeps the data in the cache as an index, a line per partition and
service, stamped with the SHA-256 of the file it came from; later commands hash
the file (about 1 ms, 3 ms without the CPU's SHA instructions: a file's size and
time say nothing of what it holds once it is copied, restored or edited within
a second) and decode the lines their clients ask for and nothing else.

The data stays botocore's, read by botocore's own resolver. A file that changed
(botocore upgraded, a file of one's own on ``AWS_DATA_PATH``) is read whole
again and indexed anew; an index that cannot be read or written costs the
command nothing but the whole read.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from exportctl.aws import datafiles
from exportctl.store.cachefiles import cache_dir, open_cached, write_atomically

NAME = "endpoints"
FORMAT = "exportctl endpoint index 2"
Loaded = tuple[Any, str]


def load(search_paths: Sequence[str], whole: Callable[[], Loaded]) -> Loaded:
    """What botocore's ``load_data_with_path("endpoints")`` returns, from the index
    when it was made from the same file; ``whole`` is botocore's own read."""
    found = source(search_paths)
    if found is None:
        return whole()
    path, file = found
    try:
        stamp = _stamp(file)
        index = index_path(file)
    except (OSError, ValueError):
        return whole()
    data = _read(index, stamp, whole)
    if data is not None:
        return data, path
    data, loaded_from = whole()
    # Indexed only as what botocore read: the file it named, unchanged since it was hashed.
    if loaded_from == path and _unchanged(file, stamp):
        _write(index, stamp, data)
    return data, loaded_from


def index_path(file: str) -> Path:
    # One index per data file: two installs of botocore do not take turns rewriting one.
    # (The stamp inside tells the contents apart should two paths share a checksum.)
    return cache_dir() / f"endpoints-{zlib.crc32(os.fsencode(file)):08x}.index"


class Services(Mapping[str, Any]):
    """A partition's services, each decoded when it is first asked for."""

    def __init__(self, texts: dict[str, bytes], whole: Callable[[], Mapping[str, Any]]) -> None:
        self._texts = texts
        self._whole = whole
        self._decoded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._decoded:
            return self._decoded[name]
        text = self._texts[name]
        try:
            value = json.loads(text, object_pairs_hook=OrderedDict)
        except ValueError:
            value = self._whole()[name]
        self._decoded[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def source(search_paths: Sequence[str]) -> tuple[str, str] | None:
    """The path botocore reports for the data and the file it reads, found as it finds them."""
    return datafiles.find(search_paths, NAME)


def _stamp(file: str) -> str:
    """What an index of ``file`` as it is now starts with: the hash of its contents."""
    return f"{FORMAT}\t{datafiles.digest(file)}"


def _unchanged(file: str, stamp: str) -> bool:
    try:
        return _stamp(file) == stamp
    except OSError:
        return False


def partitions(file: str) -> list[Any] | None:
    """The partitions of ``file`` without their services (regions and their
    patterns), from the head of its index; None without a valid index."""
    try:
        with open_cached(index_path(file)) as handle:
            head = _head(handle, _stamp(file))
        found = None if head is None else head["partitions"]
    except (OSError, ValueError, LookupError, TypeError):
        return None
    return found if isinstance(found, list) else None


def _head(handle: BinaryIO, stamp: str) -> Any:
    """The data without its services, from an index stamped ``stamp``; else None."""
    if handle.readline().rstrip(b"\n") != stamp.encode():
        return None
    return json.loads(handle.readline(), object_pairs_hook=OrderedDict)


def _read(index: Path, stamp: str, whole: Callable[[], Loaded]) -> Any:
    try:
        with open_cached(index) as handle:
            data = _head(handle, stamp)
            if data is None:
                return None
            rest = handle.read()
        partitions = data["partitions"]
        texts: list[dict[str, bytes]] = [{} for _ in partitions]
        for line in rest.split(b"\n") if rest else ():
            number, name, text = line.split(b"\t", 2)
            texts[int(number)][name.decode()] = text
        for place, partition in enumerate(partitions):
            partition["services"] = Services(texts[place], _partition_services(whole, place))
    except (OSError, ValueError, LookupError, TypeError, AttributeError):
        return None
    return data


def _partition_services(whole: Callable[[], Loaded], place: int) -> Callable[[], Any]:
    # A line that does not decode: that partition's services from the whole file.
    return lambda: whole()[0]["partitions"][place]["services"]


def _write(index: Path, stamp: str, data: Any) -> None:
    """Best effort: no index is the whole read next time, nothing worse."""
    try:
        partitions = data["partitions"]
        skeleton = {**data, "partitions": [
            {k: v for k, v in p.items() if k != "services"} for p in partitions
        ]}  # fmt: skip
        lines = [stamp, json.dumps(skeleton, separators=(",", ":"))]
        for place, partition in enumerate(partitions):
            for name, service in partition["services"].items():
                if "\t" in name or "\n" in name:
                    return
                text = json.dumps(service, separators=(",", ":"))
                lines.append(f"{place}\t{name}\t{text}")
        write_atomically(index, ["\n".join(lines)])
    except Exception:
        return
