"""Personalize: dataset export jobs of one dataset group per region."""

from __future__ import annotations

from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, OutputLocation, Phase, hex_rows
from exportctl.sandbox.registry import Registry


def populate(sc: Registry, region: str) -> None:
    group = "exportctl-retail" if region == sc.primary else "exportctl-retail-eu"
    datasets = {
        kind: f"arn:aws:personalize:{region}:{sc.account}:dataset/{group}/{kind}"
        for kind in ("INTERACTIONS", "ITEMS", "USERS")
    }
    bucket = f"s3://exportctl-sandbox-personalize-{region}"
    s3_denied = (
        "Insufficient privileges for accessing data in S3. Please look at "
        "https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html "
        f"and make sure the role arn:aws:iam::{sc.account}:role/PersonalizeS3Role has "
        "s3:PutObject "
        f"on {bucket}/exports/denied/."
    )

    def job(
        name: str, dataset: str, created: float, phases: list[Phase], mode: str = "BULK"
    ) -> None:
        arn = f"arn:aws:personalize:{region}:{sc.account}:dataset-export-job/{name}"
        output: dict[str, Any] = {"path": f"{bucket}/exports/{name}/"}
        if mode == "ALL":
            output["kmsKeyArn"] = f"arn:aws:kms:{region}:{sc.account}:key/{sc.uuid()}"
        sc.add(
            Job(
                "personalize",
                "dataset-export-job",
                region,
                arn,
                created,
                phases,
                {
                    "jobName": name,
                    "datasetExportJobArn": arn,
                    "datasetArn": datasets[dataset],
                    "ingestionMode": mode,
                    "roleArn": f"arn:aws:iam::{sc.account}:role/PersonalizeS3Role",
                    "jobOutput": {"s3DataDestination": output},
                    "creationDateTime": At(created),
                },
                parent=datasets[dataset],
                aliases=(name,),
            )
        )

    def steps(created: float, *changes: tuple[float, str, str | None]) -> list[Phase]:
        phases = [Phase(created, "CREATE PENDING", {"lastUpdatedDateTime": At(created)})]
        for at, status, reason in changes:
            fields: dict[str, Any] = {"lastUpdatedDateTime": At(at)}
            if reason:
                fields["failureReason"] = reason
            phases.append(Phase(at, status, fields))
        return phases

    suffix = "" if region == sc.primary else "-eu"
    job(
        f"interactions-weekly-2026-45{suffix}",
        "INTERACTIONS",
        -9 * DAY,
        steps(
            -9 * DAY,
            (-9 * DAY + 60, "CREATE IN_PROGRESS", None),
            (-9 * DAY + 22 * MINUTE, "ACTIVE", None),
        ),
    )
    job(
        f"items-catalog{suffix}",
        "ITEMS",
        -2 * DAY,
        steps(
            -2 * DAY,
            (-2 * DAY + 45, "CREATE IN_PROGRESS", None),
            (-2 * DAY + 7 * MINUTE, "ACTIVE", None),
        ),
        "ALL",
    )
    job(
        f"users-denied{suffix}",
        "USERS",
        -26 * HOUR,
        steps(
            -26 * HOUR,
            (-26 * HOUR + 50, "CREATE IN_PROGRESS", None),
            (-26 * HOUR + 4 * MINUTE, "CREATE FAILED", s3_denied),
        ),
    )
    if region != sc.primary:
        return
    job(
        "interactions-weekly-2026-46",
        "INTERACTIONS",
        -2 * DAY - 3 * HOUR,
        steps(
            -2 * DAY - 3 * HOUR,
            (-2 * DAY - 3 * HOUR + 70, "CREATE IN_PROGRESS", None),
            (-2 * DAY - 2 * HOUR, "ACTIVE", None),
        ),
        "PUT",
    )
    job(
        "interactions-incremental",
        "INTERACTIONS",
        -3 * MINUTE,
        steps(-3 * MINUTE, (-2 * MINUTE, "CREATE IN_PROGRESS", None), (30.0, "ACTIVE", None)),
        "PUT",
    )
    job(
        "items-refresh",
        "ITEMS",
        -20.0,
        steps(-20.0, (20.0, "CREATE IN_PROGRESS", None), (60.0, "ACTIVE", None)),
    )
    job("users-nightly", "USERS", -5.0, steps(-5.0, (15 * MINUTE, "CREATE IN_PROGRESS", None)))
    job(
        "interactions-full",
        "INTERACTIONS",
        -6 * DAY,
        steps(
            -6 * DAY,
            (-6 * DAY + 80, "CREATE IN_PROGRESS", None),
            (-6 * DAY + 50 * MINUTE, "ACTIVE", None),
        ),
        "ALL",
    )


def output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    return str(job.attrs["jobOutput"]["s3DataDestination"]["path"])


def objects(location: OutputLocation, prefix: str) -> dict[str, bytes]:
    """CSV parts in the folder ``jobOutput.s3DataDestination.path``."""
    if prefix and not prefix.endswith("/"):
        # The destination is a folder, as the API says and `download` reads it: one
        # given without its last '/' is that folder.
        prefix += "/"
    name = location.job_id.rpartition("/")[2]
    return {
        f"{prefix}{name}_part_{n:05d}.csv": (
            "USER_ID,ITEM_ID,TIMESTAMP\n"
            + "".join(
                f"u{row[:6]},i{row[6:12]},{1767225600 + i}\n"
                for i, row in enumerate(hex_rows(f"{location.job_id}{n}", 25, 12))
            )
        ).encode()
        for n in range(3)
    }
