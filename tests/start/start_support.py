"""Running `exportctl start` in-process against a sandbox, and counting what it made."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from click.testing import CliRunner, Result

from exportctl.cli.main import cli
from exportctl.sandbox import Sandbox

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


@dataclass
class FakeTime:
    """A monotonic clock that only sleeping moves; sleeping moves the sandbox too."""

    sandbox: Sandbox
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    # Ctrl-C arrives during this sleep (1 for the first), as the signal handler
    # raises it in the main thread.
    interrupt_at: int | None = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        if len(self.sleeps) == self.interrupt_at:
            raise KeyboardInterrupt
        self.now += seconds
        self.sandbox.advance(seconds)


@dataclass
class Run:
    sandbox: Sandbox

    def __call__(self, *args: str, **env: str) -> Result:
        base = ["--endpoint-url", self.sandbox.url, "--region", "us-east-1"]
        environ = {
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            # botocore's own retries of the reads sleep for real: none here.
            "AWS_MAX_ATTEMPTS": "1",
            **env,
        }
        return CliRunner().invoke(cli, [*base, *args], env=environ, catch_exceptions=False)

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
