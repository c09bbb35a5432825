"""Amazon Pinpoint's operations: applications and their export jobs, over world/pinpoint.py."""

from __future__ import annotations

from typing import Any

from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import check, denied, done_after, phases
from exportctl.sandbox.errors import ServiceErrors
from exportctl.sandbox.jobs import At, Job
from exportctl.sandbox.service import ServiceWorld
from exportctl.sandbox.world import pinpoint as world

# Pinpoint reports its pieces: 8 of them, one every 6 s once processing.
PINPOINT_PIECES = 8
PINPOINT_OK = (
    (0.0, "CREATED"),
    (3.0, "PREPARING_FOR_INITIALIZATION"),
    (6.0, "INITIALIZING"),
    (9.0, "PENDING_JOB"),
    *((12.0 + 6.0 * n, "PROCESSING") for n in range(PINPOINT_PIECES)),
    (12.0 + 6.0 * PINPOINT_PIECES, "COMPLETING"),
    (17.0 + 6.0 * PINPOINT_PIECES, "COMPLETED"),
)
PINPOINT_FAIL = ((0.0, "CREATED"), (6.0, "INITIALIZING"), (12.0, "FAILING"), (20.0, "FAILED"))


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


def create_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "CreateExportJob", params)
    app = ctx.scenario.find("pinpoint", params["ApplicationId"], "application")
    if app is None or app.region != ctx.region:
        raise ctx.errors.missing("Resource not found")
    # Segments are not modelled: any SegmentId names one, at any version.
    request = params["ExportJobRequest"]
    ident = ctx.scenario.hex(32)
    fails = denied(request["S3UrlPrefix"])
    pieces = iter(range(PINPOINT_PIECES + 1))

    def fields(status: str, at: float) -> dict[str, Any]:
        if status in ("CREATED", "PENDING_JOB"):
            return world.pieces(0, PINPOINT_PIECES if status == "PENDING_JOB" else 0)
        if status == "PROCESSING":
            return world.pieces(next(pieces), PINPOINT_PIECES)
        if status == "COMPLETING":
            return world.pieces(PINPOINT_PIECES, PINPOINT_PIECES)
        if status == "COMPLETED":
            return {"CompletionDate": At(at)}
        if status == "FAILING":
            return {
                **world.pieces(0, PINPOINT_PIECES, 1),
                "Failures": [
                    f"Unable to write to {request['S3UrlPrefix']}: Access Denied "
                    "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"
                ],
            }
        if status == "FAILED":
            return {**world.pieces(0, PINPOINT_PIECES, PINPOINT_PIECES), "CompletionDate": At(at)}
        return {}

    now = ctx.elapsed
    definition = {
        k: request[k]
        for k in ("RoleArn", "S3UrlPrefix", "SegmentId", "SegmentVersion")
        if request.get(k) is not None
    }
    job = ctx.scenario.add(
        Job(
            "pinpoint",
            "export",
            ctx.region,
            ident,
            now,
            phases(ctx, PINPOINT_FAIL if fails else PINPOINT_OK, fields),
            {
                "Id": ident,
                "ApplicationId": app.id,
                "Type": "EXPORT",
                "CreationDate": At(now),
                "Definition": definition,
            },
            parent=app.id,
        )
    )
    return {"ExportJobResponse": ctx.view(job, "JobStatus", iso=True)}


WORLD = ServiceWorld(
    name="pinpoint",
    errors=ServiceErrors(
        throttling=("TooManyRequestsException", 429),
        internal=("InternalServerErrorException", 500),
        denied=("ForbiddenException", 403),
        not_found=("NotFoundException", 404),
        invalid=("BadRequestException", 400),
        bad_token=("BadRequestException", 400),
    ),
    handlers={
        "GetApps": get_apps,
        "GetExportJobs": get_export_jobs,
        "GetExportJob": get_export_job,
        "CreateExportJob": create_export_job,
    },
    mutating=frozenset({"CreateExportJob"}),
    completed="COMPLETED",
    output_kinds=("export",),
    populate=world.populate,
    output_uri=world.output_uri,
    objects=world.objects,
    course=f"through its pieces to {done_after(PINPOINT_OK)}",
)
