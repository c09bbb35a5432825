"""The sandbox's own view of the export jobs a listing of every service must show.

Shared by the tiers that compare a listing with the sandbox (tests/cli, tests/e2e,
tests/board): tests/ is on the path of every test module (the root conftest lives here).
"""

from __future__ import annotations

from typing import Any

from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import MANAGEMENT
from exportctl.sandbox.world.dynamodb import LISTED_FOR

# The sandbox's kinds of export job: not search jobs, applications, tables, images,
# instances, snapshots or clusters.
EXPORT_KINDS = frozenset(
    {"export", "dataset-export-job", "export-task", "export-image-task", "export-instance-task"}
)


def record_id(job: dict[str, Any]) -> str:
    """The id a job record has for a job of the sandbox: the sandbox knows some by
    their ARN (Personalize's, DynamoDB's, RDS's) or path (Pinpoint's APP/ID)."""
    return str(job["id"]).rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def listed_export_jobs(
    sandbox: Sandbox, region: str | None = None, account: str | None = MANAGEMENT
) -> list[dict[str, Any]]:
    """The export jobs a listing shows (of ``account``; None: every account's): every
    one, but the DynamoDB exports older than ListExports's 90 days, which only a
    reference finds (as in DynamoDB)."""
    horizon = sandbox.clock.elapsed() - LISTED_FOR
    hidden = {
        (owner, job.region, job.id)
        for owner, world in sandbox.worlds.items()
        for job in world.jobs
        if job.service == "dynamodb" and job.created < horizon
    }
    return [
        job
        for job in sandbox.jobs(region=region, account=account)
        if job["kind"] in EXPORT_KINDS and (job["account"], job["region"], job["id"]) not in hidden
    ]
