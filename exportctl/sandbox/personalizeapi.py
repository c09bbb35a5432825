"""Amazon Personalize's operations: dataset export jobs, over world/personalize.py."""

from __future__ import annotations

from typing import Any

from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import check, denied, done_after, phases
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import At, Job
from exportctl.sandbox.service import ServiceWorld
from exportctl.sandbox.world import personalize as world

PERSONALIZE_OK = ((0.0, "CREATE PENDING"), (10.0, "CREATE IN_PROGRESS"), (60.0, "ACTIVE"))
PERSONALIZE_FAIL = ((0.0, "CREATE PENDING"), (10.0, "CREATE IN_PROGRESS"), (30.0, "CREATE FAILED"))


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


def create_dataset_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "CreateDatasetExportJob", params)
    name, dataset = params["jobName"], params["datasetArn"]
    known = {
        j.parent for j in ctx.scenario.listing("personalize", "dataset-export-job", ctx.region)
    }
    if dataset not in known:
        raise ctx.errors.missing(f"Could not find resource with ARN {dataset}")
    arn = f"arn:aws:personalize:{ctx.region}:{ctx.scenario.account}:dataset-export-job/{name}"
    if ctx.scenario.find_any("personalize", arn) is not None:
        raise ApiError(
            "ResourceAlreadyExistsException", f"Dataset export job {arn} already exists.", 400
        )
    output = params["jobOutput"]["s3DataDestination"]
    fails = denied(output["path"])
    reason = (
        "Insufficient privileges for accessing data in S3. Make sure the role "
        f"{params['roleArn']} has s3:PutObject on {output['path']}."
    )

    def fields(status: str, at: float) -> dict[str, Any]:
        extra: dict[str, Any] = {"lastUpdatedDateTime": At(at)}
        if status == "CREATE FAILED":
            extra["failureReason"] = reason
        return extra

    now = ctx.elapsed
    ctx.scenario.add(
        Job(
            "personalize",
            "dataset-export-job",
            ctx.region,
            arn,
            now,
            phases(ctx, PERSONALIZE_FAIL if fails else PERSONALIZE_OK, fields),
            {
                "jobName": name,
                "datasetExportJobArn": arn,
                "datasetArn": dataset,
                # The service's default, as its model says.
                "ingestionMode": params.get("ingestionMode", "PUT"),
                "roleArn": params["roleArn"],
                "jobOutput": {"s3DataDestination": dict(output)},
                "creationDateTime": At(now),
            },
            parent=dataset,
        )
    )
    return {"datasetExportJobArn": arn}


WORLD = ServiceWorld(
    name="personalize",
    errors=ServiceErrors(
        throttling=("ThrottlingException", 400),
        # Personalize models no server-side error; the generic AWS code is what it sends.
        internal=("InternalFailure", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("InvalidInputException", 400),
        bad_token=("InvalidNextTokenException", 400),
    ),
    handlers={
        "DescribeDatasetExportJob": describe_dataset_export_job,
        "ListDatasetExportJobs": list_dataset_export_jobs,
        "CreateDatasetExportJob": create_dataset_export_job,
    },
    mutating=frozenset({"CreateDatasetExportJob"}),
    completed="ACTIVE",
    output_kinds=("dataset-export-job",),
    populate=world.populate,
    output_uri=world.output_uri,
    objects=world.objects,
    course=done_after(PERSONALIZE_OK),
)
