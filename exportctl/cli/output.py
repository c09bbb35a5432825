"""Record output in every format: table, wide, json, ndjson, csv, text; --query,
--fields and --no-headers.

Commands hand records over as an iterable; ndjson, csv and text write each record
as it comes, so a long listing streams in constant memory.

* ``--query`` is a JMESPath expression. In json it applies to the whole document
  (an array, or one object for a single record), as in the AWS CLI; in ndjson and
  csv and text it applies to each record, and records it maps to null are left
  out. A table with --query becomes json, since a query's result has no fixed
  columns.
* ``--fields a,b.c`` picks columns (table, csv) or keys (json, ndjson; dotted
  names stay dotted keys); unknown names are a usage error listing the valid ones.
* ``text`` is the AWS CLI's scripting format: one record a line, values
  tab-separated, no header, ``None`` for a missing value, ``True``/``False``.
* ``--no-headers`` leaves out the header line of tables and csv.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli.complete import fields_completer
from exportctl.domain.errors import UsageError
from exportctl.domain.model import RECORD_KEYS, Progress, field_value
from exportctl.domain.printable import escape_controls, json_text
from exportctl.output import jsontext

if TYPE_CHECKING:
    from exportctl.cli.context import AppContext
    from exportctl.cli.estimates import Estimates
    from exportctl.domain.model import ExportJob

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

FORMATS = ("table", "wide", "json", "ndjson", "csv", "text")

# The field names of an ExportJob record (ExportJob.to_dict), for --fields: its
# members, progress's own after it, and "details." takes any name, since each
# service has its own details.
_NESTED_FIELDS = {
    "progress": tuple(f"progress.{f.name}" for f in dataclasses.fields(Progress)),
    "details": ("details.*",),
}
JOB_RECORD_FIELDS = tuple(
    name for key in RECORD_KEYS for name in (key, *_NESTED_FIELDS.get(key, ()))
)
JOB_DEFAULT_FIELDS = ("service", "ref", "state", "status", "created", "message")


@dataclass(frozen=True)
class OutputSpec:
    format: str = "table"
    query: str | None = None
    fields: tuple[str, ...] = ()
    headers: bool = True

    @property
    def machine(self) -> bool:
        return self.format not in ("table", "wide")

    @property
    def wide(self) -> bool:
        """Every column, nothing cut or shortened."""
        return self.format == "wide"

    @property
    def streams(self) -> bool:
        """Records are written as they come, in arrival order, not collected and sorted."""
        return self.format in ("ndjson", "csv", "text")

    def check_fields(self, known: Sequence[str]) -> None:
        """Fail before any work if --fields names something records do not have."""
        check_fields(self.fields, known)


def check_fields(fields: Sequence[str], known: Sequence[str]) -> None:
    exact = {k for k in known if not k.endswith(".*")}
    open_prefixes = tuple(k[:-1] for k in known if k.endswith(".*"))
    unknown = [f for f in fields if f not in exact and not _open(f, open_prefixes)]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise UsageError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {names} for --fields; "
            f"valid fields: {', '.join(known)}"
        )


def _open(field: str, prefixes: tuple[str, ...]) -> bool:
    return any(field.startswith(p) and len(field) > len(p) for p in prefixes)


def _build(ctx: click.Context, output: str | None, as_json: bool, query: str | None,
           fields: str | None, no_headers: bool) -> OutputSpec:  # fmt: skip
    if as_json and output and output.lower() != "json":
        raise UsageError(f"--json and --output {output.lower()} disagree: use one of them")
    fmt = "json" if as_json else (output or "table").lower()
    if query is not None:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(query)
        except JMESPathError as exc:
            reason = " ".join(str(exc).split())
            raise UsageError(f"--query is not a valid JMESPath expression: {reason}") from exc
        if fmt in ("table", "wide"):
            fmt = "json"
    if no_headers and fmt in ("json", "ndjson", "text"):
        # Those formats have no header line: the option would do nothing.
        shown = "--query's JSON" if query is not None and not as_json and output is None else fmt
        raise UsageError(f"--no-headers is for tables and csv: {shown} has no header line")
    names = tuple(dict.fromkeys(f.strip() for f in (fields or "").split(",") if f.strip()))
    if fields is not None and not names:
        raise UsageError("--fields needs at least one field name, e.g. --fields ref,state")
    return OutputSpec(format=fmt, query=query, fields=names, headers=not no_headers)


def output_options(fields: Sequence[str]) -> Callable[[F], F]:
    """Adds --output/-o, --json, --query, --fields and --no-headers; passes
    ``out: OutputSpec``. ``fields`` are the names --fields offers and its help shows."""
    top = [f for f in fields if "." not in f]
    dotted = [f for f in fields if "." in f]
    examples = [
        f[:-1] + "NAME" if f.endswith(".*") else f
        for f in dotted
        if f.endswith(".*") or f == dotted[0]
    ]
    fields_help = f"Only these fields, comma-separated: {', '.join(top)}" + (
        f"; dotted paths too ({', '.join(examples)})." if examples else "."
    )
    return functools.partial(_decorate, fields=tuple(fields), fields_help=fields_help)


def _decorate(fn: F, *, fields: tuple[str, ...], fields_help: str) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        kwargs["out"] = _build(
            ctx,
            kwargs.pop("output"),
            kwargs.pop("as_json"),
            kwargs.pop("query"),
            kwargs.pop("fields"),
            kwargs.pop("no_headers"),
        )
        return fn(*args, **kwargs)

    decorated: Any = wrapper
    for option in (
        click.option("--no-headers", is_flag=True, help="No header line (tables and csv)."),
        click.option(
            "--fields",
            metavar="A,B,C",
            shell_complete=fields_completer(fields),
            help=fields_help,
        ),
        click.option(
            "--query", metavar="JMESPATH", help="Apply a JMESPath expression to the JSON form."
        ),
        click.option("--json", "as_json", is_flag=True, help="Shortcut for --output json."),
        click.option(
            "--output",
            "-o",
            type=click.Choice(FORMATS, case_sensitive=False),
            default=None,
            help="table (default, fitted to the terminal), wide (every column, nothing cut), "
            "json, ndjson (one record a line), csv, or text (tab-separated, one record a line).",
        ),
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


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


def _project(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {f: field_value(record, f) for f in fields}


# One encoder for every ndjson line: json.dumps with options builds a new one a call.
_ONE_LINE = jsontext.encoder()


def _dumps(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, default=str)``, DEL and C1 escaped too."""
    return json_text(_ONE_LINE(data))


