"""A field's value as one line of text for people: what panels and ``--fields``
tables show of values that are not plain strings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from exportctl.domain.timeutil import as_utc, local

_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def field_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        where = _s3_location(value)
        if where is not None:
            return where
        # An empty member says nothing ("failures=" of no failures).
        return ", ".join(
            f"{k}={field_text(v)}" for k, v in value.items() if v not in (None, "", [], {})
        )
    if isinstance(value, (list, tuple)):
        return "; ".join(field_text(v) for v in value)
    if isinstance(value, str) and _ISO_UTC.fullmatch(value):
        # A record's time, as its JSON form writes it (timeutil.iso): local for people.
        value = as_utc(value) or value
    if isinstance(value, datetime):
        return local(value)
    return str(value)


def _s3_location(value: Mapping[str, Any]) -> str | None:
    """An S3 location given as a bucket and a prefix (as AWS APIs describe one, maybe
    wrapped in one member naming its kind), as the s3:// URL it is; None otherwise."""
    if len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, Mapping):
            value = inner
    bucket = [v for k, v in value.items() if str(k).endswith("bucket")]
    prefix = [v for k, v in value.items() if str(k).endswith(("prefix", "key"))]
    if len(value) != 2 or len(bucket) != 1 or len(prefix) != 1:
        return None
    if not isinstance(bucket[0], str) or not isinstance(prefix[0], str) or not bucket[0]:
        return None
    return f"s3://{bucket[0]}/{prefix[0]}"
