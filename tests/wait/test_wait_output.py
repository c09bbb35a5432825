"""What wait prints for people with --fields and -o wide, and what it refuses."""

from __future__ import annotations

from wait_support import DISCOVERY_RUNNING, PINPOINT_FAILING, FakeTime, Run

from exportctl.sandbox import Sandbox


def test_fields_print_a_table_of_the_jobs_as_they_ended(run: Run) -> None:
    result = run("wait", PINPOINT_FAILING, "--fields", "ref,state,eta_basis")

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("REF "))
    assert lines[header].split() == ["REF", "STATE", "ETA_BASIS"]
    row = lines[header + 1]
    assert row.split()[1] == "RUNNING" and row.endswith("FAILING: it can no longer complete")


def test_no_headers_applies_to_the_fields_table(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, "--fields", "ref,state", "--no-headers")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[1:] == ["COMPLETED"]
    assert "REF " not in result.stdout


def test_wide_prints_every_column_of_the_jobs_at_the_end(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, "-o", "wide")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-3] == "1 job COMPLETED"
    assert lines[-2].split() == ["SERVICE", "REF", "REGION", "STATE", "STATUS", "CREATED",
                                 "MESSAGE"]  # fmt: skip
    assert "COMPLETED  SUCCEEDED" in lines[-1]


def test_no_headers_on_the_live_view_is_refused_before_any_call(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    sandbox.reset_calls()

    result = run("wait", DISCOVERY_RUNNING, "--no-headers")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--no-headers" in result.stderr
    assert "--fields" in result.stderr and "Traceback" not in result.stderr
    assert sandbox.calls_report()["calls"] == []
