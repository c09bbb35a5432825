"""The one shape every service's export job is mapped onto."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exportctl.domain.printable import one_line
from exportctl.domain.timeutil import iso, jsonable

SCHEMA_VERSION = 1


class State(str, enum.Enum):
    """Normalised job state, shared by every service."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    # Stopped on request before it ended (RDS CANCELED, Logs CANCELLED, EC2 cancelled).
    CANCELLED = "CANCELLED"
    UNKNOWN = "UNKNOWN"

    @property
    def terminal(self) -> bool:
        return self in (State.COMPLETED, State.FAILED, State.CANCELLED)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Progress:
    """Work counters, for the services that report them (Pinpoint)."""

    completed_pieces: int | None = None
    total_pieces: int | None = None
    failed_pieces: int | None = None
    total_processed: int | None = None
    total_failures: int | None = None
    failures: tuple[str, ...] = ()

    @property
    def fraction(self) -> float | None:
        if not self.total_pieces or self.completed_pieces is None:
            return None
        return min(1.0, self.completed_pieces / self.total_pieces)

    def to_dict(self) -> dict[str, Any]:
        return {
            "completed_pieces": self.completed_pieces,
            "total_pieces": self.total_pieces,
            "failed_pieces": self.failed_pieces,
            "total_processed": self.total_processed,
            "total_failures": self.total_failures,
            "failures": list(self.failures),
        }


@dataclass(frozen=True)
class ExportJob:
    """An export job of any service.

    ``status`` is the vendor's word, verbatim; ``state`` is its normalised meaning.
    Datetimes are timezone-aware UTC. ``details`` holds every vendor member that has
    no field of its own, under snake_case keys, so nothing a service returns is lost.
    ``raw`` is the service's answer for the job as botocore parsed it (empty for a
    record made otherwise): not in the JSON form, not compared.
    """

    service: str
    ref: str
    id: str
    region: str
    state: State
    status: str
    arn: str | None = None
    name: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    completed: datetime | None = None
    destination: str | None = None
    message: str | None = None
    progress: Progress | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    # The AWS account: from the ARN, else from the credentials that read the job.
    account: str | None = None
    # Kept, not copied: the record already holds its parts, so it costs one reference.
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def assemble(cls, members: dict[str, Any]) -> ExportJob:
        """``cls(**members)``, ``members`` naming every field, without the frozen
        ``__init__``'s setting of the fields one by one: a third of what turning a
        listed job into a record costs (a listing makes 10,000 of them)."""
        job = object.__new__(cls)
        object.__setattr__(job, "__dict__", members)
        return job

    def __hash__(self) -> int:
        # Not dataclass's hash of every field: ``details`` and ``raw`` are dicts. Jobs
        # equal in every field have one reference, so this agrees with ``==``.
        return hash((self.service, self.ref))

    @property
    def terminal(self) -> bool:
        return self.state.terminal

    @property
    def said_state(self) -> str:
        """The state as a message says it: with the vendor's word where that says more
        (``RUNNING (CANCELING)``, ``FAILED (CREATE FAILED)``; ``FAILED``, not
        ``FAILED (FAILED)``)."""
        if self.status and self.status != self.state.value:
            return f"{self.state.value} ({one_line(self.status)})"
        return self.state.value

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: a stable schema, snake_case keys, ISO 8601 UTC timestamps."""
        return dict(zip(RECORD_KEYS, self.record_values(), strict=True))

    def record_values(self) -> tuple[Any, ...]:
        """The values of the JSON form, in the order of :data:`RECORD_KEYS` (what
        machine output is written from, without making the dict)."""
        state, terminal = _STATE_MEMBERS[self.state]
        return (
            self.service,
            self.ref,
            self.id,
            self.arn,
            self.account,
            self.region,
            self.name,
            state,
            self.status,
            terminal,
            iso(self.created),
            iso(self.updated),
            iso(self.completed),
            self.destination,
            self.message,
            self.progress.to_dict() if self.progress else None,
            jsonable(self.details) if self.details else {},
        )


# A state's "state" and "terminal" members, looked up once: enum properties are slow.
_STATE_MEMBERS = {state: (state.value, state.terminal) for state in State}

# The members of a record's JSON form, in order.
RECORD_KEYS = (
    "service",
    "ref",
    "id",
    "arn",
    "account",
    "region",
    "name",
    "state",
    "status",
    "terminal",
    "created",
    "updated",
    "completed",
    "destination",
    "message",
    "progress",
    "details",
)


def newest_key(job: ExportJob) -> tuple[float, str]:
    """What orders jobs newest first (descending): creation time, then reference.

    A job without a creation time (EC2's have none, nor has an RDS task before it
    leaves STARTING) sorts as the oldest: after every dated job, those without one
    by reference (descending, as the dated ones of one time). Every sorted output
    (tables, json, ``--limit`` in the streamed formats, ``watch``'s board) orders
    by this key, so they agree."""
    return (job.created.timestamp() if job.created else float("-inf"), job.ref)


def newest_first(jobs: Sequence[ExportJob]) -> list[ExportJob]:
    return sorted(jobs, key=newest_key, reverse=True)


def field_value(record: Any, field: str) -> Any:
    """The value at a dotted field name of a record's JSON form (``progress.total_pieces``),
    None where any step is missing."""
    value: Any = record
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
