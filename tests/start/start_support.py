"""Running `exportctl start` in-process against a sandbox, and counting what it made."""

from __future__ import annotations

from collections import Counter

import sleepless
from click.testing import Result

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/exporter"
DATASET = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/exportctl-retail/USERS"
# What each service's create is called, and the job kind it makes in the sandbox.
CREATES = {
    "personalize": ("CreateDatasetExportJob", "dataset-export-job"),
    "backupsearch": ("StartSearchResultExportJob", "export"),
    "pinpoint": ("CreateExportJob", "export"),
    "discovery": ("StartExportTask", "export-task"),
}


class Run(sleepless.Run):
    """The command line against the sandbox, and what its starts made there: as a user
    runs it, with no AWS_MAX_ATTEMPTS (a create tried 10 times, each read too, their
    backoffs on the fake clock), unless a test sets one."""

    def __call__(self, *args: str, **env: str | None) -> Result:
        return super().__call__(*args, **{"AWS_MAX_ATTEMPTS": None, **env})

    def start_args(self, service: str) -> list[str]:
        """The options of a valid start of ``service`` in the sandbox's us-east-1."""
        if service == "personalize":
            return ["--dataset-arn", DATASET, "--to", "s3://out/p/", "--role-arn", ROLE]
        if service == "backupsearch":
            search = next(
                j["id"]
                for j in self.sandbox.jobs("backupsearch", "us-east-1")
                if j["kind"] == "search-job"
            )
            return ["--search-job", search, "--to", "s3://out/bs/"]
        if service == "pinpoint":
            app = next(
                j["id"]
                for j in self.sandbox.jobs("pinpoint", "us-east-1")
                if j["kind"] == "application"
            )
            return ["--application-id", app, "--to", "s3://out/pp/", "--role-arn", ROLE]
        return []

    def made(self) -> Counter[str]:
        """The export jobs of each service in us-east-1 (to compare before and after)."""
        kinds = {kind for _, kind in CREATES.values()}
        return Counter(
            j["service"] for j in self.sandbox.jobs(region="us-east-1") if j["kind"] in kinds
        )

    def creates(self, service: str) -> int:
        operation = CREATES[service][0]
        return sum(
            row["count"]
            for row in self.sandbox.calls_report()["calls"]
            if row["operation"] == operation
        )
