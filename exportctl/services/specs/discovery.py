"""AWS Application Discovery Service export tasks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exportctl.domain.model import State
from exportctl.domain.naming import Named
from exportctl.services.spec import (
    Batch,
    Create,
    Fields,
    Get,
    Output,
    Page,
    ServiceSpec,
    StartOption,
)

# The service answers an account in its Migration Hub home region alone, and this
# everywhere else (and everywhere, while no home region is set).
HOME_REGION_NOT_SET = "HomeRegionNotSetException"


def _explain(code: str, message: str, named: Named) -> str | None:
    if code == HOME_REGION_NOT_SET:
        return (
            "no Migration Hub home region is set for this account (or this is not it): "
            f"pass {named('region')} with the home region"
        )
    return None


def _agent(agent: str) -> Mapping[str, Any]:
    # "A single agent ID may be selected for export" (the model's ExportFilter).
    return {"filters": [{"name": "agentIds", "values": [agent], "condition": "EQUALS"}]}


CREATE = Create(
    operation="StartExportTask",
    options=(
        # Without an agent the service exports everything and ignores a time range
        # (the model's StartExportTask filters): a range needs the agent.
        StartOption("start-time", "With --agent-id: export that agent's data from then on: "
                    "a date, a time, or 2d (that long ago). Default: the earliest data.",
                    "startTime", record="details.requested_start_time", kind="time",
                    metavar="TIME", requires="agent-id"),
        StartOption("end-time", "With --agent-id: export that agent's data until then "
                    "(default: now).", "endTime", record="details.requested_end_time",
                    kind="time", metavar="TIME", requires="agent-id"),
        # The service does not report an export's filter: rerun cannot reuse it.
        StartOption("agent-id", "Only the data of this Application Discovery Agent (one).",
                    _agent, metavar="ID"),
    ),
    id="exportId",
    note="the service takes a time range only with an agent: without one it exports "
    "the whole inventory",
    idempotency="listing",
    reused="",
    not_reused="Discovery does not report an export's agent filter, so a rerun exports "
    "the whole inventory as it is then (without an agent the service takes no time range).",
    listing_scope=lambda request: {},
    periods=(("start-time", "end-time"),),
    examples=(
        "exportctl --sandbox start discovery",
        "exportctl --sandbox start discovery --dry-run \\\n"
        "    --agent-id o-0123456789abcdef0 \\\n"
        "    --start-time 30d --end-time 1d",
        "exportctl start discovery --wait --download ./inventory",
    ),
)  # fmt: skip

SPEC = ServiceSpec(
    name="discovery",
    title="AWS Application Discovery",
    client="discovery",
    aliases=("application-discovery", "ads"),
    prefix="discovery",
    statuses={
        "IN_PROGRESS": State.RUNNING,
        "SUCCEEDED": State.COMPLETED,
        "FAILED": State.FAILED,
    },
    fields=Fields(
        id="exportId",
        status="exportStatus",
        created="exportRequestTime",
        destination="configurationsDownloadUrl",
        message="statusMessage",
        details={
            "is_truncated": "isTruncated",
            "requested_start_time": "requestedStartTime",
            "requested_end_time": "requestedEndTime",
        },
    ),
    get=Get(
        operation="DescribeExportTasks",
        item="exportsInfo.0",
        params=lambda key: {"exportIds": [key.id]},
    ),
    list=Page(
        operation="DescribeExportTasks",
        items="exportsInfo",
        input_token="nextToken",
        output_token="nextToken",
        limit_key="maxResults",
        limit=100,
    ),
    batch=Batch(param="exportIds", max_ids=100),
    explain=_explain,
    elsewhere=frozenset({HOME_REGION_NOT_SET}),
    create=CREATE,
    short_title="Discovery",
    rank=4,
    # An archive, at a pre-signed URL that expires.
    output=Output(kind="url", holds="the archive"),
)
