"""What --fields and --query make of a record: its projection onto the fields
asked for, and the JMESPath search over it, whose failures are the user's to mend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from exportctl.domain.errors import UsageError
from exportctl.domain.model import field_value
from exportctl.output.outputspec import OutputSpec


def shaper(out: OutputSpec) -> Callable[[dict[str, Any]], Any]:
    """A record as --fields and --query make it, one at a time: each record of the
    formats written a record at a time, and the job of an event line (`wait -o
    ndjson`, `watch -o ndjson`), never the whole line."""
    query = None
    if out.query:
        import jmespath

        query = jmespath.compile(out.query)

    def shape(record: dict[str, Any]) -> Any:
        shaped = project(record, out.fields) if out.fields else record
        return searched(query, shaped) if query is not None else shaped

    return shape


def searched(query: Any, data: Any) -> Any:
    """``data`` as the compiled --query makes it; a query that cannot be applied to
    what it meets (a function given a null: `contains(message, 'x')` where a job has no
    message) is the user's to mend (exit 2), not exportctl's bug."""
    from jmespath.exceptions import JMESPathError

    try:
        return query.search(data)
    except JMESPathError as exc:
        reason = " ".join(str(exc).split())
        raise UsageError(
            f"--query cannot be applied to these records: {reason} (a field may be null: "
            "give it a default, as in `contains(message || '', 'x')`)"
        ) from exc
    except RecursionError as exc:
        # A query jmespath parses may still be too deep for its interpreter, which
        # recurses more a level ('a' followed by '[]' 300 times).
        raise UsageError(
            "--query cannot be applied to these records: it is nested too deeply"
        ) from exc
    except TypeError as exc:
        # jmespath checks its functions' argument types but one: contains() given a
        # string to search and something else to find raises Python's own error.
        raise UsageError(
            f"--query cannot be applied to these records: {exc} (compare like with like: "
            "a string is searched for a string, as in `contains(message, '1')`)"
        ) from exc


def project(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {f: field_value(record, f) for f in fields}
