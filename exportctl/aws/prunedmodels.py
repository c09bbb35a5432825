"""Service models pruned to the operations called, kept in the cache.

botocore builds a method for each operation of a model with every client, and
decodes the whole model file first: EC2's is 4.4 MB of JSON (60-95 ms to decode),
RDS's 1.4 MB, for the handful of operations a command calls or the sandbox
answers. The first command keeps the pruned model in the cache, stamped with the
SHA-256 of every file botocore read it from (the model and its extras) and the
operations kept; later commands hash those files (about 1 ms for EC2's) and
decode a few kilobytes. A file that changed is read whole again and the pruned
model kept anew; a cache that cannot be read or written costs the command
nothing but the whole read.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from botocore.loaders import Loader

from exportctl.aws import datafiles
from exportctl.store.cachefiles import cache_dir, open_cached, write_atomically

FORMAT = "exportctl pruned model 1"


def pruned(model: Mapping[str, Any], called: frozenset[str]) -> dict[str, Any]:
    """``model`` with the operations ``called`` alone, and the shapes they reach (and
    every modeled error, whichever operation AWS answers it to). botocore builds a
    method for each operation of a model with every client: EC2's 860 made each of
    its clients cost 12 ms (2 ms pruned), and a listing of an organization's every
    account and region makes thousands. Requests and answers are checked against
    the same shapes as before."""
    operations = {name: op for name, op in model["operations"].items() if name in called}
    shapes = model["shapes"]
    reached: set[str] = set()
    todo = [name for name, shape in shapes.items() if shape.get("exception")]
    for op in operations.values():
        refs = [op.get("input"), op.get("output"), *op.get("errors", ())]
        todo.extend(ref["shape"] for ref in refs if ref)
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        shape = shapes[name]
        refs = [shape.get("member"), shape.get("key"), shape.get("value")]
        refs.extend(shape.get("members", {}).values())
        todo.extend(ref["shape"] for ref in refs if ref)
    return {
        **model,
        "operations": operations,
        "shapes": {name: shape for name, shape in shapes.items() if name in reached},
    }


def load(
    source: Loader,
    service: str,
    type_name: str,
    api_version: str | None,
    called: frozenset[str],
) -> Any:
    """``source.load_service_model(service, type_name, api_version)`` pruned to
    ``called``: from the cache when it was made from the same files, else read
    whole (botocore's errors and all) and kept."""

    def whole() -> dict[str, Any]:
        return pruned(source.load_service_model(service, type_name, api_version), called)

    try:
        version = api_version or source.determine_latest_version(service, type_name)
        files = _files(source, os.path.join(service, version, type_name))
        stamp = _stamp(files, called)
        kept = _path(service, files[0], called) if files else None
    except Exception:  # botocore's own read says what is wrong, or reads it after all
        return whole()
    if kept is None:
        return whole()
    model = _read(kept, stamp)
    if model is not None:
        return model
    model = whole()
    if _unchanged(files, called, stamp):
        _write(kept, stamp, model)
    return model


def _files(source: Loader, name: str) -> list[str]:
    """The files botocore reads the model ``name`` from: the model (first; none
    found, an empty list), then its extras, each where botocore finds it."""
    found = datafiles.find(source.search_paths, name)
    if found is None:
        return []
    files = [found[1]]
    for extras in source.extras_types:
        extra = datafiles.find(source.search_paths, f"{name}.{extras}-extras")
        if extra is not None:
            files.append(extra[1])
    return files


def _stamp(files: list[str], called: frozenset[str]) -> str:
    hashes = "\t".join(f"{file}={datafiles.digest(file)}" for file in files)
    return f"{FORMAT}\t{hashes}\t{','.join(sorted(called))}"


def _unchanged(files: list[str], called: frozenset[str], stamp: str) -> bool:
    try:
        return _stamp(files, called) == stamp
    except OSError:
        return False


def _path(service: str, file: str, called: frozenset[str]) -> Path:
    # One file per model file and set of operations: the client's and the sandbox's
    # pruned models of one service do not take turns rewriting one.
    key = zlib.crc32(os.fsencode(file + "\0" + ",".join(sorted(called))))
    return cache_dir() / f"model-{service}-{key:08x}.json"


def _read(path: Path, stamp: str) -> Any:
    try:
        with open_cached(path) as handle:
            if handle.readline().rstrip(b"\n") != stamp.encode():
                return None
            model = json.loads(handle.read(), object_pairs_hook=OrderedDict)
    except (OSError, ValueError):
        return None
    return model if isinstance(model, dict) else None


def _write(path: Path, stamp: str, model: Any) -> None:
    """Best effort: no cached model is the whole read next time, nothing worse."""
    try:
        write_atomically(path, [stamp, "\n", json.dumps(model, separators=(",", ":"))])
    except Exception:
        return