def emit(
    out: OutputSpec,
    items: Iterable[T],
    *,
    to_dict: Callable[[T], dict[str, Any]],
    table: Callable[[Sequence[T], tuple[str, ...]], None],
    default_fields: Sequence[str],
    single: bool = False,
    known_fields: Sequence[str] | None = None,
    flush_each: bool = True,
    document: Callable[[list[dict[str, Any]]], Any] | None = None,
    newest: Callable[[T], tuple[Any, ...]] | None = None,
    limit: int | None = None,
    texts: jsontext.RecordTexts[T] | None = None,
) -> int:
    """Write items in the chosen format; returns how many were written.

    ``table`` renders the collected items for people; ``single`` prints one
    object (or null) instead of an array in json. ``known_fields`` are the names
    --fields accepts (``x.*`` accepts any name under x); without them, the
    names of the first record's fields are. ndjson and csv flush after each
    record unless ``flush_each`` is False, for callers that flush when they
    wait for more (a page at a time), and once at the end. ``document`` builds
    the json document around the array of records (--query applies to it).

    ``newest`` is for items that arrive in any order: they are written sorted by
    it, highest first, the first ``limit`` of them. json is then made text record
    by record as the items arrive (while the next ones are still being read), and
    only the sorting and the writing wait for the last.

    ``texts`` makes the json and ndjson text of whole records (no --fields, no
    --query) from the items themselves, without ``to_dict``: the same text.
    """
    if out.fields and known_fields is not None:
        check_fields(out.fields, known_fields)
    fmt = out.format
    if newest is not None:
        if fmt == "json" and not (single or document or out.query):
            whole = texts.item if texts and not out.fields else None
            return _json_newest(out, items, to_dict, newest, limit, known_fields, whole)
        items = sorted(items, key=newest, reverse=True)[:limit]
    if fmt in ("table", "wide"):
        kept = list(items)
        if out.fields and known_fields is None and kept:
            check_fields(out.fields, _paths(to_dict(kept[0])))
        table(kept, out.fields)
        return len(kept)
    records = _checked(out, (to_dict(item) for item in items), known_fields)
    if fmt == "json":
        if out.fields:
            records = (_project(r, out.fields) for r in records)
        return _json(out, list(records), single, document)
    flush = sys.stdout.flush if flush_each else _nothing
    try:
        if fmt == "csv":
            return _csv(out, records, out.fields or default_fields, flush)
        if fmt == "text":
            return _text(out, records, out.fields or default_fields, flush)
        if texts and not (out.fields or out.query):
            return _ndjson_lines(items, texts.line, flush)
        if out.fields:
            records = (_project(r, out.fields) for r in records)
        return _ndjson(out, records, flush)
    finally:
        sys.stdout.flush()


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


