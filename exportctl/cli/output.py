"""The output options of the commands that print records: --output/-o, --json,
--query, --fields and --no-headers, read into an :class:`OutputSpec`; the formats
themselves are :mod:`exportctl.output.formats`'s."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli.complete import fields_completer
from exportctl.cli.paramtypes import Choice
from exportctl.cli.stdout import OutputError
from exportctl.domain.errors import (
    MAX_QUOTED,
    ExitCode,
    ExportctlError,
    UsageError,
    clip,
    conflict_in,
)
from exportctl.output.outputspec import FORMATS, OutputSpec, document_begun, documents_begun

if TYPE_CHECKING:
    from exportctl.cli.context import AppContext
    from exportctl.cli.estimates import Estimates
    from exportctl.domain.model import ExportJob

F = TypeVar("F", bound=Callable[..., Any])


def _build(ctx: click.Context, output: str | None, as_json: bool, query: str | None,
           fields: str | None, no_headers: bool) -> OutputSpec:  # fmt: skip
    if as_json and output and output.lower() != "json":
        raise UsageError(f"--json and --output {output.lower()} disagree: use one of them")
    fmt = "json" if as_json else (output or "table").lower()
    if query is not None:
        _check_query(query)
        if fmt in ("table", "wide"):
            fmt = "json"
    if no_headers and fmt in ("json", "ndjson", "text"):
        # Those formats have no header line: the option would do nothing.
        shown = "--query's JSON" if query is not None and not as_json and output is None else fmt
        raise UsageError(f"--no-headers is for tables and csv: {shown} has no header line")
    return OutputSpec(format=fmt, query=query, fields=_field_names(fields), headers=not no_headers)


def _check_query(query: str) -> None:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(query)
    except RecursionError as exc:
        # jmespath's parser recurses once a level: '[' * 500 goes past Python's stack.
        raise UsageError(
            "--query is not a valid JMESPath expression: it is nested too deeply"
        ) from exc
    except JMESPathError as exc:
        reason = " ".join(str(exc).split())
        # jmespath quotes the expression, and the token it stopped at in its words:
        # each cut as a value in a message is (the expression first, which holds it).
        for given in (query, getattr(exc, "token_value", None)):
            if isinstance(given, str) and len(given) > MAX_QUOTED:
                reason = reason.replace(" ".join(given.split()), clip(given))
        raise UsageError(f"--query is not a valid JMESPath expression: {reason}") from exc


def _field_names(fields: str | None) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(f.strip() for f in (fields or "").split(",") if f.strip()))
    if fields is not None and not names:
        raise UsageError("--fields needs at least one field name, e.g. --fields ref,state")
    return names


@contextlib.contextmanager
def json_on_failure(
    out: OutputSpec, empty: str = "null", *, unbegun: bool = False
) -> Iterator[None]:
    """With --json, stdout holds one JSON document however the work inside ends:
    ``empty`` (the document of nothing) when it fails, the exit code and stderr
    saying how. Bad input (exit 2) prints nothing, as before any work, but for a
    conflict found once the work began (a download's with what is on disk, a create's
    name taken, a rerun's job still running); a stdout that cannot be written to is
    left alone. ``unbegun``: only where the work began no document (a whole command's,
    whose parts' own say it first)."""
    begun = documents_begun()
    try:
        yield
    except (click.exceptions.Exit, click.ClickException, BrokenPipeError, OutputError):
        raise
    except (Exception, KeyboardInterrupt) as exc:
        refused = (
            isinstance(exc, ExportctlError)
            and exc.exit_code == ExitCode.USAGE
            and conflict_in(exc) is None
        )
        if out.format == "json" and not refused and not (unbegun and documents_begun() > begun):
            from exportctl.output.formats import nothing_text

            document_begun()
            sys.stdout.write(nothing_text(empty, out.query))
        raise


def check_headers(out: OutputSpec, table: str = "") -> None:
    """--no-headers where the command prints no header line (a job's panels, a new
    job's reference, a sentence): refused before anything is sent, not ignored.
    ``table``: what --fields or -o wide print there, in a few words."""
    if not (out.machine or out.fields or out.wide or out.headers):
        raise UsageError(
            f"--no-headers is for tables of records: add --fields or -o wide{table}, or use -o csv"
        )


# The document of nothing of a command, from its parameters.
Empty = Callable[[dict[str, Any]], str]


def output_options(fields: Sequence[str], empty: str | Empty = "null") -> Callable[[F], F]:
    """Adds --output/-o, --json, --query, --fields and --no-headers; passes
    ``out: OutputSpec``. ``fields`` are the names --fields offers and its help shows.
    ``empty``: the document of nothing with --json (:func:`json_on_failure`), kept
    from the command's start: a Ctrl-C while the clients are made (the embedded
    sandbox starting) comes before any part of the command has its own."""
    return functools.partial(_decorate, fields=tuple(fields), empty=empty)


def one_per_ref(params: dict[str, Any]) -> str:
    """The document of nothing of a command of REF...: null for one, [] for several."""
    return "null" if len(params["refs"]) == 1 else "[]"


def shaping_options(fields: Sequence[str]) -> Callable[[F], F]:
    """Adds --query and --fields alone, as :func:`output_options` makes them, to a
    command whose --output/-o is its own (its ``output`` parameter); passes ``out:
    OutputSpec``, that output's format with the shaping asked for."""
    return functools.partial(_decorate_shaping, fields=tuple(fields))


def _shaping_params(fields: tuple[str, ...]) -> tuple[Callable[[Any], Any], ...]:
    """The --fields and --query options, in the order they are applied."""
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
    return (
        click.option(
            "--fields",
            metavar="A,B,C",
            shell_complete=fields_completer(fields),
            help=fields_help,
        ),
        click.option(
            "--query", metavar="EXPR", help="Apply a JMESPath expression to the JSON form."
        ),
    )


def _decorate_shaping(fn: F, *, fields: tuple[str, ...]) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        query = kwargs.pop("query")
        if query is not None:
            _check_query(query)
        kwargs["out"] = OutputSpec(
            format=kwargs.pop("output").lower(),
            query=query,
            fields=_field_names(kwargs.pop("fields")),
        )
        return fn(*args, **kwargs)

    decorated: Any = wrapper
    for option in _shaping_params(fields):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def _decorate(fn: F, *, fields: tuple[str, ...], empty: str | Empty) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        out = kwargs["out"] = _build(
            ctx,
            kwargs.pop("output"),
            kwargs.pop("as_json"),
            kwargs.pop("query"),
            kwargs.pop("fields"),
            kwargs.pop("no_headers"),
        )
        nothing = empty if isinstance(empty, str) else empty(kwargs)
        with json_on_failure(out, nothing, unbegun=True):
            return fn(*args, **kwargs)

    decorated: Any = wrapper
    for option in (
        click.option("--no-headers", is_flag=True, help="No header line (tables and csv)."),
        *_shaping_params(fields),
        click.option("--json", "as_json", is_flag=True, help="Shortcut for --output json."),
        click.option(
            "--output",
            "-o",
            type=Choice(FORMATS, case_sensitive=False),
            default=None,
            help="table (default, fitted to the terminal), wide (every column, nothing cut), "
            "json, ndjson (one record a line), csv, or text (tab-separated, one record a line).",
        ),
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def print_job_table(
    app: AppContext, jobs: Sequence[ExportJob], out: OutputSpec, estimates: Estimates
) -> None:
    """The --fields table (eta and eta_basis too) or the -o wide one of jobs, as status,
    wait and start print it, so that one job reads alike in all three."""
    from exportctl.output import jobtable, recordtable

    if out.fields:
        # The estimate's fields are not the job's own: the same record as json's.
        records = [estimates.record(j) for j in jobs]
        table = recordtable.record_table(records, out.fields, headers=out.headers)
    else:
        region = app.client.home_region()
        table = jobtable.jobs_table(jobs, region, wide=True, headers=out.headers)
    app.out.print(table, soft_wrap=True)


def print_jobs(
    app: AppContext, jobs: Sequence[ExportJob], out: OutputSpec, region: str | None
) -> None:
    """Jobs as `list` prints them for people: the --fields table, or the jobs table
    fitted to the terminal (every column with -o wide); ``region``: the one printed
    references may leave out."""
    from exportctl.output import jobtable, recordtable

    if out.fields:
        records = [j.to_dict() for j in jobs]
        shown = recordtable.record_table(records, out.fields, headers=out.headers)
        app.out.print(shown, soft_wrap=True)
        return
    from exportctl.output.console import table_width

    jobtable.print_jobs_table(
        app.out,
        jobs,
        region,
        width=None if out.wide else table_width(app.out),
        wide=out.wide,
        headers=out.headers,
        accounts=app.many_accounts,
    )
