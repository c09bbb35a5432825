"""Which job, where: a parsed reference, below the adapters that read it.

Parsing and printing references (``refs.py``) need the adapters' specs; the specs
need this key. It lives here so that neither imports the other's upper layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

# The partitions whose ARNs a reference may be (a job's, a search job's).
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# The parts of a reference by their shape, as every reader of one takes them (the
# parser, the search-job parser, the references cache): as text, to be composed,
# and whole.
REGION_TEXT = r"[a-z]{2}(?:-[a-z]+)+-\d+"
ACCOUNT_TEXT = r"\d{12}"
ID_LONGEST = 255
ID_TEXT = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{ID_LONGEST - 1}}}"
REGION = re.compile(rf"^{REGION_TEXT}$")
ACCOUNT = re.compile(rf"^{ACCOUNT_TEXT}$")
ID = re.compile(rf"^{ID_TEXT}$")


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
