"""Scenario building blocks: jobs as timed phases, and the placeholders they carry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from exportctl.sandbox.home import HOME_REGION as HOME_REGION

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1")

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class At:
    """A scenario instant, rendered as epoch seconds or ISO text by each service."""

    seconds: float


@dataclass(frozen=True)
class DownloadUrl:
    """Placeholder for a pre-signed URL that must name the running server."""

    export_id: str
    signature: str


@dataclass
class Phase:
    at: float
    status: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Job:
    service: str
    kind: str
    region: str
    id: str
    created: float
    phases: list[Phase]
    attrs: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    override: str | None = None
    deleted: bool = False

    def state(self, elapsed: float) -> tuple[str, dict[str, Any]]:
        """Status and the accumulated phase fields in force at ``elapsed``."""
        status = self.phases[0].status
        merged: dict[str, Any] = {}
        for phase in self.phases:
            if phase.at > elapsed and phase is not self.phases[0]:
                break
            status = phase.status
            merged.update(phase.fields)
        if self.override is not None:
            status = self.override
        return status, merged


@dataclass(frozen=True)
class OutputLocation:
    service: str
    region: str
    job_id: str
    uri: str


def hex_rows(job_id: str, n: int, width: int) -> list[str]:
    """``n`` rows of ``width`` hex digits that only ``job_id`` decides: the content of
    an export's objects in the sandbox's S3."""
    seed = hashlib.sha256(job_id.encode()).hexdigest()
    return [f"{seed[(i * 7) % 48 : (i * 7) % 48 + width]}" for i in range(n)]
