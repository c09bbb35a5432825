"""Backup Search: search jobs with their backups, and search result export jobs."""

from __future__ import annotations

import json
from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, OutputLocation, Phase, hex_rows
from exportctl.sandbox.registry import Registry


def populate(sc: Registry, region: str) -> None:
    bucket = f"exportctl-sandbox-backup-search-{region}"
    primary = region == sc.primary
    search_jobs = []
    specs: list[tuple[str, str, float, float | None]] = [
        ("invoices-2026-q3", "COMPLETED", -2 * DAY, None)
    ]
    if primary:
        specs += [
            ("customer-contracts", "COMPLETED", -6 * HOUR, None),
            ("ebs-app-logs", "RUNNING", -4 * MINUTE, 45.0),
        ]
    for name, status, created, finishes in specs:
        search_jobs.append(_search_job(sc, region, name, status, created, finishes))

    def export(created: float, phases: list[Phase], search: Job, prefix: str) -> Job:
        ident = sc.uuid()
        arn = f"arn:aws:backup-search:{region}:{sc.account}:search-export-job/{ident}"
        return sc.add(
            Job(
                "backupsearch",
                "export",
                region,
                ident,
                created,
                phases,
                {
                    "ExportJobIdentifier": ident,
                    "ExportJobArn": arn,
                    "CreationTime": At(created),
                    "SearchJobArn": search.attrs["SearchJobArn"],
                    "ExportSpecification": {
                        "s3ExportSpecification": {
                            "DestinationBucket": bucket,
                            "DestinationPrefix": f"{prefix}/{ident}/",
                        }
                    },
                },
                aliases=(arn,),
            )
        )

    denied = (
        f"Access Denied when writing results to s3://{bucket}/restricted/. Verify that the "
        "bucket policy allows s3:PutObject for the AWS Backup service role."
    )
    first = search_jobs[0]
    export(
        -2 * DAY + 20 * MINUTE,
        _done("COMPLETED", -2 * DAY + 20 * MINUTE, 9 * MINUTE),
        first,
        "invoices",
    )
    export(-1 * DAY, _done("COMPLETED", -1 * DAY, 14 * MINUTE), first, "invoices-rerun")
    export(
        -20 * HOUR,
        _failed("FAILED", -20 * HOUR, 3 * MINUTE, "StatusMessage", denied),
        first,
        "restricted",
    )
    if not primary:
        export(-3 * MINUTE, _later("RUNNING", -3 * MINUTE, []), first, "invoices-eu")
        return
    contracts = search_jobs[1]
    export(-5 * HOUR, _done("COMPLETED", -5 * HOUR, 6 * MINUTE), contracts, "contracts")
    export(-3 * HOUR, _done("COMPLETED", -3 * HOUR, 31 * MINUTE), contracts, "contracts-full")
    export(
        -2 * MINUTE,
        _later("RUNNING", -2 * MINUTE, [Phase(30.0, "COMPLETED", {"CompletionTime": At(30.0)})]),
        contracts,
        "contracts-delta",
    )
    export(
        -90.0,
        _later(
            "RUNNING",
            -90.0,
            [
                Phase(
                    50.0,
                    "FAILED",
                    {
                        "CompletionTime": At(50.0),
                        "StatusMessage": "Export stopped: the KMS key used to encrypt the "
                        "destination bucket is pending deletion.",
                    },
                )
            ],
        ),
        contracts,
        "contracts-kms",
    )
    export(-60.0, _later("RUNNING", -60.0, []), search_jobs[2], "ebs-logs")


