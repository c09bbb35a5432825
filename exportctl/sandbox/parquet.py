"""A minimal Parquet writer: one row group, required INT64 and UTF8 columns, GZIP pages.

RDS snapshot exports are ``.gz.parquet`` files; the sandbox writes real ones (readable
by pyarrow, DuckDB or Athena) without depending on a Parquet library. Deterministic:
the same columns give the same bytes.
"""

from __future__ import annotations

import gzip
import struct
from collections.abc import Sequence
from typing import Any

MAGIC = b"PAR1"

# Thrift compact protocol type ids.
_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12
# Parquet enums (parquet.thrift).
_INT64, _BYTE_ARRAY = 2, 6
_REQUIRED = 0
_UTF8 = 0
_PLAIN, _RLE = 0, 3
_GZIP = 2
_DATA_PAGE = 0

Column = tuple[str, Sequence[int] | Sequence[str]]
_Field = tuple[int, int, Any]


def write(columns: Sequence[Column], created_by: str = "exportctl sandbox") -> bytes:
    """A Parquet file of ``columns`` (name, values); ints become INT64, the rest UTF8."""
    rows = len(columns[0][1]) if columns else 0
    if any(len(values) != rows for _, values in columns):
        raise ValueError("every column needs the same number of values")
    body = bytearray(MAGIC)
    chunks: list[list[_Field]] = []
    schema: list[list[_Field]] = [[(4, _BINARY, "spark_schema"), (5, _I32, len(columns))]]
    total = 0
    for name, values in columns:
        numeric = all(isinstance(v, int) for v in values)
        kind = _INT64 if numeric else _BYTE_ARRAY
        plain = (
            b"".join(struct.pack("<q", int(v)) for v in values)
            if numeric
            else b"".join(struct.pack("<i", len(s)) + s for s in (str(v).encode() for v in values))
        )
        packed = gzip.compress(plain, mtime=0)
        page = [(1, _I32, rows), (2, _I32, _PLAIN), (3, _I32, _RLE), (4, _I32, _RLE)]
        header = _struct(
            [
                (1, _I32, _DATA_PAGE),
                (2, _I32, len(plain)),
                (3, _I32, len(packed)),
                (5, _STRUCT, page),
            ]
        )
        offset = len(body)
        body += header + packed
        total += len(header) + len(plain)
        meta: list[_Field] = [
            (1, _I32, kind),
            (2, _LIST, (_I32, [_PLAIN, _RLE])),
            (3, _LIST, (_BINARY, [name])),
            (4, _I32, _GZIP),
            (5, _I64, rows),
            (6, _I64, len(header) + len(plain)),
            (7, _I64, len(header) + len(packed)),
            (9, _I64, offset),
        ]
        chunks.append([(2, _I64, offset), (3, _STRUCT, meta)])
        element: list[_Field] = [(1, _I32, kind), (3, _I32, _REQUIRED), (4, _BINARY, name)]
        if not numeric:
            element.append((6, _I32, _UTF8))
        schema.append(element)
    group = [(1, _LIST, (_STRUCT, chunks)), (2, _I64, total), (3, _I64, rows)]
    footer = _struct(
        [
            (1, _I32, 1),
            (2, _LIST, (_STRUCT, schema)),
            (3, _I64, rows),
            (4, _LIST, (_STRUCT, [group])),
            (6, _BINARY, created_by),
        ]
    )
    return bytes(body + footer + struct.pack("<i", len(footer)) + MAGIC)


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        if number:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _zigzag(number: int) -> int:
    return (number << 1) ^ (number >> 63)


def _struct(fields: Sequence[_Field]) -> bytes:
    out = bytearray()
    last = 0
    for field_id, kind, value in fields:
        delta = field_id - last
        if 0 < delta <= 15:
            out.append((delta << 4) | kind)
        else:
            out.append(kind)
            out += _varint(_zigzag(field_id))
        out += _value(kind, value)
        last = field_id
    out.append(0)
    return bytes(out)


def _value(kind: int, value: Any) -> bytes:
    if kind in (_I32, _I64):
        return _varint(_zigzag(int(value)))
    if kind == _BINARY:
        data = value.encode() if isinstance(value, str) else bytes(value)
        return _varint(len(data)) + data
    if kind == _STRUCT:
        return _struct(value)
    element, items = value
    size = len(items)
    head = bytes([(size << 4) | element]) if size < 15 else bytes([0xF0 | element]) + _varint(size)
    return head + b"".join(_value(element, item) for item in items)
