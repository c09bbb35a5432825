"""JSON text exactly as ``json.dumps(value, indent=2, ensure_ascii=False, default=str)``
writes it, but written record by record and mostly by one-line encoders.

``indent`` makes the standard library fall back to its pure-Python encoder and build
the whole document in memory. Here every container whose items are all scalars
(or empty containers) is encoded in one call of a one-line ``json.JSONEncoder``
(which the standard library runs in C), with the line break and the indentation
as its item separator: a JSON string never holds a raw line break, so the
separator can only land between items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

INDENT = 2
T = TypeVar("T")
_STRING: Callable[[str], str] = json.encoder.encode_basestring


def _flat(items: Iterable[Any]) -> bool:
    for value in items:  # noqa: SIM110 (a plain loop: this runs for every record)
        if value and isinstance(value, (dict, list, tuple)):
            return False
    return True


Encode = Callable[[Any], str]


def encoder(item_separator: str = ", ", key_separator: str = ": ") -> Encode:
    """``json.JSONEncoder(ensure_ascii=False, default=str, separators=...).encode``,
    made once. Without the circular check: records are trees."""
    return json.JSONEncoder(
        ensure_ascii=False,
        default=str,
        separators=(item_separator, key_separator),
        check_circular=False,
    ).encode


_ENCODERS: dict[int, Encode] = {}
_SCALAR = encoder()


def _at(depth: int) -> Encode:
    """The encoder of items at ``depth``: each after a line break and its indentation."""
    found = _ENCODERS.get(depth)
    if found is None:
        found = _ENCODERS[depth] = encoder(",\n" + " " * (INDENT * depth))
    return found


def _flat_text(value: dict[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> str:
    body = _at(depth + 1)(value)
    inner = " " * (INDENT * (depth + 1))
    return body[0] + "\n" + inner + body[1:-1] + "\n" + " " * (INDENT * depth) + body[-1]


def indented(value: Any, depth: int = 0) -> str:
    """``value`` as indented JSON text, its first line not indented, as at ``depth``."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if _flat(value.values()):
            return _flat_text(value, depth)
        # Runs of scalar members in one C call each (the members of a run are
        # separated as the items of a flat container are); the others one by one.
        inner = " " * (INDENT * (depth + 1))
        parts: list[str] = []
        run: dict[Any, Any] = {}
        for k, v in value.items():
            if v and isinstance(v, (dict, list, tuple)):
                if run:
                    parts.append(inner + _at(depth + 1)(run)[1:-1])
                    run = {}
                parts.append(inner + _SCALAR(_key(k)) + ": " + indented(v, depth + 1))
            else:
                run[k] = v
        if run:
            parts.append(inner + _at(depth + 1)(run)[1:-1])
        return "{\n" + ",\n".join(parts) + "\n" + " " * (INDENT * depth) + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if _flat(value):
            return _flat_text(value, depth)
        inner = " " * (INDENT * (depth + 1))
        items = [inner + indented(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * (INDENT * depth) + "]"
    return _SCALAR(value)


def _key(key: Any) -> Any:
    # The conversions json.dumps applies to keys that are not strings.
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return json.dumps(key)
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def item_text(item: Any) -> str:
    """One item of an array as :func:`write_array` writes it."""
    return indented(item, 1)


def write_array(items: Iterable[Any], write: Callable[[str], Any]) -> int:
    """An indented JSON array of ``items``, one item at a time; returns how many."""
    return write_texts((item_text(item) for item in items), write)


def write_texts(texts: Iterable[str], write: Callable[[str], Any]) -> int:
    """The array of items already made text by :func:`item_text`; returns how many."""
    count = 0
    for text in texts:
        write(("[\n  " if count == 0 else ",\n  ") + text)
        count += 1
    write("[]\n" if count == 0 else "\n]\n")
    return count


class RecordTexts(Generic[T]):
    """Records that all have the same keys, made text from their values alone: the
    text of :func:`item_text` (json) and of the one-line encoder (ndjson) of the
    record's dict, without making the dict (a listing writes 10,000 of them).

    Each value is encoded on its own (text by the C string encoder, containers by
    the encoders above) into a template of the keys: a JSON text is the same whole
    as in parts, the separators standing where the encoders put them.
    """

    def __init__(self, keys: Sequence[str], values: Callable[[T], Sequence[Any]]) -> None:
        members = [_SCALAR(key).replace("%", "%%") + ": %s" for key in keys]
        inner = " " * (INDENT * 2)
        self._line = "{" + ", ".join(members) + "}"
        self._item = "{\n" + ",\n".join(inner + m for m in members) + "\n" + " " * INDENT + "}"
        self._values = values

    def line(self, record: T) -> str:
        """One line of ndjson, as ``encoder()(dict)`` writes it."""
        return self._fill(self._line, record, _SCALAR)

    def item(self, record: T) -> str:
        """One item of a json array, as :func:`item_text` writes it."""
        return self._fill(self._item, record, _in_item)

    def _fill(self, template: str, record: T, other: Encode) -> str:
        # Text, None, booleans and empty mappings, most of a record, without a call
        # of the encoders.
        encode_string = _STRING
        return template % tuple(
            [
                "null" if v is None
                else encode_string(v) if type(v) is str
                else ("true" if v else "false") if type(v) is bool
                else "{}" if type(v) is dict and not v
                else other(v)
                for v in self._values(record)
            ]
        )  # fmt: skip


def _in_item(value: Any) -> str:
    """A member's value inside an item of an array (at depth 2)."""
    return indented(value, 2)
