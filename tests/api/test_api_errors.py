"""The class of an error the API raises follows what exportctl made of it, and its
message advises in the keyword arguments the caller gave."""

from __future__ import annotations

import pytest

from exportctl import Client, RequestRefused
from exportctl.domain.errors import ExitCode
from exportctl.testing import SandboxHandle

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
QUOTA = "raise:LimitExceededException:400:too many"


@pytest.mark.parametrize(
    ("operation", "service", "given"),
    [
        ("discovery:StartExportTask", "discovery", {}),
        (
            "dynamodb:ExportTableToPointInTime",
            "dynamodb",
            {"table": TABLE, "to": "s3://exports/t/"},
        ),
    ],
)
def test_a_create_refused_by_a_quota_is_a_refusal_not_out_of_reach(
    own_sandbox: SandboxHandle, operation: str, service: str, given: dict[str, str]
) -> None:
    own_sandbox.sandbox.faults.update({"fates": {operation: [QUOTA]}})
    with pytest.raises(RequestRefused) as refused:
        Client().start(service, **given)
    assert "(LimitExceededException: too many)" in refused.value.message
    # The command line's exit code for it: 5.
    assert refused.value.exit_code == ExitCode.AWS
