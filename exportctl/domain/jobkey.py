"""Which job, where: a parsed reference, below the adapters that read it.

Parsing and printing references (``refs.py``) need the adapters' specs; the specs
need this key. It lives here so that neither imports the other's upper layer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# The partitions whose ARNs a reference may be (a job's, a search job's).
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@dataclass(frozen=True)
class JobKey:
    """A parsed reference: which job, where. ``region`` None means the default."""

    service: str
    id: str
    region: str | None = None
    parent: str | None = None
    arn: str | None = None
    # The account the job lives in, when the reference names it (an ARN always does).
    account: str | None = None

    @property
    def display(self) -> str:
        if self.arn:
            return self.arn
        return f"{self.parent}/{self.id}" if self.parent else self.id

    def in_region(self, region: str) -> JobKey:
        return self if self.region else replace(self, region=region)

    def in_account(self, account: str) -> JobKey:
        return self if self.account else replace(self, account=account)
