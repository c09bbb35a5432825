"""The one header of a csv of --query values, and the rows that cannot go under it."""

from __future__ import annotations

from typing import Any

from exportctl.domain.errors import UsageError


class OneHeader:
    """The one header of a csv of --query values: the keys of the first object.
    Objects of other keys cannot fill it, and a plain value or a list beside objects
    would sit under it (or an object under none): both are refused, in either order."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._first: Any = None
        self._rows = 0

    def take(self, value: Any, written: int) -> bool:
        """Check the row ``value`` makes against the rows before it (``written`` of
        them on stdout already); whether it starts the header."""
        first, self._rows = self._first, self._rows + 1
        if self._rows == 1:
            self._first = value
            self.keys = list(value) if isinstance(value, dict) else []
            return isinstance(value, dict)
        if isinstance(value, dict) != isinstance(first, dict):
            raise _one_header(f"{_kind(value)} after {_kind(first)}", written)
        if isinstance(value, dict) and list(value) != self.keys:
            raise _one_header(
                f"objects of keys {', '.join(value)} after {', '.join(self.keys)}", written
            )
        return False


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else "a plain value"


def _one_header(what: str, written: int) -> UsageError:
    """A csv has one header: a query giving rows of other keys, or objects beside
    other values, cannot fill it. ``written``: the rows already on stdout (streamed)."""
    already = f" ({written} row{'s' if written != 1 else ''} already written)" if written else ""
    return UsageError(
        f"--query gives {what}{already}: a csv has one header; give every record an "
        "object of the same keys ({ref: ref, state: state}) or use -o ndjson"
    )
