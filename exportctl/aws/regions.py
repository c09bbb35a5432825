"""The AWS regions botocore's endpoint data knows, read as plain JSON.

Neither boto3 nor botocore is imported: completion offers these names on every
Tab press, and a mistyped --region is caught before any client is built. The data
is the file botocore's loader reads: the first ``endpoints.json`` of its search
path (the folders of ``AWS_DATA_PATH``, ``~/.aws/models``, then botocore's own), so
a region added there is known here too; where a session is at hand, its loader's
own search path (which a profile's ``data_path`` setting extends). Once a command
has indexed the data (:mod:`exportctl.aws.endpointindex`), the index's head holds the
partitions and their regions, and the whole file is not read, if the index was
made from the file as it is now (the hash of its contents).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from exportctl.aws import endpointindex
from exportctl.domain.errors import UsageError, clip

# What --region takes for every region each service is offered in: no region's name.
ALL_REGIONS = "all"
# difflib's own default: below it, a name is not taken for a misspelling of another.
_NEAR = 0.6
# No region name is longer (botocore's rule allows 63 characters).
_LONGEST = 63
_HOW_TO_ADD = (
    "a region newer than the installed botocore needs a newer botocore "
    "or an endpoints.json on AWS_DATA_PATH that lists it"
)


def _botocore_data() -> Path | None:
    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def search_paths() -> list[str]:
    """The folders botocore's loader looks in for its data, in its order."""
    paths: list[str] = []
    extra = os.environ.get("AWS_DATA_PATH")
    if extra is not None:
        # As botocore's create_loader reads the variable.
        paths.extend(os.path.expanduser(os.path.expandvars(p)) for p in extra.split(os.pathsep))
    paths.append(os.path.join(os.path.expanduser("~"), ".aws", "models"))
    data = _botocore_data()
    if data is not None:
        paths.append(str(data))
    return paths


def _partitions(paths: Sequence[str] | None = None) -> tuple[dict[str, Any], ...]:
    # Not cached: which file it is follows AWS_DATA_PATH and the home folder, and a
    # command reads it once or twice.
    found = endpointindex.source(search_paths() if paths is None else paths)
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
    listed = document.get("partitions") if isinstance(document, dict) else None
    return tuple(listed) if isinstance(listed, list) else ()


def _names(partitions: Iterable[Any]) -> list[str]:
    regions: list[str] = []
    for partition in partitions:
        # A file of one's own on AWS_DATA_PATH may be anything: what is no region list is skipped.
        listed = partition.get("regions") if isinstance(partition, dict) else None
        if isinstance(listed, dict):
            regions.extend(name for name in listed if isinstance(name, str))
    return sorted(dict.fromkeys(regions))


def region_names(paths: Sequence[str] | None = None) -> list[str]:
    """Every region botocore knows, sorted; ``paths`` are the folders its loader
    searches (a session's ``data_loader``), :func:`search_paths` without them."""
    return _names(_partitions(paths))


def partition_of(region: str, paths: Sequence[str] | None = None) -> str | None:
    """The partition whose regions botocore's data lists ``region`` in (``aws-cn`` for
    ``cn-north-1``); None when none does, or there is no data. ``paths`` as for
    :func:`region_names`."""
    for partition in _partitions(paths):
        listed = partition.get("regions") if isinstance(partition, dict) else None
        if isinstance(listed, dict) and region in listed:
            name = partition.get("partition")
            return name if isinstance(name, str) else None
    return None


def nearest(name: str, known: Collection[str]) -> list[str]:
    """What a mistyped region name was probably meant to be: the name in lower case
    when that is a region, else the regions nearest it, all of those equally near
    (``us-east-7``: ``us-east-1`` and ``us-east-2``)."""
    lowered = name.lower()
    if lowered in known:
        return [lowered]
    if len(lowered) > _LONGEST:
        return []
    # Only for a name that is no region: completion imports this module on every Tab press.
    import difflib

    matcher = difflib.SequenceMatcher(b=lowered)
    scored: list[tuple[float, str]] = []
    for region in known:
        matcher.set_seq1(region)
        if matcher.real_quick_ratio() >= _NEAR and matcher.quick_ratio() >= _NEAR:
            score = matcher.ratio()
            if score >= _NEAR:
                scored.append((score, region))
    best = max((score for score, _ in scored), default=None)
    return sorted(region for score, region in scored if score == best)


def check_regions(
    names: Iterable[str], *, source: str = "--region", paths: Sequence[str] | None = None
) -> None:
    """A usage error (exit 2) for the first name that is no region botocore knows,
    with the nearest ones and how a region newer than botocore can be used;
    ``source`` says where the name was given, ``paths`` as for :func:`region_names`."""
    names = list(names)
    if not names:
        # No data to read: checking that it is current costs a hash of the file.
        return
    known = region_names(paths)
    if not known:
        return
    for name in names:
        if name in known:
            continue
        near = nearest(name, known)
        hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
        raise UsageError(f"unknown region '{clip(name)}' in {source}{hint} ({_HOW_TO_ADD})")


def check_region(
    name: str, *, source: str = "--region", paths: Sequence[str] | None = None
) -> None:
    """:func:`check_regions` of one name."""
    check_regions((name,), source=source, paths=paths)
