"""Where botocore finds a data file, and what a file holds, as a hash.

What the caches of botocore's data (:mod:`exportctl.aws.endpointindex`,
:mod:`exportctl.aws.prunedmodels`) are stamped with: a file's size and time say
nothing of what it holds once it is copied, restored or edited within a second.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

# Where botocore looks for a data file in each folder of its search path, in its order.
EXTENSIONS = (".json", ".json.gz")
# Read and hashed a block at a time: the file is never held whole.
_BLOCK = 1 << 16


def find(search_paths: Sequence[str], name: str) -> tuple[str, str] | None:
    """The path botocore reports for the data ``name`` (``ec2/2016-11-15/service-2``)
    and the file it reads, found as it finds them; None where it finds none."""
    for place in search_paths:
        if not os.path.isdir(place):
            continue
        path = os.path.join(place, name)
        for extension in EXTENSIONS:
            if os.path.isfile(path + extension):
                return path, path + extension
    return None


def digest(file: str) -> str:
    """The SHA-256 of ``file``'s contents, in hex (about 1 ms a megabyte)."""
    hashed = hashlib.sha256()
    with open(file, "rb", buffering=0) as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            hashed.update(block)
    return hashed.hexdigest()
