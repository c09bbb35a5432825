"""Helpers for the download tests: an S3 bucket on moto, jobs that point at it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.model import ExportJob, State

TEMP_GLOB = "*.exportctl-part-*"


@dataclass
class S3Env:
    url: str
    bucket: str
    dest: Path
    calls: Counter[str] = field(default_factory=Counter)
    # The keys of the objects GetObject was called for.
    fetched: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.clients = Clients(
            AwsSettings(
                region="us-east-1", s3_endpoint_url=self.url, access_key="x", secret_key="x"
            )
        )
        self.client = self.clients.client("s3", "us-east-1")
        self.client.meta.events.register("before-call.s3.*", self._count)
        self.client.meta.events.register("provide-client-params.s3.GetObject", self._fetched)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def _fetched(self, params: dict[str, Any], **_: Any) -> None:
        self.fetched[str(params.get("Key"))] += 1

    def put(self, objects: dict[str, bytes]) -> None:
        for key, body in objects.items():
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body)

    def job(
        self,
        prefix: str,
        *,
        service: str = "personalize",
        job_id: str = "job-1",
        state: State = State.COMPLETED,
        destination: str | None = None,
    ) -> ExportJob:
        return ExportJob(
            service=service,
            ref=f"{service}:us-east-1:{job_id}",
            id=job_id,
            region="us-east-1",
            state=state,
            status=state.value,
            destination=destination if destination is not None else f"s3://{self.bucket}/{prefix}",
        )


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below root (temporary ones included), by its posix relative path."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def seed_backend(bucket: str, objects: dict[str, bytes]) -> None:
    """Put many objects straight into moto's in-process backend (the HTTP server reads it)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for key, body in objects.items():
        backend.put_object(bucket, key, body)
