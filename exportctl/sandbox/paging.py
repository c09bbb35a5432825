"""Opaque, offset-based page tokens shared by every emulated list operation."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from exportctl.sandbox.errors import ApiError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100


def encode(offset: int, scope: str) -> str:
    raw = json.dumps({"o": offset, "s": scope}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, scope: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        offset = data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes, garbage too.
        return None
    # A token from another listing (other filter, other region) is as invalid as garbage.
    if not isinstance(offset, int) or offset < 0 or data.get("s") != scope:
        return None
    return offset


def page(
    items: Sequence[T],
    token: str | None,
    requested: int | None,
    cap: int | None,
    scope: str,
    bad_token: Callable[[], ApiError],
) -> tuple[list[T], str | None]:
    """One page of ``items`` and the token for the next, ``None`` on the last page."""
    start = 0
    if token:
        offset = decode(token, scope)
        if offset is None:
            raise bad_token()
        start = offset
    size = requested or DEFAULT_PAGE_SIZE
    if cap is not None:
        size = min(size, cap)
    end = start + size
    chunk = list(items[start:end])
    return chunk, encode(end, scope) if end < len(items) else None
