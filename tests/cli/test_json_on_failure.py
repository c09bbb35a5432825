"""With --json stdout is one JSON document however a command ends: when it fails as a
whole, the document of nothing (`null` where one object was due, `[]` for an array),
the exit code and one line on stderr saying why; bad input prints nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import Run

from exportctl.sandbox import Sandbox


def _first(sandbox: Sandbox, service: str, kind: str, status: str) -> str:
    found = next(
        j
        for j in sandbox.jobs()
        if (j["service"], j["kind"], j["status"], j["region"])
        == (service, kind, status, "us-east-1")
    )
    # RDS's sandbox id is the task's ARN; its reference takes the identifier.
    return f"{service}:{found['id'].rsplit(':', 1)[-1]}"


def _commands(sandbox: Sandbox, dest: Path) -> dict[str, tuple[list[str], Any]]:
    done = _first(sandbox, "discovery", "export-task", "SUCCEEDED")
    return {
        "list": (["list"], []),
        "status": (["status", done], None),
        "status-several": (["status", done, done], []),
        "wait": (["wait", done], None),
        "wait-several": (["wait", done, done], []),
        "cancel": (["cancel", _first(sandbox, "rds", "export-task", "IN_PROGRESS")], None),
        "cancel-wait": (
            ["cancel", "--wait", _first(sandbox, "rds", "export-task", "IN_PROGRESS")],
            None,
        ),
        "start": (["start", "discovery"], None),
        "rerun": (["rerun", done], None),
        "backups": (["backups", _first(sandbox, "backupsearch", "search-job", "COMPLETED")], None),
        "download": (["download", done, str(dest)], None),
    }


@pytest.mark.parametrize(
    "command",
    [
        "list",
        "status",
        "status-several",
        "wait",
        "cancel",
        "cancel-wait",
        "start",
        "rerun",
        "backups",
        "download",
    ],
)
def test_a_command_failing_as_a_whole_prints_the_document_of_nothing(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    args, nothing = _commands(sandbox, tmp_path / "out")[command]
    sandbox.faults.deny = {"*"}
    result = run(*args, "--json")
    assert result.exit_code == 4, result.stderr
    assert json.loads(result.stdout) == nothing
    assert result.stdout.count("\n") == 1
    assert result.stderr.startswith("exportctl: error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "nothing"),
    [
        (["--org-role", "reader", "list"], 0),
        (["status", "discovery:export-1", "discovery:export-2"], 0),
    ],
)
def test_the_document_of_nothing_is_as_the_query_makes_it(
    run: Run, sandbox: Sandbox, args: list[str], nothing: Any
) -> None:
    sandbox.faults.deny = {"*"}
    result = run(*args, "--json", "--query", "length(@)")
    # `[]` whatever the query asked, where the same query of no jobs says 0.
    assert result.exit_code == 4, result.stderr
    assert json.loads(result.stdout) == nothing


@pytest.mark.parametrize("command", ["status", "wait", "start", "rerun", "backups", "download"])
def test_a_query_that_refuses_the_null_of_nothing_leaves_it_null(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    args, _ = _commands(sandbox, tmp_path / "out")[command]
    sandbox.faults.deny = {"*"}
    result = run(*args, "--json", "--query", "length(@)")
    # The failure is the one said, with its exit code: not the query's, given null.
    assert result.exit_code == 4, result.stderr
    assert json.loads(result.stdout) is None
    assert "access denied" in result.stderr and "--query" not in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["start", "rerun", "backups", "download"])
def test_other_formats_print_nothing_when_the_command_fails(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    args, _ = _commands(sandbox, tmp_path / "out")[command]
    sandbox.faults.deny = {"*"}
    result = run(*args, "-o", "ndjson")
    assert result.exit_code == 4
    assert result.stdout == ""


def _conflicts(sandbox: Sandbox) -> dict[str, list[str]]:
    taken = next(
        j["id"]
        for j in sandbox.jobs()
        if j["service"] == "personalize" and j["region"] == "us-east-1"
    )
    return {
        "name-taken": [
            "start",
            "personalize",
            "--dataset-arn",
            "arn:aws:personalize:us-east-1:123456789012:dataset/exportctl-retail/USERS",
            "--to",
            "s3://exportctl-exports/users/",
            "--role-arn",
            "arn:aws:iam::123456789012:role/PersonalizeS3Role",
            "--name",
            taken.rsplit("/", 1)[-1],
        ],
        "rerun-running": ["rerun", _first(sandbox, "discovery", "export-task", "IN_PROGRESS")],
    }


@pytest.mark.parametrize(
    ("case", "said"), [("name-taken", "already exists"), ("rerun-running", "finished")]
)
def test_exit_2_found_once_calls_were_made_prints_null(
    run: Run, sandbox: Sandbox, case: str, said: str
) -> None:
    result = run(*_conflicts(sandbox)[case], "--json")
    assert said in result.stderr
    # Not bad input refused before any work: the service was asked first.
    assert result.exit_code == 2, result.stderr
    assert json.loads(result.stdout) is None
    assert result.stderr.startswith("exportctl: error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["start", "rerun", "backups", "download"])
def test_bad_input_prints_nothing_even_with_json(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    args, _ = _commands(sandbox, tmp_path / "out")[command]
    result = run(*args, "--json", "--fields", "no-such-field")
    assert result.exit_code == 2
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "text"])
@pytest.mark.parametrize("command", ["list", "status", "status-several", "wait", "cancel"])
def test_the_streamed_formats_print_no_line_when_the_command_fails(
    run: Run, sandbox: Sandbox, tmp_path: Path, command: str, fmt: str
) -> None:
    # csv's header too: it comes with the first row, or alone once nothing failed.
    args, _ = _commands(sandbox, tmp_path / "out")[command]
    sandbox.faults.deny = {"*"}
    result = run(*args, "-o", fmt)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["status", "wait", "cancel"])
def test_a_job_not_found_prints_no_csv_header(run: Run, command: str) -> None:
    result = run(command, "rds:us-east-1:nosuch", "-o", "csv")
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""


def test_an_empty_listing_that_failed_nothing_prints_the_csv_header(run: Run) -> None:
    # A region the sandbox has no jobs in.
    result = run("list", "-s", "rds", "-o", "csv", region="ap-south-1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "service,ref,state,status,created,message\n"
    headless = run("list", "-s", "rds", "-o", "csv", "--no-headers", region="ap-south-1")
    assert headless.exit_code == 0 and headless.stdout == ""
    # With a found job beside one not found: the header and its row, exit 3.
    found = run("list", "-s", "rds", "-o", "text", "--fields", "ref", "--limit", "1").stdout
    both = run("status", found.strip(), "rds:us-east-1:nosuch", "-o", "csv", "--fields", "ref")
    assert both.exit_code == 3
    assert both.stdout == f"ref\n{found}"


@pytest.mark.parametrize(
    "command",
    ["list", "status", "status-several", "wait", "cancel", "cancel-wait", "start", "rerun",
     "backups", "download", "wait-several"],
)  # fmt: skip
def test_ctrl_c_while_the_clients_are_made_prints_the_document_of_nothing(
    run: Run, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # As Ctrl-C while the embedded sandbox of --sandbox starts: before any call, and
    # before a wait's own handling of Ctrl-C begins.
    from exportctl.ops import connect

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    args, nothing = _commands(sandbox, tmp_path / "out")[command]
    monkeypatch.setattr(connect, "connect", interrupted)
    result = run(*args, "--json")
    assert result.exit_code == 130, result.stderr
    assert json.loads(result.stdout) == nothing
    assert result.stdout.count("\n") == 1
    assert result.stderr.startswith("exportctl: interrupted"), result.stderr
