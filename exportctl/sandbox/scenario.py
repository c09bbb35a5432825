"""The seeded world the sandbox serves: jobs of four services in two regions.

Times are scenario seconds relative to server start (negative = before it).
A job is a list of phases; the phase in force is the last one whose start is
not after the clock, so some jobs finish while a session is running:

====================  ==========================================================
Backup Search         export ``RUNNING`` -> ``COMPLETED`` at +30 s, another
                      ``RUNNING`` -> ``FAILED`` at +50 s, search job
                      ``RUNNING`` -> ``COMPLETED`` at +45 s (us-east-1)
Pinpoint              ``PROCESSING`` 3/12 -> 12/12 ``COMPLETING`` +30 s ->
                      ``COMPLETED`` +40 s; ``CREATED`` -> ... -> ``COMPLETED`` +60 s;
                      ``FAILING`` -> ``FAILED`` +35 s (us-east-1, app exportctl-demo)
Personalize           ``CREATE PENDING`` -> ``CREATE IN_PROGRESS`` +20 s ->
                      ``ACTIVE`` +60 s; ``CREATE IN_PROGRESS`` -> ``ACTIVE`` +30 s
Discovery             ``IN_PROGRESS`` -> ``SUCCEEDED`` +25 s (us-east-1 only)
====================  ==========================================================
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
HOME_REGION = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1")

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class At:
    """A scenario instant, rendered as epoch seconds or ISO text by each service."""

    seconds: float


@dataclass(frozen=True)
class DownloadUrl:
    """Placeholder for a pre-signed URL that must name the running server."""

    export_id: str
    signature: str


@dataclass
class Phase:
    at: float
    status: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Job:
    service: str
    kind: str
    region: str
    id: str
    created: float
    phases: list[Phase]
    attrs: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    override: str | None = None
    deleted: bool = False

    def state(self, elapsed: float) -> tuple[str, dict[str, Any]]:
        """Status and the accumulated phase fields in force at ``elapsed``."""
        status = self.phases[0].status
        merged: dict[str, Any] = {}
        for phase in self.phases:
            if phase.at > elapsed and phase is not self.phases[0]:
                break
            status = phase.status
            merged.update(phase.fields)
        if self.override is not None:
            status = self.override
        return status, merged


@dataclass(frozen=True)
class OutputLocation:
    service: str
    region: str
    job_id: str
    uri: str


# What counts as "done with output" per service.
COMPLETED_STATUS = {
    "backupsearch": "COMPLETED",
    "pinpoint": "COMPLETED",
    "personalize": "ACTIVE",
    "discovery": "SUCCEEDED",
}


class Scenario:
    """All jobs, indexed for the lookups the handlers need."""

    def __init__(self, seed: int = 7, discovery_tasks: int | None = None) -> None:
        self._rng = random.Random(seed)
        self.jobs: list[Job] = []
        self._index: dict[tuple[str, str], Job] = {}
        for region in REGIONS:
            self._backup_search(region)
            self._pinpoint(region)
            self._personalize(region)
        self._discovery()
        if discovery_tasks:
            self._bulk_discovery(discovery_tasks)

    # -- lookups ---------------------------------------------------------------

    def add(self, job: Job) -> Job:
        self.jobs.append(job)
        for key in (job.id, *job.aliases):
            self._index[(job.service, key)] = job
        return job

    def find(self, service: str, ident: str, kind: str | None = None) -> Job | None:
        job = self._index.get((service, ident))
        if job is None or job.deleted or (kind is not None and job.kind != kind):
            return None
        return job

    def find_any(self, service: str, ident: str) -> Job | None:
        """Any job, deleted or not: the control API works on those too."""
        return self._index.get((service, ident))

    def listing(self, service: str, kind: str, region: str, parent: str | None = None) -> list[Job]:
        """Live jobs, newest first (the order the services list in)."""
        found = [
            j
            for j in self.jobs
            if j.service == service
            and j.kind == kind
            and j.region == region
            and not j.deleted
            and (parent is None or j.parent == parent)
        ]
        found.sort(key=lambda j: (-j.created, j.id))
        return found

    def output_locations(self, elapsed: float, base_url: str) -> list[OutputLocation]:
        out = []
        for job in self.jobs:
            if job.deleted or job.kind not in ("export", "dataset-export-job", "export-task"):
                continue
            status, fields = job.state(elapsed)
            if status != COMPLETED_STATUS[job.service]:
                continue
            out.append(
                OutputLocation(job.service, job.region, job.id, self._uri(job, fields, base_url))
            )
        return out

    @staticmethod
    def _uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
        if job.service == "backupsearch":
            spec = job.attrs["ExportSpecification"]["s3ExportSpecification"]
            return f"s3://{spec['DestinationBucket']}/{spec['DestinationPrefix']}"
        if job.service == "pinpoint":
            return str(job.attrs["Definition"]["S3UrlPrefix"])
        if job.service == "personalize":
            return str(job.attrs["jobOutput"]["s3DataDestination"]["path"])
        url = fields.get("configurationsDownloadUrl")
        return render_url(url, base_url) if isinstance(url, DownloadUrl) else ""

    # -- id makers -------------------------------------------------------------

    def _hex(self, n: int) -> str:
        return "".join(self._rng.choice("0123456789abcdef") for _ in range(n))

    def _uuid(self) -> str:
        h = self._hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    # -- Backup Search -----------------------------------------------------------

    def _backup_search(self, region: str) -> None:
        bucket = f"exportctl-sandbox-backup-search-{region}"
        primary = region == HOME_REGION
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
            search_jobs.append(self._search_job(region, name, status, created, finishes))

        def export(created: float, phases: list[Phase], search: Job, prefix: str) -> Job:
            ident = self._uuid()
            arn = f"arn:aws:backup-search:{region}:{ACCOUNT}:search-export-job/{ident}"
            return self.add(
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
            _later(
                "RUNNING", -2 * MINUTE, [Phase(30.0, "COMPLETED", {"CompletionTime": At(30.0)})]
            ),
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
        self, region: str, name: str, status: str, created: float, finishes: float | None
    ) -> Job:
        ident = self._uuid()
        arn = f"arn:aws:backup-search:{region}:{ACCOUNT}:search-job/{ident}"
        ebs = name.startswith("ebs")
        kind = "EBS" if ebs else "S3"
        backups = self._backups(region, 12 if not ebs else 4, kind, created)
        total = len(backups)
        attrs: dict[str, Any] = {
            "Name": name,
            "SearchJobIdentifier": ident,
            "SearchJobArn": arn,
            "CreationTime": At(created),
            "EncryptionKeyArn": f"arn:aws:kms:{region}:{ACCOUNT}:key/{self._uuid()}",
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
                        "CompletionTime": At(finishes),
                        "CurrentSearchProgress": {
                            "RecoveryPointsScannedCount": total,
                            "ItemsScannedCount": 180_000 * total,
                            "ItemsMatchedCount": 87,
                        },
                    },
                ),
            ]
        return self.add(
            Job("backupsearch", "search-job", region, ident, created, phases, attrs, aliases=(arn,))
        )

    def _backups(self, region: str, count: int, kind: str, created: float) -> list[dict[str, Any]]:
        rows = []
        for i in range(count):
            if kind == "S3":
                source = f"arn:aws:s3:::exportctl-sandbox-records-{i % 3}"
                backup = f"arn:aws:backup:{region}:{ACCOUNT}:recovery-point:{self._uuid()}"
            else:
                source = f"arn:aws:ec2:{region}:{ACCOUNT}:volume/vol-0{self._hex(16)}"
                backup = f"arn:aws:ec2:{region}::snapshot/snap-0{self._hex(16)}"
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

    # -- Pinpoint ------------------------------------------------------------------

    def _pinpoint(self, region: str) -> None:
        names = (
            ["exportctl-demo", "mobile-shop", "loyalty-push", "newsletter", "ops-alerts"]
            if region == HOME_REGION
            else ["exportctl-demo-eu", "mobile-shop-eu"]
        )
        apps = []
        for i, name in enumerate(names):
            ident = self._hex(32)
            created = -(40 - i * 5) * DAY
            arn = f"arn:aws:mobiletargeting:{region}:{ACCOUNT}:apps/{ident}"
            apps.append(
                self.add(
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
            ident = self._hex(32)
            definition: dict[str, Any] = {
                "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/exportctl-pinpoint-export",
                "S3UrlPrefix": f"{bucket}/endpoints/{app.id}/{ident}/",
            }
            if segment:
                definition["SegmentId"] = segment
                definition["SegmentVersion"] = 3
            return self.add(
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

        def pieces(done: int, total: int, failed: int = 0) -> dict[str, Any]:
            return {
                "CompletedPieces": done,
                "TotalPieces": total,
                "FailedPieces": failed,
                "TotalProcessed": done * 2500,
                "TotalFailures": failed * 2500,
            }

        segment = self._hex(32)
        if region != HOME_REGION:
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
            [
                Phase(
                    -4 * HOUR, "COMPLETED", {**pieces(1, 1), "CompletionDate": At(-4 * HOUR + 50.0)}
                )
            ],
        )

    # -- Personalize -------------------------------------------------------------

    def _personalize(self, region: str) -> None:
        group = "exportctl-retail" if region == HOME_REGION else "exportctl-retail-eu"
        datasets = {
            kind: f"arn:aws:personalize:{region}:{ACCOUNT}:dataset/{group}/{kind}"
            for kind in ("INTERACTIONS", "ITEMS", "USERS")
        }
        bucket = f"s3://exportctl-sandbox-personalize-{region}"
        s3_denied = (
            "Insufficient privileges for accessing data in S3. Please look at "
            "https://docs.aws.amazon.com/personalize/latest/dg/granting-personalize-s3-access.html "
            f"and make sure the role arn:aws:iam::{ACCOUNT}:role/PersonalizeS3Role has "
            "s3:PutObject "
            f"on {bucket}/exports/denied/."
        )

        def job(
            name: str, dataset: str, created: float, phases: list[Phase], mode: str = "BULK"
        ) -> None:
            arn = f"arn:aws:personalize:{region}:{ACCOUNT}:dataset-export-job/{name}"
            output: dict[str, Any] = {"path": f"{bucket}/exports/{name}/"}
            if mode == "ALL":
                output["kmsKeyArn"] = f"arn:aws:kms:{region}:{ACCOUNT}:key/{self._uuid()}"
            self.add(
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
                        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/PersonalizeS3Role",
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

        suffix = "" if region == HOME_REGION else "-eu"
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
        if region != HOME_REGION:
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

    # -- Application Discovery ------------------------------------------------------

    def _export_id(self) -> str:
        return f"export-{self._uuid()}"

    def _discovery_task(
        self,
        created: float,
        phases: list[Phase],
        agents: list[str],
        window: tuple[float, float] | None = None,
    ) -> Job:
        ident = self._export_id()
        attrs: dict[str, Any] = {
            "exportId": ident,
            "exportRequestTime": At(created),
            "_agents": agents,
        }
        if window:
            attrs["requestedStartTime"] = At(window[0])
            attrs["requestedEndTime"] = At(window[1])
        job = Job("discovery", "export-task", HOME_REGION, ident, created, phases, attrs)
        for phase in phases:
            if phase.status == "SUCCEEDED":
                phase.fields.setdefault(
                    "configurationsDownloadUrl", DownloadUrl(ident, self._hex(64))
                )
        return self.add(job)

    def _discovery(self) -> None:
        agents = [f"o-0{self._hex(16)}" for _ in range(3)]
        ok = {"statusMessage": "Data export completed successfully."}
        running = {"statusMessage": "Data export is in progress."}
        self._discovery_task(
            -5 * DAY, [Phase(-5 * DAY, "SUCCEEDED", ok)], agents[:2], (-35 * DAY, -5 * DAY)
        )
        self._discovery_task(-30 * HOUR, [Phase(-30 * HOUR, "SUCCEEDED", ok)], agents[:1])
        truncated = self._discovery_task(
            -20 * HOUR,
            [
                Phase(
                    -20 * HOUR,
                    "SUCCEEDED",
                    {
                        "statusMessage": "Data export completed. The export "
                        "was truncated because it exceeded the maximum export size."
                    },
                )
            ],
            agents,
            (-60 * DAY, -20 * HOUR),
        )
        truncated.attrs["isTruncated"] = True
        self._discovery_task(
            -8 * HOUR,
            [
                Phase(
                    -8 * HOUR,
                    "FAILED",
                    {
                        "statusMessage": "Export failed: no data was collected by agent "
                        f"{agents[2]} in the requested time range."
                    },
                )
            ],
            agents[2:],
            (-9 * HOUR, -8 * HOUR),
        )
        self._discovery_task(
            -2 * MINUTE,
            [Phase(-2 * MINUTE, "IN_PROGRESS", running), Phase(25.0, "SUCCEEDED", ok)],
            agents[:2],
        )
        self._discovery_task(
            -40.0,
            [Phase(-40.0, "IN_PROGRESS", running), Phase(10 * MINUTE, "SUCCEEDED", ok)],
            agents[1:],
        )

    def _bulk_discovery(self, count: int) -> None:
        # Cheap ids and no per-task RNG calls beyond one: 10,000 tasks build in milliseconds.
        agents = [f"o-0{self._hex(16)}" for _ in range(8)]
        base = self._rng.getrandbits(64)
        ok = {"statusMessage": "Data export completed successfully."}
        failed = {"statusMessage": "Export failed: the export request timed out."}
        for i in range(count):
            h = f"{(base + i * 0x9E3779B97F4A7C15) & (2**128 - 1):032x}"
            ident = f"export-{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
            created = -(i + 1) * 97.0 - 3 * DAY
            status = "FAILED" if i % 17 == 0 else "SUCCEEDED"
            fields: dict[str, Any] = dict(failed if status == "FAILED" else ok)
            if status == "SUCCEEDED":
                fields["configurationsDownloadUrl"] = DownloadUrl(ident, h * 2)
            self.add(
                Job(
                    "discovery",
                    "export-task",
                    HOME_REGION,
                    ident,
                    created,
                    [Phase(created, status, fields)],
                    {
                        "exportId": ident,
                        "exportRequestTime": At(created),
                        "_agents": [agents[i % 8]],
                    },
                )
            )

    def iter_jobs(self) -> Iterator[Job]:
        return iter(self.jobs)


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


def render_url(url: DownloadUrl, base_url: str) -> str:
    return (
        f"{base_url}/_sandbox/downloads/{url.export_id}.zip"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA{url.signature[:16].upper()}"
        f"%2F20260101%2F{HOME_REGION}%2Fs3%2Faws4_request&X-Amz-Expires=3600"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={url.signature}"
    )


def export_archive(export_id: str) -> bytes:
    """The deterministic zip a Discovery export download returns."""
    buffer = io.BytesIO()
    files = {
        "Servers.csv": "server.configurationId,server.hostName,server.osName\n"
        "d-server-0a1b2c3d4e5f6,app-01,Linux\nd-server-0f6e5d4c3b2a1,db-01,Linux\n",
        "Applications.csv": "application.configurationId,application.name\n"
        "d-application-0aa11bb22,shop\n",
        "README.txt": f"Configuration export {export_id}\n",
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()
