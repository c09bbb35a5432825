"""A request checked against its botocore input shape, as the service would check it.

botocore's own validation knows types, required members and minimums; services also
enforce patterns, maximum lengths, ranges and enums. Both exportctl (before it sends a
create request) and the sandbox (when it answers one) use this, so what exportctl
refuses and what the sandbox refuses are the same rules, read from the same model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from exportctl.domain.errors import clip

if TYPE_CHECKING:
    from botocore.model import Shape


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        # Java-only constructs (\p{L}) that Python's re cannot compile: not checked here.
        return None


@dataclass(frozen=True)
class Problem:
    """One rule a request breaks: the member's path, the rule in AWS's words ("Member
    must ..."), and the whole message in AWS's wording (``text``), so that a caller
    that knows what filled the member can say it in its own."""

    path: str
    rule: str
    text: str


def problems(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Every rule ``value`` breaks, one message each, AWS's wording (empty when valid)."""
    return [found.text for found in broken(shape, value, path)]


def broken(shape: Shape, value: Any, path: str = "") -> list[Problem]:
    """Every rule ``value`` breaks, one :class:`Problem` each (empty when valid)."""
    out: list[Problem] = []
    _check(shape, value, path, out)
    return out


def summary(found: list[str]) -> str:
    count = len(found)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(found)


def _bad(out: list[Problem], value: Any, path: str, rule: str) -> None:
    # Cut as every value a message quotes (a 1,000-character name fills a screen).
    shown = clip(value) if isinstance(value, (str, int, float)) else type(value).__name__
    out.append(
        Problem(path, rule, f"Value '{shown}' at '{path}' failed to satisfy constraint: {rule}")
    )


def _check(shape: Shape, value: Any, path: str, out: list[Problem]) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, Mapping):
            _bad(out, value, path, "Member must be a structure")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                where, rule = _join(path, name), "Member must not be null"
                said = f"Value null at '{where}' failed to satisfy constraint: {rule}"
                out.append(Problem(where, rule, said))
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                where = _join(path, name)
                out.append(Problem(where, "Unknown member", f"Unknown member '{where}'"))
            elif item is not None:
                _check(member, item, _join(path, name), out)
        return
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            _bad(out, value, path, "Member must be a list")
            return
        _size(out, value, len(value), meta, path, "length")
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}.{index + 1}", out)
        return
    if kind == "map":
        if not isinstance(value, Mapping):
            _bad(out, value, path, "Member must be a map")
        return
    if kind == "string":
        if not isinstance(value, str):
            _bad(out, value, path, "Member must be a string")
            return
        _size(out, value, len(value), meta, path, "length")
        enum = meta.get("enum")
        if enum and value not in enum:
            _bad(out, value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        compiled = _pattern(meta["pattern"]) if "pattern" in meta else None
        if compiled is not None and not compiled.fullmatch(value):
            _bad(out, value, path,
                 f"Member must satisfy regular expression pattern: {meta['pattern']}")  # fmt: skip
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            _bad(out, value, path, "Member must be an integer")
            return
        _size(out, value, value, meta, path, "value")
        return
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _bad(out, value, path, "Member must be a number")
            return
        _size(out, value, value, meta, path, "value")
        return
    if kind == "boolean" and not isinstance(value, bool):
        _bad(out, value, path, "Member must be a boolean")
    if kind == "timestamp" and not isinstance(value, (datetime, int, float, str)):
        _bad(out, value, path, "Member must be a timestamp")


def _size(out: list[Problem], value: Any, size: float, meta: Mapping[str, Any], path: str,
          what: str) -> None:  # fmt: skip
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        _bad(out, value, path, f"Member must have {what} greater than or equal to {low}")
    if high is not None and size > high:
        _bad(out, value, path, f"Member must have {what} less than or equal to {high}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
