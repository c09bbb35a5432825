"""Record output in every format: table, json, ndjson, csv; --query and --fields.

Commands hand records over as an iterable; ndjson and csv write each record as it
comes, so a long listing streams in constant memory.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

FORMATS = ("table", "json", "ndjson", "csv")


@dataclass(frozen=True)
class OutputSpec:
    format: str = "table"
    query: str | None = None
    fields: tuple[str, ...] = ()

    @property
    def machine(self) -> bool:
        return self.format != "table"


def _build(ctx: click.Context, output: str | None, as_json: bool, query: str | None,
           fields: str | None) -> OutputSpec:  # fmt: skip
    if as_json and output and output.lower() != "json":
        raise click.UsageError("--json and --output disagree: use one of them", ctx)
    fmt = "json" if as_json else (output or "table").lower()
    if query is not None:
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(query)
        except JMESPathError as exc:
            raise click.BadParameter(f"not a JMESPath expression: {exc}", ctx) from exc
        if fmt == "table":
            fmt = "json"
    names = tuple(f.strip() for f in (fields or "").split(",") if f.strip())
    return OutputSpec(format=fmt, query=query, fields=names)


def output_options(fn: F) -> F:
    """Adds --output/-o, --json, --query and --fields; passes ``out: OutputSpec``."""

    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        kwargs["out"] = _build(
            ctx,
            kwargs.pop("output"),
            kwargs.pop("as_json"),
            kwargs.pop("query"),
            kwargs.pop("fields"),
        )
        return fn(*args, **kwargs)

    decorated: Any = wrapper
    for option in (
        click.option("--fields", metavar="A,B,C", help="Columns to show (table and csv)."),
        click.option(
            "--query", metavar="JMESPATH", help="Apply a JMESPath expression to the JSON form."
        ),
        click.option("--json", "as_json", is_flag=True, help="Shortcut for --output json."),
        click.option(
            "--output",
            "-o",
            type=click.Choice(FORMATS, case_sensitive=False),
            default=None,
            help="table (default), json, ndjson (one record a line) or csv.",
        ),
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def _flat(record: dict[str, Any], field: str) -> Any:
    value: Any = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "" if value is None else value


def emit(
    out: OutputSpec,
    items: Iterable[T],
    *,
    to_dict: Callable[[T], dict[str, Any]],
    table: Callable[[Sequence[T], tuple[str, ...]], None],
    default_fields: Sequence[str],
    single: bool = False,
) -> int:
    """Write items in the chosen format; returns how many were written.

    ``table`` renders the collected items for people; ``single`` prints one
    object (or null) instead of an array in json.
    """
    fmt = out.format
    if fmt == "table":
        kept = list(items)
        table(kept, out.fields)
        return len(kept)
    records = (to_dict(item) for item in items)
    if fmt == "json":
        collected = list(records)
        data: Any = (collected[0] if collected else None) if single else collected
        if out.query:
            import jmespath

            data = jmespath.search(out.query, data)
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return len(collected)
    count = 0
    if fmt == "ndjson":
        expr = None
        if out.query:
            import jmespath

            expr = jmespath.compile(out.query)
        for record in records:
            item = expr.search(record) if expr else record
            sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
            count += 1
        return count
    columns = list(out.fields or default_fields)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_flat(record, c) for c in columns])
        sys.stdout.flush()
        count += 1
    return count
