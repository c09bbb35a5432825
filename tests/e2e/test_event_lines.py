"""Events for pipelines: `watch -o ndjson` and `wait -o ndjson` print a line per change
as it happens, and `--exec` runs a command for each job that ends, the job in its
environment only. Through a real pipe, against the sandbox over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from e2e_support import _environment, console_script
from sleepless import fake_time_for
from sleepless import run as run_sandbox

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
# Quotes, a command substitution, a variable and a newline: text no shell may read as code.
HOSTILE = "x'\"$(touch pwned)`touch pwned2`${HOME}\nnext"


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        fake_time_for(sb, monkeypatch)
        yield sb


def run(sb: Sandbox, *args: str) -> Result:
    return run_sandbox(sb, *args)


def test_watch_events_reach_a_pipe_before_the_command_ends(sandbox: Sandbox) -> None:
    env = _environment(sandbox, {"AWS_REGION": REGION})
    proc = subprocess.Popen(
        [console_script(), "watch", "-o", "ndjson", "--interval", "1s", "-s", "logs"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        # A line arrived while the watch still runs: it was flushed as it happened.
        assert proc.poll() is None
        assert first["type"] == "ADDED" and first["job"]["service"] == "logs"
        # The task it saw running completes: its change, then its end, as they happen.
        sandbox.advance(600)
        seen = [json.loads(proc.stdout.readline()) for _ in range(2)]
        assert proc.poll() is None
        assert [e["type"] for e in seen] == ["MODIFIED", "ENDED"]
        assert seen[1]["job"]["ref"] == first["job"]["ref"]
        assert seen[1]["job"]["state"] == "COMPLETED"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0


def test_wait_prints_a_line_per_change_then_ended(sandbox: Sandbox) -> None:
    made = run(sandbox, "start", "logs", "--log-group", "/aws/lambda/orders-api",
               "--start-time", "1d", "--bucket", "exportctl-sandbox-logs-us-east-1", "--queue",
               "-o", "text", "--fields", "ref")  # fmt: skip
    assert made.exit_code == 0, made.output
    ref = made.stdout.strip()
    done = run(sandbox, "wait", ref, "-o", "ndjson", "--interval", "5s")
    assert done.exit_code == 0, done.output
    events = [json.loads(line) for line in done.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types[0] == "ADDED" and types[-1] == "ENDED"
    assert "MODIFIED" in types
    assert events[-1]["job"]["state"] == "COMPLETED"
    assert all(e["job"]["ref"].endswith(ref.split(":")[-1]) for e in events)


def test_exec_gets_the_job_in_its_environment_never_in_its_text(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    made = run(sandbox, "start", "logs", "--log-group", "/aws/lambda/orders-api",
               "--start-time", "1d", "--bucket", "exportctl-sandbox-logs-us-east-1", "--queue",
               "--name", HOSTILE, "-o", "text", "--fields", "ref")  # fmt: skip
    assert made.exit_code == 0, made.output
    ref = made.stdout.strip()
    command = 'printf "%s" "$EXPORTCTL_JOB" > job.json; printf "%s" "$EXPORTCTL_STATE" > state'
    done = run(sandbox, "wait", ref, "--interval", "5s", "--exec", command, "-q")
    assert done.exit_code == 0, done.output
    job = json.loads((tmp_path / "job.json").read_text())
    assert job["name"] == HOSTILE and job["ref"] == ref
    assert (tmp_path / "state").read_text() == "COMPLETED"
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_a_failing_exec_is_reported_and_the_wait_goes_on(sandbox: Sandbox) -> None:
    refs = run(sandbox, "list", "-s", "logs", "--status", "completed", "-o", "text",
               "--fields", "ref").stdout.split()[:2]  # fmt: skip
    done = run(sandbox, "wait", *refs, "--exec", "exit 3", "-q")
    assert done.exit_code == 0
    assert done.stderr.count("exited with status 3") == 2


def test_an_exec_ended_by_a_signal_says_which_and_an_empty_one_is_refused(
    sandbox: Sandbox,
) -> None:
    ref = run(sandbox, "list", "-s", "logs", "--status", "completed", "-o", "text",
              "--fields", "ref").stdout.split()[0]  # fmt: skip
    done = run(sandbox, "wait", ref, "--exec", "kill -9 $$", "-q")
    assert done.exit_code == 0
    assert "--exec for" in done.stderr and "was ended by signal 9 (SIGKILL)" in done.stderr
    empty = run(sandbox, "wait", ref, "--exec", " ")
    assert empty.exit_code == 2 and "an empty command runs nothing" in empty.stderr


def test_fields_and_query_shape_the_job_of_each_line(sandbox: Sandbox) -> None:
    ref = run(sandbox, "list", "-s", "logs", "--status", "completed", "-o", "text",
              "--fields", "ref").stdout.split()[0]  # fmt: skip
    fields = run(sandbox, "wait", ref, "-o", "ndjson", "--fields", "ref,state")
    assert fields.exit_code == 0, fields.stderr
    lines = [json.loads(line) for line in fields.stdout.splitlines()]
    assert [line["type"] for line in lines] == ["ADDED", "ENDED"]
    assert all(line["job"] == {"ref": ref, "state": "COMPLETED"} for line in lines)
    queried = run(sandbox, "wait", ref, "-o", "ndjson", "--query", "state")
    assert [json.loads(line)["job"] for line in queried.stdout.splitlines()] == ["COMPLETED"] * 2


def test_exec_output_does_not_reach_stdout(sandbox: Sandbox) -> None:
    ref = run(sandbox, "list", "-s", "logs", "--status", "completed", "-o", "text",
              "--fields", "ref").stdout.split()[0]  # fmt: skip
    done = run(sandbox, "wait", ref, "-o", "ndjson", "--exec", "echo from-the-hook")
    assert done.exit_code == 0
    assert "from-the-hook" not in done.stdout
    assert [json.loads(line)["type"] for line in done.stdout.splitlines()] == ["ADDED", "ENDED"]


def test_a_slow_exec_holds_back_neither_the_rounds_nor_the_timeout(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.chdir(tmp_path)
    listed = run(sandbox, "list", "-s", "logs", "-o", "text", "--fields", "ref,state").stdout
    done_ref = next(line.split()[0] for line in listed.splitlines() if "COMPLETED" in line)
    running_ref = next(line.split()[0] for line in listed.splitlines() if "RUNNING" in line)
    sandbox.set_status("logs", running_ref.rsplit(":", 1)[1], "RUNNING")
    # A command that goes on until the test lets it: a wait that waited for it would
    # never end.
    hook = "while [ ! -e go ]; do sleep 0.05; done; touch finished"
    result: list[Result] = []
    args = ("wait", done_ref, running_ref, "--timeout", "60s", "--exec", hook, "-q")
    waiting = threading.Thread(target=lambda: result.append(run(sandbox, *args)), daemon=True)
    waiting.start()
    waiting.join(60)
    (tmp_path / "go").touch()
    assert result, "the wait waited for its --exec command"
    assert result[0].exit_code == 124, result[0].output
    # Left to end on its own, as it does.
    for _ in range(600):
        if (tmp_path / "finished").exists():
            break
        threading.Event().wait(0.05)
    assert (tmp_path / "finished").exists()
