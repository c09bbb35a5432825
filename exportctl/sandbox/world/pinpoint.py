"""Pinpoint: applications and their endpoint export jobs, in every JobStatus."""

from __future__ import annotations

import gzip
import json
from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, OutputLocation, Phase, hex_rows
from exportctl.sandbox.registry import Registry


def pieces(done: int, total: int, failed: int = 0) -> dict[str, Any]:
    """A Pinpoint job's counts of pieces and of endpoints (2,500 a piece)."""
    return {
        "CompletedPieces": done,
        "TotalPieces": total,
        "FailedPieces": failed,
        "TotalProcessed": done * 2500,
        "TotalFailures": failed * 2500,
    }


def populate(sc: Registry, region: str) -> None:
    names = (
        ["exportctl-demo", "mobile-shop", "loyalty-push", "newsletter", "ops-alerts"]
        if region == sc.primary
        else ["exportctl-demo-eu", "mobile-shop-eu"]
    )
    apps = []
    for i, name in enumerate(names):
        ident = sc.hex(32)
        created = -(40 - i * 5) * DAY
        arn = f"arn:aws:mobiletargeting:{region}:{sc.account}:apps/{ident}"
        apps.append(
            sc.add(
                Job(
                    "pinpoint",
                    "application",
                    region,
                    ident,
                    created,
                    [Phase(created, "ACTIVE")],
                    {
                        "Id": ident,
                        "Arn": arn,
                        "Name": name,
                        "CreationDate": At(created),
                        "tags": {"project": "exportctl", "env": "sandbox"},
                    },
                )
            )
        )
    main = apps[0]
    bucket = f"s3://exportctl-sandbox-pinpoint-{region}"

    def job(app: Job, created: float, phases: list[Phase], segment: str | None = None) -> Job:
        ident = sc.hex(32)
        definition: dict[str, Any] = {
            "RoleArn": f"arn:aws:iam::{sc.account}:role/exportctl-pinpoint-export",
            "S3UrlPrefix": f"{bucket}/endpoints/{app.id}/{ident}/",
        }
        if segment:
            definition["SegmentId"] = segment
            definition["SegmentVersion"] = 3
        return sc.add(
            Job(
                "pinpoint",
                "export",
                region,
                ident,
                created,
                phases,
                {
                    "Id": ident,
                    "ApplicationId": app.id,
                    "Type": "EXPORT",
                    "CreationDate": At(created),
                    "Definition": definition,
                },
                parent=app.id,
            )
        )

    segment = sc.hex(32)
    if region != sc.primary:
        job(
            main,
            -3 * DAY,
            [
                Phase(
                    -3 * DAY,
                    "COMPLETED",
                    {**pieces(6, 6), "CompletionDate": At(-3 * DAY + 8 * MINUTE)},
                )
            ],
        )
        job(main, -5 * MINUTE, [Phase(-5 * MINUTE, "PROCESSING", pieces(1, 6))])
        job(
            apps[1],
            -1 * DAY,
            [
                Phase(
                    -1 * DAY,
                    "COMPLETED",
                    {**pieces(2, 2), "CompletionDate": At(-1 * DAY + 90.0)},
                )
            ],
        )
        return
    failures = [
        f"Unable to write to {bucket}/endpoints/: Access Denied "
        "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)",
    ]
    job(
        main,
        -6 * DAY,
        [
            Phase(
                -6 * DAY,
                "COMPLETED",
                {**pieces(8, 8), "CompletionDate": At(-6 * DAY + 11 * MINUTE)},
            )
        ],
    )
    job(
        main,
        -2 * DAY,
        [
            Phase(
                -2 * DAY,
                "COMPLETED",
                {**pieces(4, 4), "CompletionDate": At(-2 * DAY + 4 * MINUTE)},
            )
        ],
        segment,
    )
    job(
        main,
        -1 * DAY,
        [
            Phase(
                -1 * DAY,
                "FAILED",
                {
                    **pieces(3, 8, 5),
                    "Failures": failures,
                    "CompletionDate": At(-1 * DAY + 6 * MINUTE),
                },
            )
        ],
    )
    job(
        main,
        -10 * MINUTE,
        [
            Phase(-10 * MINUTE, "FAILING", {**pieces(2, 6, 1), "Failures": failures}),
            Phase(35.0, "FAILED", {**pieces(2, 6, 4), "CompletionDate": At(35.0)}),
        ],
    )
    job(
        main,
        -8 * MINUTE,
        [
            Phase(-8 * MINUTE, "PROCESSING", pieces(3, 12)),
            Phase(10.0, "PROCESSING", pieces(6, 12)),
            Phase(20.0, "PROCESSING", pieces(9, 12)),
            Phase(30.0, "COMPLETING", pieces(12, 12)),
            Phase(40.0, "COMPLETED", {"CompletionDate": At(40.0)}),
        ],
        segment,
    )
    job(
        main,
        -7 * MINUTE,
        [
            Phase(-7 * MINUTE, "COMPLETING", pieces(10, 10)),
            Phase(15 * MINUTE, "COMPLETED", {"CompletionDate": At(15 * MINUTE)}),
        ],
    )
    job(main, -6 * MINUTE, [Phase(-6 * MINUTE, "PENDING_JOB", pieces(0, 5))])
    job(main, -4 * MINUTE, [Phase(-4 * MINUTE, "INITIALIZING", pieces(0, 0))])
    job(main, -3 * MINUTE, [Phase(-3 * MINUTE, "PREPARING_FOR_INITIALIZATION", pieces(0, 0))])
    job(
        main,
        -30.0,
        [
            Phase(-30.0, "CREATED", pieces(0, 0)),
            Phase(5.0, "PREPARING_FOR_INITIALIZATION"),
            Phase(10.0, "INITIALIZING"),
            Phase(20.0, "PROCESSING", pieces(0, 4)),
            Phase(40.0, "PROCESSING", pieces(2, 4)),
            Phase(50.0, "COMPLETING", pieces(4, 4)),
            Phase(60.0, "COMPLETED", {"CompletionDate": At(60.0)}),
        ],
    )
    job(
        apps[1],
        -12 * DAY,
        [
            Phase(
                -12 * DAY,
                "COMPLETED",
                {**pieces(16, 16), "CompletionDate": At(-12 * DAY + 25 * MINUTE)},
            )
        ],
    )
    job(
        apps[1],
        -4 * HOUR,
        [Phase(-4 * HOUR, "COMPLETED", {**pieces(1, 1), "CompletionDate": At(-4 * HOUR + 50.0)})],
    )


def output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    return str(job.attrs["Definition"]["S3UrlPrefix"])


def objects(location: OutputLocation, prefix: str) -> dict[str, bytes]:
    """Gzipped JSON-lines endpoint files in the folder ``S3UrlPrefix``."""
    if prefix and not prefix.endswith("/"):
        # The destination is a folder, as the API says and `download` reads it: one
        # given without its last '/' is that folder.
        prefix += "/"
    return {
        f"{prefix}{row[:12]}.gz": gzip.compress(
            "".join(
                json.dumps({"Id": f"{row}-{i}", "ChannelType": "EMAIL"}) + "\n" for i in range(20)
            ).encode(),
            mtime=0,
        )
        for row in hex_rows(location.job_id, 3, 32)
    }
