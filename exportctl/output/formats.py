"""Record output in every format: table, wide, json, ndjson, csv, text; --query,
--fields and --no-headers. One formatter class a format, behind one interface:
:func:`get_formatter` picks it, :meth:`Formatter.write` writes :class:`Records`.

Commands hand records over as an iterable; ndjson, csv and text write each record
as it comes, so a long listing streams in constant memory.

* ``--query`` is a JMESPath expression. In json it applies to the whole document
  (an array, or one object for a single record), as in the AWS CLI; in ndjson, csv
  and text to each record, and records it maps to null are left out. A table with
  --query becomes json, since a query's result has no fixed columns.
* ``--fields a,b.c`` picks columns (table, csv) or keys (json, ndjson; dotted
  names stay dotted keys); unknown names are a usage error listing the valid ones.
* ``text`` is the AWS CLI's scripting format: one record a line, values
  tab-separated, no header, ``None`` for a missing value, ``True``/``False``.
* ``--no-headers`` leaves out the header line of tables and csv.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from exportctl.domain.errors import UsageError
from exportctl.domain.model import field_value
from exportctl.domain.printable import escape_controls, json_text
from exportctl.output import jsontext
from exportctl.output.csvheader import OneHeader
from exportctl.output.outputspec import OutputSpec, Records, check_fields, document_begun
from exportctl.output.shaping import project, searched, shaper

T = TypeVar("T")


class Formatter:
    """Writes records to stdout in one format; :meth:`write` returns how many."""

    def __init__(self, out: OutputSpec) -> None:
        self.out = out

    def write(self, given: Records[T]) -> int:
        out = self.out
        if out.fields and given.known_fields is not None:
            check_fields(out.fields, given.known_fields)
        items = given.items
        if given.newest is not None:
            items = sorted(items, key=given.newest, reverse=True)[: given.limit]
        return self.write_items(items, given)

    def write_items(self, items: Iterable[T], given: Records[T]) -> int:
        raise NotImplementedError

    def records(self, items: Iterable[T], given: Records[T]) -> Iterator[dict[str, Any]]:
        """The items' records, --fields checked against the first when nothing else knows."""
        return _checked(self.out, (given.to_dict(item) for item in items), given.known_fields)


class TableFormatter(Formatter):
    """table and wide: the command's own table of the collected items."""

    def write_items(self, items: Iterable[T], given: Records[T]) -> int:
        out = self.out
        kept = list(items)
        if out.fields and given.known_fields is None and kept:
            check_fields(out.fields, _paths(given.to_dict(kept[0])))
        assert given.table is not None, "a command that shows tables gives one"
        given.table(kept, out.fields)
        return len(kept)


def write_json(data: Any, query: str | None, write: Callable[[str], Any]) -> None:
    """``data`` as --json writes a document: searched with ``query`` (--query), an
    array an item at a time."""
    if query:
        import jmespath

        data = searched(jmespath.compile(query), data)
    if isinstance(data, list):
        jsontext.write_array(data, lambda text: write(json_text(text)))
    else:
        write(json_text(jsontext.indented(data)) + "\n")


def nothing_text(empty: str, query: str | None) -> str:
    """The document of nothing (``empty``: `null` or `[]`) as --query makes it
    (`length(@)` of no jobs is 0), or ``empty`` itself where the query cannot be
    applied to it: what went wrong is the failure already said, not the query."""
    if not query:
        return f"{empty}\n"
    written: list[str] = []
    try:
        write_json(json.loads(empty), query, written.append)
    except UsageError:
        return f"{empty}\n"
    return "".join(written)


