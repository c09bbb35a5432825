"""Operation handlers: scenario jobs in, model-shaped plain dicts out."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from exportctl.sandbox import creates, dynamodbapi, ec2api, identity, logsapi
from exportctl.sandbox import rdsapi as rds_api
from exportctl.sandbox.context import Context
from exportctl.sandbox.errors import ApiError
from exportctl.sandbox.jobs import Job

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]


# -- Backup Search -----------------------------------------------------------------


def _bs_job(ctx: Context, ident: str, kind: str, what: str) -> Job:
    job = ctx.scenario.find("backupsearch", ident, kind)
    if job is None or job.region != ctx.region:
        raise ctx.errors.missing(f"{what} {ident} does not exist.")
    return job


def get_search_result_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    job = _bs_job(ctx, params["ExportJobIdentifier"], "export", "Export job")
    return ctx.pick("GetSearchResultExportJobOutput", ctx.view(job, "Status"))


def list_search_result_export_jobs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    status = params.get("Status")
    allowed = ctx.model.shape_for("ExportJobStatus").enum
    if status is not None and status not in allowed:
        raise ctx.errors.invalid_input(
            f"1 validation error detected: Value '{status}' at 'status' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]"
        )
    jobs = ctx.listed(ctx.scenario.listing("backupsearch", "export", ctx.region))
    search_ref = params.get("SearchJobIdentifier")
    if search_ref:
        search = _bs_job(ctx, search_ref, "search-job", "Search job")
        jobs = [j for j in jobs if j.attrs["SearchJobArn"] == search.attrs["SearchJobArn"]]
    views = [ctx.view(j, "Status") for j in jobs]
    if status is not None:
        views = [v for v in views if v["Status"] == status]
    scope = f"bs-exports/{ctx.region}/{status}/{search_ref}"
    chunk, token = ctx.page(views, params.get("NextToken"), params.get("MaxResults"), scope)
    return {"ExportJobs": [ctx.pick("ExportJobSummary", v) for v in chunk], "NextToken": token}


def get_search_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    job = _bs_job(ctx, params["SearchJobIdentifier"], "search-job", "Search job")
    return ctx.pick("GetSearchJobOutput", ctx.view(job, "Status"))


def list_search_job_backups(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    job = _bs_job(ctx, params["SearchJobIdentifier"], "search-job", "Search job")
    rows = ctx.render(job.attrs["_backups"])
    status, fields = job.state(ctx.elapsed)
    if status in ("RUNNING", "STOPPING"):
        # A search in progress has not reached every backup yet: those are RUNNING.
        scanned = fields.get("CurrentSearchProgress", {}).get("RecoveryPointsScannedCount", 0)
        for row in rows[scanned:]:
            row["Status"] = "RUNNING"
            row.pop("StatusMessage", None)
    scope = f"bs-backups/{job.id}"
    chunk, token = ctx.page(rows, params.get("NextToken"), params.get("MaxResults"), scope)
    return {"Results": chunk, "NextToken": token}


# -- Pinpoint ------------------------------------------------------------------------


def _page_size(ctx: Context, params: dict[str, Any]) -> int | None:
    raw = params.get("PageSize")
    if raw is None:
        return None
    try:
        size = int(raw)
    except ValueError:
        raise ctx.errors.invalid_input(f"Invalid page-size: {raw}") from None
    if size < 1:
        raise ctx.errors.invalid_input(f"Invalid page-size: {raw}")
    return size


def _app(ctx: Context, app_id: str) -> Job:
    app = ctx.scenario.find("pinpoint", app_id, "application")
    if app is None or app.region != ctx.region:
        raise ctx.errors.missing("Resource not found")
    return app


def get_apps(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    apps = ctx.scenario.listing("pinpoint", "application", ctx.region)
    apps.sort(key=lambda a: (a.created, a.id))
    items = [ctx.render(a.attrs, iso=True) for a in apps]
    chunk, token = ctx.page(
        items, params.get("Token"), _page_size(ctx, params), f"apps/{ctx.region}"
    )
    return {"ApplicationsResponse": {"Item": chunk, "NextToken": token}}


def get_export_jobs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    app = _app(ctx, params["ApplicationId"])
    jobs = ctx.listed(ctx.scenario.listing("pinpoint", "export", ctx.region, parent=app.id))
    items = [ctx.view(j, "JobStatus", iso=True) for j in jobs]
    chunk, token = ctx.page(items, params.get("Token"), _page_size(ctx, params), f"jobs/{app.id}")
    return {"ExportJobsResponse": {"Item": chunk, "NextToken": token}}


def get_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    app = _app(ctx, params["ApplicationId"])
    job = ctx.scenario.find("pinpoint", params["JobId"], "export")
    if job is None or job.parent != app.id:
        raise ctx.errors.missing("Resource not found")
    return {"ExportJobResponse": ctx.view(job, "JobStatus", iso=True)}


# -- Personalize ---------------------------------------------------------------------


def describe_dataset_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    arn = params.get("datasetExportJobArn", "")
    job = ctx.scenario.find("personalize", arn, "dataset-export-job")
    if job is None or job.region != ctx.region or job.id != arn:
        raise ctx.errors.missing(f"Could not find resource with ARN {arn}")
    return {"datasetExportJob": ctx.pick("DatasetExportJob", ctx.view(job, "status"))}


def list_dataset_export_jobs(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    size = params.get("maxResults")
    if size is not None and not 1 <= int(size) <= 100:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 100",
            400,
        )
    dataset = params.get("datasetArn")
    jobs = ctx.listed(
        ctx.scenario.listing("personalize", "dataset-export-job", ctx.region, parent=dataset)
    )
    views = [ctx.pick("DatasetExportJobSummary", ctx.view(j, "status")) for j in jobs]
    scope = f"personalize/{ctx.region}/{dataset}"
    chunk, token = ctx.page(views, params.get("nextToken"), size, scope)
    return {"datasetExportJobs": chunk, "nextToken": token}


# -- Application Discovery -------------------------------------------------------------

MAX_EXPORT_IDS = 100


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if not ctx.scenario.home_region or ctx.region != ctx.scenario.home_region:
        raise ApiError(
            "HomeRegionNotSetException",
            "The home region is not set. Set a home region to continue.",
            400,
        )
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


HANDLERS: dict[tuple[str, str], Handler] = {
    ("backupsearch", "GetSearchResultExportJob"): get_search_result_export_job,
    ("backupsearch", "ListSearchResultExportJobs"): list_search_result_export_jobs,
    ("backupsearch", "GetSearchJob"): get_search_job,
    ("backupsearch", "ListSearchJobBackups"): list_search_job_backups,
    ("pinpoint", "GetApps"): get_apps,
    ("pinpoint", "GetExportJobs"): get_export_jobs,
    ("pinpoint", "GetExportJob"): get_export_job,
    ("personalize", "DescribeDatasetExportJob"): describe_dataset_export_job,
    ("personalize", "ListDatasetExportJobs"): list_dataset_export_jobs,
    ("discovery", "DescribeExportTasks"): describe_export_tasks,
    ("personalize", "CreateDatasetExportJob"): creates.create_dataset_export_job,
    ("backupsearch", "StartSearchResultExportJob"): creates.start_search_result_export_job,
    ("pinpoint", "CreateExportJob"): creates.create_export_job,
    ("discovery", "StartExportTask"): creates.start_export_task,
    **ec2api.HANDLERS,
    **rds_api.HANDLERS,
    **dynamodbapi.HANDLERS,
    **logsapi.HANDLERS,
}


@functools.cache
def emulated_operations() -> dict[str, frozenset[str]]:
    """The operations the sandbox answers, by service: those above and the identity
    calls (the models it routes on are pruned to these)."""
    by_service: dict[str, set[str]] = {}
    for service, operation in (*HANDLERS, *identity.OPERATIONS):
        by_service.setdefault(service, set()).add(operation)
    return {service: frozenset(names) for service, names in by_service.items()}
