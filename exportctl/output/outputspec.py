"""What a command asks of its output: the format and its options (:class:`OutputSpec`),
and the records with what each format needs of them (:class:`Records`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from exportctl.domain.errors import UsageError, quoted
from exportctl.domain.model import RECORD_KEYS, Progress
from exportctl.output import jsontext

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
        names = ", ".join(quoted(u) for u in unknown)
        raise UsageError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {names} for --fields; "
            f"valid fields: {', '.join(known)}"
        )


def _open(field: str, prefixes: tuple[str, ...]) -> bool:
    return any(field.startswith(p) and len(field) > len(p) for p in prefixes)


# The documents commands began on stdout (emit): a command that fails writes the
# document of nothing only where it began none. A count, which the commands a
# process runs (a test's) share: each compares it with what it was at its start.
_BEGUN = [0]


def documents_begun() -> int:
    return _BEGUN[0]


def document_begun() -> None:
    _BEGUN[0] += 1


@dataclass
class Records(Generic[T]):
    """What a command hands a formatter: its items, and how each format reads them.

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

    ``failed`` says, once the items have all come, whether the command failed (its
    errors are said after the records): csv then writes no header line for no
    records, as a command that fails as a whole prints no line.
    """

    items: Iterable[T]
    to_dict: Callable[[T], dict[str, Any]]
    table: Callable[[Sequence[T], tuple[str, ...]], None] | None
    default_fields: Sequence[str]
    single: bool = False
    known_fields: Sequence[str] | None = None
    flush_each: bool = True
    document: Callable[[list[dict[str, Any]]], Any] | None = None
    newest: Callable[[T], tuple[Any, ...]] | None = None
    limit: int | None = None
    texts: jsontext.RecordTexts[T] | None = None
    failed: Callable[[], bool] | None = None