class JsonFormatter(Formatter):
    """The document json.dumps(indent=2) would write, written record by record."""

    def write(self, given: Records[T]) -> int:
        out = self.out
        if given.newest is not None and not (given.single or given.document or out.query):
            if out.fields and given.known_fields is not None:
                check_fields(out.fields, given.known_fields)
            whole = given.texts.item if given.texts and not out.fields else None
            return self._newest(given, given.newest, whole)
        return super().write(given)

    def write_items(self, items: Iterable[T], given: Records[T]) -> int:
        out = self.out
        records = self.records(items, given)
        if out.fields:
            records = (project(r, out.fields) for r in records)
        collected = list(records)
        if given.single and not collected and given.document is None:
            # One object was due and none was read: the document of nothing.
            sys.stdout.write(nothing_text("null", out.query))
            sys.stdout.flush()
            return 0
        data: Any = (collected[0] if collected else None) if given.single else collected
        if given.document is not None:
            data = given.document(collected)
        write_json(data, out.query, sys.stdout.write)
        sys.stdout.flush()
        return len(collected)

    def _newest(
        self,
        given: Records[T],
        newest: Callable[[T], tuple[Any, ...]],
        whole: Callable[[T], str] | None,
    ) -> int:
        """The items sorted by ``newest``, each made text on arrival (by ``whole``,
        when given: the text of the item's whole record)."""
        out = self.out
        keys = SortKeys()
        texts: list[str] = []
        if whole is not None:
            for item in given.items:
                keys.add(newest(item))
                texts.append(json_text(whole(item)))
        else:

            def keyed() -> Iterator[T]:
                for item in given.items:
                    keys.add(newest(item))
                    yield item

            for record in self.records(keyed(), given):
                if out.fields:
                    record = project(record, out.fields)
                texts.append(json_text(jsontext.item_text(record)))
        order = keys.descending()[: given.limit]
        count = jsontext.write_texts((texts[i] for i in order), sys.stdout.write)
        sys.stdout.flush()
        return count


class _StreamFormatter(Formatter):
    """The formats written a record at a time, flushed as they go and at the end."""

    def write_items(self, items: Iterable[T], given: Records[T]) -> int:
        flush = sys.stdout.flush if given.flush_each else _nothing
        try:
            return self.stream(items, given, flush)
        finally:
            sys.stdout.flush()

    def stream(self, items: Iterable[T], given: Records[T], flush: Callable[[], None]) -> int:
        raise NotImplementedError

    def queried(self, records: Iterable[dict[str, Any]]) -> Iterator[Any]:
        """Each record's --query value; those it maps to null are left out."""
        if not self.out.query:
            yield from records
            return
        # As json and ndjson: the query reads what --fields kept.
        shape = shaper(self.out)
        for record in records:
            value = shape(record)
            if value is not None:
                yield value


class NdjsonFormatter(_StreamFormatter):
    """One JSON document a line."""

    def stream(self, items: Iterable[T], given: Records[T], flush: Callable[[], None]) -> int:
        out = self.out
        if given.texts and not (out.fields or out.query):
            # Made from the items themselves: no record dict built on the way.
            return _lines(items, given.texts.line, flush)
        records = self.records(items, given)
        if out.fields and not out.query:
            records = (project(r, out.fields) for r in records)
        return _lines(self.queried(records), _ONE_LINE, flush)


class CsvFormatter(_StreamFormatter):
    """A header row, then one row per record, quoted where a cell needs it (RFC 4180).

    With --query, a record that maps to an object gives the row of its values (the
    header comes from the first one), a list gives its items, a scalar one cell;
    objects beside lists or scalars, or of other keys, are refused (one header).
    """

    def stream(self, items: Iterable[T], given: Records[T], flush: Callable[[], None]) -> int:
        out = self.out
        records = self.records(items, given)
        columns = out.fields or given.default_fields
        writer = csv.writer(sys.stdout, lineterminator="\n")
        count = 0
        if not out.query:
            # The header comes with the first row, or alone at the end of no failure.
            heading = [columns] if out.headers else []
            for record in records:
                writer.writerows(heading)
                heading = []
                writer.writerow([cell(field_value(record, c)) for c in columns])
                flush()
                count += 1
            if heading and not (given.failed and given.failed()):
                writer.writerows(heading)
            return count
        values: Iterable[Any] = self.queried(records)
        if isinstance(items, Sequence):
            # Collected (and sorted) first: a mix one header cannot hold is refused
            # before any row, whatever order the records come in.
            values = list(values)
            checked = OneHeader()
            for value in values:
                checked.take(value, written=0)
        header = OneHeader()
        for value in values:
            if header.take(value, written=count) and out.headers:
                writer.writerow(header.keys)
            if isinstance(value, dict):
                row = [cell(value.get(k)) for k in header.keys]
            elif isinstance(value, list):
                row = [cell(v) for v in value]
            else:
                row = [cell(value)]
            writer.writerow(row)
            flush()
            count += 1
        return count


