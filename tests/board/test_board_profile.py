"""--profile with --org-role: the accounts the role reaches are called with the settings
of the profile named (its max_attempts, its endpoints), not the default profile's;
only their credentials are the role's."""

from __future__ import annotations

import os
from pathlib import Path

from board_support import Run

from exportctl.sandbox import Sandbox

MANAGEMENT = "123456789012"
MEMBER = "345678901234"
ONE_LISTING = ("--accounts", MEMBER, "--region", "eu-west-1", "list", "-s", "rds", "-o", "json")
# Nothing listens there: a call sent by the default profile's settings fails.
NOWHERE = "http://127.0.0.1:9"


def _config(sandbox: Sandbox, *, default: str, named: str) -> None:
    """A config file of a default profile and profile 'x', which holds the keys of the
    organization's management account."""
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[default]\n{default}\n"
        f"[profile x]\naws_access_key_id = {sandbox.access_key(MANAGEMENT)}\n"
        f"aws_secret_access_key = sandbox\n{named}\n"
    )


def _member_calls(sandbox: Sandbox, operation: str) -> int:
    report = sandbox.calls_report()["by_account"]
    return sum(
        row["count"]
        for row in report
        if row["account"] == MEMBER and (row["service"], row["operation"]) == ("rds", operation)
    )


def test_the_accounts_a_role_reaches_make_the_named_profiles_attempts(
    run: Run, sandbox: Sandbox, quick_retries: None
) -> None:
    _config(sandbox, default="max_attempts = 1", named="max_attempts = 3")
    sandbox.faults.fates = {"rds:DescribeExportTasks": ["throttle", "throttle"]}
    done = run(
        "--profile", "x", "--org-role", "exportctl-reader", *ONE_LISTING,
        AWS_MAX_ATTEMPTS=None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "DescribeExportTasks" not in done.stderr
    # Throttled twice, answered at the third of profile x's attempts (a fate taken is
    # counted before its caller's account is known: the one listing is the member's).
    assert sandbox.calls[("rds", "DescribeExportTasks")] == 3
    assert _member_calls(sandbox, "DescribeExportTasks") == 1


def test_the_accounts_a_role_reaches_call_the_named_profiles_endpoint(
    run: Run, sandbox: Sandbox
) -> None:
    _config(sandbox, default=f"endpoint_url = {NOWHERE}", named=f"endpoint_url = {sandbox.url}")
    done = run(
        "--profile", "x", "--org-role", "exportctl-reader", *ONE_LISTING,
        AWS_ENDPOINT_URL=None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "127.0.0.1:9" not in done.output
    assert _member_calls(sandbox, "DescribeExportTasks") >= 1


def test_the_accounts_a_role_reaches_take_the_named_profiles_retry_mode(
    run: Run, sandbox: Sandbox, quick_retries: None
) -> None:
    # The default profile's retry_mode is no mode: read for an account, it would end
    # the command (exit 2). Profile x's legacy is said once, not once an account.
    _config(sandbox, default="retry_mode = fast", named="retry_mode = legacy\nmax_attempts = 3")
    sandbox.faults.fates = {"rds:DescribeExportTasks": ["throttle", "throttle"]}
    done = run(
        "--profile", "x", "--org-role", "exportctl-reader", *ONE_LISTING,
        AWS_RETRY_MODE=None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert done.stderr.count("retry_mode = legacy of profile 'x'") == 1, done.stderr
    assert sandbox.calls[("rds", "DescribeExportTasks")] == 3
