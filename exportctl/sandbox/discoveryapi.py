"""AWS Application Discovery Service's operations: configuration export tasks, over
world/discovery.py; their output is a download the sandbox serves itself."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import check, done_after, phases
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import At, DownloadUrl, Job
from exportctl.sandbox.service import Bulk, Download, ServiceWorld
from exportctl.sandbox.world import discovery as world

DISCOVERY_OK = ((0.0, "IN_PROGRESS"), (30.0, "SUCCEEDED"))
DISCOVERY_FAIL = ((0.0, "IN_PROGRESS"), (15.0, "FAILED"))


MAX_EXPORT_IDS = 100


def _in_home_region(ctx: Context) -> None:
    """Discovery answers in Migration Hub's home region alone, as the service does."""
    if not ctx.scenario.home_region or ctx.region != ctx.scenario.home_region:
        raise ApiError(
            "HomeRegionNotSetException",
            "The home region is not set. Set a home region to continue.",
            400,
        )


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _in_home_region(ctx)
    ids = params.get("exportIds") or []
    if len(ids) > MAX_EXPORT_IDS:
        raise ctx.errors.invalid_input(
            f"You can request the status of up to {MAX_EXPORT_IDS} export tasks at a time."
        )
    if ids:
        # Unknown ids are left out rather than failing the call, like the service does.
        found = [ctx.scenario.find("discovery", i, "export-task") for i in dict.fromkeys(ids)]
        jobs = [j for j in found if j is not None]
    else:
        jobs = ctx.listed(ctx.scenario.listing("discovery", "export-task", ctx.region))
    for flt in params.get("filters") or []:
        if flt.get("name") != "agentIds" or flt.get("condition", "EQUALS") != "EQUALS":
            raise ctx.errors.invalid_input(
                f"Invalid filter: {flt.get('name')} {flt.get('condition')}. "
                "Supported filter: agentIds with condition EQUALS."
            )
        wanted = set(flt.get("values") or [])
        jobs = [j for j in jobs if wanted & set(j.attrs["_agents"])]
    size = params.get("maxResults")
    if size is not None:
        size = max(1, min(int(size), 100))
    query = json.dumps([ids, params.get("filters")], sort_keys=True).encode()
    scope = f"discovery/{hashlib.sha256(query).hexdigest()[:16]}"
    chunk, token = ctx.page(jobs, params.get("nextToken"), size, scope)
    return {
        "exportsInfo": [ctx.pick("ExportInfo", ctx.view(j, "exportStatus")) for j in chunk],
        "nextToken": token,
    }


def start_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _in_home_region(ctx)
    check(ctx, "StartExportTask", params)
    known = {a for j in ctx.scenario.listing("discovery", "export-task", ctx.region)
             for a in j.attrs.get("_agents", ())}  # fmt: skip
    agents: list[str] = []
    for flt in params.get("filters") or []:
        if flt["name"] != "agentIds" or flt["condition"] != "EQUALS":
            raise ctx.errors.invalid_input(
                f"Invalid filter: {flt['name']} {flt['condition']}. "
                "Supported filter: agentIds with condition EQUALS."
            )
        agents.extend(flt["values"])
    start, end = params.get("startTime"), params.get("endTime")
    if start is not None and end is not None and float(end) <= float(start):
        raise ctx.errors.invalid_input("The start time must be before the end time.")
    unknown = [a for a in agents if a not in known]
    ident = f"export-{ctx.scenario.uuid()}"
    signature = ctx.scenario.hex(64)

    def fields(status: str, at: float) -> dict[str, Any]:
        if status == "SUCCEEDED":
            return {
                "statusMessage": "Data export completed successfully.",
                "configurationsDownloadUrl": DownloadUrl(ident, signature),
            }
        if status == "FAILED":
            return {
                "statusMessage": f"Export failed: no data was collected by agent {unknown[0]} "
                "in the requested time range."
            }
        return {"statusMessage": "Data export is in progress."}

    now = ctx.elapsed
    attrs: dict[str, Any] = {
        "exportId": ident,
        "exportRequestTime": At(now),
        "_agents": agents or sorted(known),
    }
    if start is not None:
        attrs["requestedStartTime"] = At(float(start) - ctx.clock.start_wall)
    if end is not None:
        attrs["requestedEndTime"] = At(float(end) - ctx.clock.start_wall)
    ctx.scenario.add(
        Job(
            "discovery",
            "export-task",
            ctx.region,
            ident,
            now,
            phases(ctx, DISCOVERY_FAIL if unknown else DISCOVERY_OK, fields),
            attrs,
        )
    )
    return {"exportId": ident}


WORLD = ServiceWorld(
    name="discovery",
    errors=ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("ServerInternalErrorException", 500),
        denied=("AuthorizationErrorException", 400),
        not_found=("InvalidParameterValueException", 400),
        invalid=("InvalidParameterValueException", 400),
        bad_token=("InvalidParameterValueException", 400),
    ),
    handlers={
        "DescribeExportTasks": describe_export_tasks,
        "StartExportTask": start_export_task,
    },
    mutating=frozenset({"StartExportTask"}),
    completed="SUCCEEDED",
    output_kinds=("export-task",),
    populate=world.populate,
    home_only=True,
    output_uri=world.output_uri,
    download=Download(world.KIND, world.SUFFIX, "application/zip", world.archive),
    bulk=Bulk("discovery_tasks", world.populate_bulk, first=True),
    course=done_after(DISCOVERY_OK),
    fails="an agent id the sandbox does not know",
)