def _search_job(
    sc: Registry, region: str, name: str, status: str, created: float, finishes: float | None
) -> Job:
    ident = sc.uuid()
    arn = f"arn:aws:backup-search:{region}:{sc.account}:search-job/{ident}"
    ebs = name.startswith("ebs")
    kind = "EBS" if ebs else "S3"
    backups = _backups(sc, region, 12 if not ebs else 4, kind, created)
    total = len(backups)
    skipped = sum(1 for b in backups if b["Status"] in ("FAILED", "STOPPED"))
    # GetSearchJob's message for a search that completed with issues.
    issues = (
        {
            "StatusMessage": f"Search completed with issues: {skipped} of {total} recovery "
            "points could not be scanned. See the status of each backup for the reason."
        }
        if skipped
        else {}
    )
    attrs: dict[str, Any] = {
        "Name": name,
        "SearchJobIdentifier": ident,
        "SearchJobArn": arn,
        "CreationTime": At(created),
        "EncryptionKeyArn": f"arn:aws:kms:{region}:{sc.account}:key/{sc.uuid()}",
        "SearchScope": {
            "BackupResourceTypes": [kind],
            "BackupResourceCreationTime": {
                "CreatedAfter": At(created - 90 * DAY),
                "CreatedBefore": At(created),
            },
        },
        "ItemFilters": (
            {
                "EBSItemFilters": [
                    {"FilePaths": [{"Value": "/var/log/app/", "Operator": "BEGINS_WITH"}]}
                ]
            }
            if ebs
            else {
                "S3ItemFilters": [
                    {
                        "ObjectKeys": [
                            {"Value": f"{name.split('-')[0]}/", "Operator": "BEGINS_WITH"}
                        ],
                        "Sizes": [{"Value": 1024, "Operator": "GREATER_THAN_EQUAL_TO"}],
                    }
                ]
            }
        ),
        "SearchScopeSummary": {
            "TotalRecoveryPointsToScanCount": total,
            "TotalItemsToScanCount": 180_000 * total,
        },
        "_backups": backups,
    }
    if finishes is None:
        phases = [
            Phase(
                created,
                status,
                {
                    **(issues if status == "COMPLETED" else {}),
                    "CompletionTime": At(created + 7 * MINUTE),
                    "CurrentSearchProgress": {
                        "RecoveryPointsScannedCount": total,
                        "ItemsScannedCount": 180_000 * total,
                        "ItemsMatchedCount": 4_213 * total,
                    },
                },
            )
        ]
    else:
        phases = [
            Phase(
                created,
                "RUNNING",
                {
                    "CurrentSearchProgress": {
                        "RecoveryPointsScannedCount": 1,
                        "ItemsScannedCount": 150_000,
                        "ItemsMatchedCount": 12,
                    }
                },
            ),
            Phase(
                finishes / 2,
                "RUNNING",
                {
                    "CurrentSearchProgress": {
                        "RecoveryPointsScannedCount": total // 2,
                        "ItemsScannedCount": 90_000 * total,
                        "ItemsMatchedCount": 40,
                    }
                },
            ),
            Phase(
                finishes,
                "COMPLETED",
                {
                    **issues,
                    "CompletionTime": At(finishes),
                    "CurrentSearchProgress": {
                        "RecoveryPointsScannedCount": total,
                        "ItemsScannedCount": 180_000 * total,
                        "ItemsMatchedCount": 87,
                    },
                },
            ),
        ]
    return sc.add(
        Job("backupsearch", "search-job", region, ident, created, phases, attrs, aliases=(arn,))
    )


def _backups(
    sc: Registry, region: str, count: int, kind: str, created: float
) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        if kind == "S3":
            source = f"arn:aws:s3:::exportctl-sandbox-records-{i % 3}"
            backup = f"arn:aws:backup:{region}:{sc.account}:recovery-point:{sc.uuid()}"
        else:
            source = f"arn:aws:ec2:{region}:{sc.account}:volume/vol-0{sc.hex(16)}"
            backup = f"arn:aws:ec2:{region}::snapshot/snap-0{sc.hex(16)}"
        row: dict[str, Any] = {
            "Status": "COMPLETED",
            "ResourceType": kind,
            "BackupResourceArn": backup,
            "SourceResourceArn": source,
            "BackupCreationTime": At(created - (i + 1) * DAY),
            "IndexCreationTime": At(created - (i + 1) * DAY + 40 * MINUTE),
        }
        if i == 2:
            row["Status"] = "FAILED"
            row["StatusMessage"] = (
                "Backup index could not be read: the recovery point is encrypted with a KMS "
                "key that the search role cannot use (kms:Decrypt denied)."
            )
            row.pop("IndexCreationTime")
        if i == 5:
            row["Status"] = "STOPPED"
            row["StatusMessage"] = (
                "Search of this backup was stopped because the recovery point expired."
            )
        rows.append(row)
    return rows


def _done(status: str, created: float, duration: float) -> list[Phase]:
    return [
        Phase(created, "RUNNING"),
        Phase(created + duration, status, {"CompletionTime": At(created + duration)}),
    ]


def _failed(status: str, created: float, duration: float, key: str, message: str) -> list[Phase]:
    return [
        Phase(created, "RUNNING"),
        Phase(created + duration, status, {"CompletionTime": At(created + duration), key: message}),
    ]


def _later(status: str, created: float, rest: list[Phase]) -> list[Phase]:
    return [Phase(created, status), *rest]


def output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    spec = job.attrs["ExportSpecification"]["s3ExportSpecification"]
    return f"s3://{spec['DestinationBucket']}/{spec.get('DestinationPrefix') or ''}"


def objects(location: OutputLocation, prefix: str) -> dict[str, bytes]:
    """``DestinationPrefix + ExportJobIdentifier + "/"`` holds the result CSV parts and
    a manifest, so that every key names its export job."""
    job = location.job_id
    base = f"{prefix}{job}/"
    parts = {
        f"{base}search-results-part-{n:05d}.csv": (
            "BackupResourceArn,SourceResourceArn,ItemPath,ItemSize,LastModified\n"
            + "".join(
                f"arn:aws:backup:{location.region}:123456789012:recovery-point:{row},"
                f"arn:aws:s3:::exportctl-sandbox-records-{n},records/{row}.json,"
                f"{1024 + i},2026-10-0{1 + i % 9}T00:00:00Z\n"
                for i, row in enumerate(hex_rows(f"{job}{n}", 5, 16))
            )
        ).encode()
        for n in range(2)
    }
    manifest = {"exportJobIdentifier": job, "files": sorted(parts)}
    return {**parts, f"{base}manifest.json": json.dumps(manifest, indent=2).encode()}
