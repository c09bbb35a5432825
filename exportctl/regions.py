"""The AWS regions botocore's endpoint data knows, read as plain JSON.

Neither boto3 nor botocore is imported: completion offers these names on every
Tab press, and a mistyped --region is caught before any client is built. Once a
command has indexed the data (:mod:`exportctl.endpointindex`), the index's head
holds the partitions and their regions, and the whole file is not read.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from exportctl import endpointindex
from exportctl.errors import UsageError


def _botocore_data() -> Path | None:
    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _partitions() -> tuple[dict[str, Any], ...]:
    data = _botocore_data()
    if data is None:
        return ()
    found = endpointindex.source([str(data)])
    if found is None:
        return ()
    file = found[1]
    indexed = endpointindex.partitions(file)
    if indexed is not None:
        return tuple(indexed)
    try:
        if file.endswith(".gz"):
            import gzip

            with gzip.open(file, "rt", encoding="utf-8") as handle:
                document = json.load(handle)
        else:
            document = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(document.get("partitions", ()))


def region_names() -> list[str]:
    """Every region botocore knows, sorted."""
    regions: list[str] = []
    for partition in _partitions():
        regions.extend(partition.get("regions", {}))
    return sorted(dict.fromkeys(regions))


def is_region(name: str) -> bool:
    """A region botocore knows, or one its partitions' patterns allow (a region
    newer than the installed botocore). True when the endpoint data is unreadable."""
    partitions = _partitions()
    if not partitions:
        return True
    for partition in partitions:
        if name in partition.get("regions", {}):
            return True
        pattern = partition.get("regionRegex")
        if pattern and re.match(pattern, name):
            return True
    return False


def check_region(name: str, *, option: str = "--region") -> None:
    """A usage error (exit 2) for a name that is no AWS region, listing the valid ones."""
    if is_region(name):
        return
    raise UsageError(
        f"unknown region {name!r} for {option}: botocore's endpoint data has no such region; "
        f"valid regions: {', '.join(region_names())}"
    )
