"""AWS Backup Search's operations: search result exports, over world/backupsearch.py."""

from __future__ import annotations

import json
from typing import Any

from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import check, denied, done_after, phases
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import At, Job
from exportctl.sandbox.service import ServiceWorld
from exportctl.sandbox.world import backupsearch as world

BACKUPSEARCH_OK = ((0.0, "RUNNING"), (45.0, "COMPLETED"))
BACKUPSEARCH_FAIL = ((0.0, "RUNNING"), (20.0, "FAILED"))


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


def start_search_result_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "StartSearchResultExportJob", params)
    s3 = (params["ExportSpecification"] or {}).get("s3ExportSpecification")
    if not s3:
        raise ctx.errors.invalid_input("ExportSpecification must have s3ExportSpecification.")
    token = params.get("ClientToken")
    request = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True)
    if token:
        for job in ctx.scenario.listing("backupsearch", "export", ctx.region):
            if job.attrs.get("_client_token") != token:
                continue
            if job.attrs.get("_request") != request:
                raise ApiError(
                    "ConflictException",
                    "The client token was already used for a different request.",
                    409,
                )
            return {"ExportJobArn": job.attrs["ExportJobArn"], "ExportJobIdentifier": job.id}
    search = ctx.scenario.find("backupsearch", params["SearchJobIdentifier"], "search-job")
    if search is None or search.region != ctx.region:
        raise ctx.errors.missing(f"Search job {params['SearchJobIdentifier']} does not exist.")
    ident = ctx.scenario.uuid()
    arn = f"arn:aws:backup-search:{ctx.region}:{ctx.scenario.account}:search-export-job/{ident}"
    where = f"s3://{s3['DestinationBucket']}/{s3.get('DestinationPrefix') or ''}"
    fails = denied(where)

    def fields(status: str, at: float) -> dict[str, Any]:
        if status == "FAILED":
            return {
                "CompletionTime": At(at),
                "StatusMessage": f"Access Denied when writing results to {where}. Verify that "
                "the bucket policy allows s3:PutObject for the AWS Backup service role.",
            }
        return {"CompletionTime": At(at)} if status == "COMPLETED" else {}

    now = ctx.elapsed
    ctx.scenario.add(
        Job(
            "backupsearch",
            "export",
            ctx.region,
            ident,
            now,
            phases(ctx, BACKUPSEARCH_FAIL if fails else BACKUPSEARCH_OK, fields),
            {
                "ExportJobIdentifier": ident,
                "ExportJobArn": arn,
                "CreationTime": At(now),
                "SearchJobArn": search.attrs["SearchJobArn"],
                "ExportSpecification": {"s3ExportSpecification": dict(s3)},
                "_client_token": token,
                "_request": request,
            },
            aliases=(arn,),
        )
    )
    return {"ExportJobArn": arn, "ExportJobIdentifier": ident}


WORLD = ServiceWorld(
    name="backupsearch",
    errors=ServiceErrors(
        throttling=("ThrottlingException", 429),
        internal=("InternalServerException", 500),
        denied=("AccessDeniedException", 403),
        not_found=("ResourceNotFoundException", 404),
        invalid=("ValidationException", 400),
        bad_token=("ValidationException", 400),
    ),
    handlers={
        "GetSearchResultExportJob": get_search_result_export_job,
        "ListSearchResultExportJobs": list_search_result_export_jobs,
        "GetSearchJob": get_search_job,
        "ListSearchJobBackups": list_search_job_backups,
        "StartSearchResultExportJob": start_search_result_export_job,
    },
    mutating=frozenset({"StartSearchResultExportJob"}),
    completed="COMPLETED",
    output_kinds=("export",),
    populate=world.populate,
    output_uri=world.output_uri,
    objects=world.objects,
    course=done_after(BACKUPSEARCH_OK),
)