def _json(
    out: OutputSpec,
    collected: list[dict[str, Any]],
    single: bool,
    document: Callable[[list[dict[str, Any]]], Any] | None = None,
) -> int:
    """The document json.dumps(indent=2) would write, written record by record."""
    data: Any = (collected[0] if collected else None) if single else collected
    if document is not None:
        data = document(collected)
    if out.query:
        import jmespath

        data = jmespath.search(out.query, data)
    if isinstance(data, list):
        jsontext.write_array(data, lambda text: sys.stdout.write(json_text(text)))
    else:
        sys.stdout.write(json_text(jsontext.indented(data)) + "\n")
    sys.stdout.flush()
    return len(collected)


class _Keys:
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


def _json_newest(
    out: OutputSpec,
    items: Iterable[T],
    to_dict: Callable[[T], dict[str, Any]],
    newest: Callable[[T], tuple[Any, ...]],
    limit: int | None,
    known: Sequence[str] | None,
    whole: Callable[[T], str] | None = None,
) -> int:
    """:func:`_json` of the items sorted by ``newest``, each made text on arrival
    (by ``whole``, when given: the text of the item's whole record)."""
    keys = _Keys()
    texts: list[str] = []
    if whole is not None:
        for item in items:
            keys.add(newest(item))
            texts.append(json_text(whole(item)))
    else:

        def keyed() -> Iterator[dict[str, Any]]:
            for item in items:
                keys.add(newest(item))
                yield to_dict(item)

        for record in _checked(out, keyed(), known):
            if out.fields:
                record = _project(record, out.fields)
            texts.append(json_text(jsontext.item_text(record)))
    order = keys.descending()[:limit]
    count = jsontext.write_texts((texts[i] for i in order), sys.stdout.write)
    sys.stdout.flush()
    return count


def _queried(out: OutputSpec, records: Iterable[dict[str, Any]]) -> Iterator[Any]:
    if not out.query:
        yield from records
        return
    import jmespath

    expr = jmespath.compile(out.query)
    for record in records:
        value = expr.search(record)
        if value is not None:
            yield value


def _ndjson(out: OutputSpec, records: Iterable[dict[str, Any]], flush: Callable[[], None]) -> int:
    return _ndjson_lines(_queried(out, records), _ONE_LINE, flush)


def _ndjson_lines(items: Iterable[T], line: Callable[[T], str], flush: Callable[[], None]) -> int:
    """One line an item, as ``line`` makes it (DEL and C1 escaped), flushed after each."""
    count = 0
    write = sys.stdout.write
    for item in items:
        write(json_text(line(item)) + "\n")
        flush()
        count += 1
    return count


def _csv(
    out: OutputSpec,
    records: Iterable[dict[str, Any]],
    columns: Sequence[str],
    flush: Callable[[], None],
) -> int:
    """A header row, then one row per record, quoted where a cell needs it (RFC 4180).

    With --query, a record that maps to an object gives the row of its values (the
    header comes from the first one), a list gives its items, a scalar one cell.
    """
    writer = csv.writer(sys.stdout, lineterminator="\n")
    count = 0
    if not out.query:
        if out.headers:
            writer.writerow(columns)
        for record in records:
            writer.writerow([cell(field_value(record, c)) for c in columns])
            flush()
            count += 1
        return count
    header: list[str] | None = None
    for value in _queried(out, records):
        if isinstance(value, dict):
            if header is None:
                header = list(value)
                if out.headers:
                    writer.writerow(header)
            row = [cell(value.get(k)) for k in header]
        elif isinstance(value, list):
            row = [cell(v) for v in value]
        else:
            row = [cell(value)]
        writer.writerow(row)
        flush()
        count += 1
    return count


def text_cell(value: Any) -> str:
    """One value of text output, as the AWS CLI writes it; tabs and newlines become spaces."""
    if value is None:
        return "None"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return " ".join(str(value).replace("\t", " ").splitlines()) if value != "" else ""


def _text(
    out: OutputSpec,
    records: Iterable[dict[str, Any]],
    columns: Sequence[str],
    flush: Callable[[], None],
) -> int:
    """One record a line, values tab-separated, no header (the AWS CLI's text output).

    With --query, an object gives its values, a list its items, a scalar one value.
    """
    write = sys.stdout.write
    count = 0
    values: Iterable[Any] = (
        _queried(out, records)
        if out.query
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


def print_job_table(
    app: AppContext, jobs: Sequence[ExportJob], out: OutputSpec, estimates: Estimates
) -> None:
    """The --fields table (eta and eta_basis too) or the -o wide one of jobs, as status,
    wait and start print it, so that one job reads alike in all three."""
    from exportctl.output import render

    if out.fields:
        # The estimate's fields are not the job's own: the same record as json's.
        records = [estimates.record(j) for j in jobs]
        table = render.record_table(records, out.fields, headers=out.headers)
    else:
        region = app.jobs.clients.home_region
        table = render.jobs_table(jobs, region, wide=True, headers=out.headers)
    app.out.print(table, soft_wrap=True)