class TextFormatter(_StreamFormatter):
    """One record a line, values tab-separated, no header (the AWS CLI's text output).

    With --query, an object gives its values, a list its items, a scalar one value.
    """

    def stream(self, items: Iterable[T], given: Records[T], flush: Callable[[], None]) -> int:
        records = self.records(items, given)
        columns = self.out.fields or given.default_fields
        write = sys.stdout.write
        count = 0
        values: Iterable[Any] = (
            self.queried(records)
            if self.out.query
            else ([field_value(r, c) for c in columns] for r in records)
        )
        for value in values:
            if isinstance(value, dict):
                row = list(value.values())
            elif isinstance(value, list):
                row = value
            else:
                row = [value]
            write("\t".join(text_cell(v) for v in row) + "\n")
            flush()
            count += 1
        return count


_FORMATTERS: dict[str, type[Formatter]] = {
    "table": TableFormatter,
    "wide": TableFormatter,
    "json": JsonFormatter,
    "ndjson": NdjsonFormatter,
    "csv": CsvFormatter,
    "text": TextFormatter,
}


def get_formatter(out: OutputSpec) -> Formatter:
    return _FORMATTERS[out.format](out)


def emit(out: OutputSpec, given: Records[T]) -> int:
    """Write ``given`` in the format ``out`` asks for; how many were written."""
    document_begun()
    return get_formatter(out).write(given)


def cell(value: Any) -> str:
    """One CSV cell: JSON's words for booleans and null, compact JSON for structures;
    control characters other than newline and tab written as ``\\xNN``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json_text(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
    return escape_controls(str(value), keep="\n\t")


def text_cell(value: Any) -> str:
    """One value of text output, as the AWS CLI writes it; tabs and newlines become
    spaces, other control characters are written as ``\\xNN`` (as in csv)."""
    if value is None:
        return "None"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if value == "":
        return ""
    # Lines are split where \n and \r end them, not where str.splitlines() also
    # would (\x0b, \x0c, \x1c-\x1e, U+0085...): those are escaped as the others.
    lines = _LINE_END.split(str(value).replace("\t", " "))
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return escape_controls(" ".join(lines))


_LINE_END = re.compile(r"\r\n|[\r\n]")


# One encoder for every ndjson line: json.dumps with options builds a new one a call.
_ONE_LINE = jsontext.encoder()


def dumps(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, default=str)``, DEL and C1 escaped too."""
    return json_text(_ONE_LINE(data))


def _nothing() -> None:
    pass


def _paths(record: dict[str, Any], prefix: str = "") -> list[str]:
    names: list[str] = []
    for key, value in record.items():
        names.append(prefix + key)
        if isinstance(value, dict):
            names.extend(_paths(value, f"{prefix}{key}."))
    return names


def _checked(
    out: OutputSpec, records: Iterator[dict[str, Any]], known: Sequence[str] | None
) -> Iterator[dict[str, Any]]:
    first = True
    for record in records:
        if first and out.fields and known is None:
            check_fields(out.fields, _paths(record))
        first = False
        yield record


class SortKeys:
    """Sort keys (tuples of one length) kept part by part, one list a part, instead
    of one tuple an item: 10,000 tuples are most of what json holds besides the texts."""

    def __init__(self) -> None:
        self._parts: list[list[Any]] = []
        self._count = 0

    def add(self, key: tuple[Any, ...]) -> None:
        if not self._parts:
            self._parts = [[] for _ in key]
        for part, value in zip(self._parts, key, strict=True):
            part.append(value)
        self._count += 1

    def descending(self) -> list[int]:
        """The items' places, highest key first; equal keys in the order added."""
        order = list(range(self._count))
        # A stable sort by each part, the last part first, is the sort by the tuples.
        for part in reversed(self._parts):
            order.sort(key=part.__getitem__, reverse=True)
        return order


def _lines(items: Iterable[T], line: Callable[[T], str], flush: Callable[[], None]) -> int:
    """One line an item, as ``line`` makes it (DEL and C1 escaped), flushed after each."""
    count = 0
    write = sys.stdout.write
    for item in items:
        write(json_text(line(item)) + "\n")
        flush()
        count += 1
    return count
