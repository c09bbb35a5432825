"""ndjson and csv listings stream: records leave as their pages arrive."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from output_support import SANDBOX_ENV, invoke

from exportctl.cli.root import cli
from exportctl.ops.jobs import Jobs
from exportctl.sandbox import Sandbox
from exportctl.services.spec import ServiceSpec

TASKS = 30
PAGE = 5


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0, discovery_tasks=TASKS) as sb:
        yield sb


class FirstLine(io.StringIO):
    """A stdout that notes how many Discovery list calls had been made when the first
    Discovery record was flushed: the moment a reader of the pipe could see it."""

    def __init__(self, calls: Callable[[], int]) -> None:
        super().__init__()
        self.calls = calls
        self.calls_at_first_line: int | None = None
        self.flushed = threading.Event()

    def flush(self) -> None:
        super().flush()
        if self.calls_at_first_line is None and "discovery:" in self.getvalue():
            self.calls_at_first_line = self.calls()
            self.flushed.set()


def run_main(args: list[str], monkeypatch: pytest.MonkeyPatch, stdout: io.StringIO) -> int:
    for name, value in SANDBOX_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdout", stdout)
    code = cli.main(args=args, prog_name="exportctl", standalone_mode=False)
    return int(code or 0)


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
@pytest.mark.parametrize("services", [["discovery"], ["discovery", "backupsearch", "pinpoint"]])
def test_first_line_leaves_before_the_second_page_is_asked_for(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, fmt: str, services: list[str]
) -> None:
    sandbox.faults.page_size = PAGE
    pages = {"n": 0, "waited_in_vain": False}
    out = FirstLine(lambda: pages["n"])
    original = Jobs.caller

    def caller(self: Jobs, spec: ServiceSpec, region: str) -> Any:
        call = original(self, spec, region)

        def gated(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            if operation == "DescribeExportTasks":
                held = pages["n"] >= 1 and not pages["waited_in_vain"]
                if held and not out.flushed.wait(timeout=10):
                    # Holding the second page back never let a line out.
                    pages["waited_in_vain"] = True
                pages["n"] += 1
            return call(operation, params)

        return gated

    monkeypatch.setattr(Jobs, "caller", caller)
    args = ["--endpoint-url", sandbox.url, "--region", "us-east-1", "list"]
    chosen = [w for name in services for w in ("--service", name)]
    code = run_main([*args, *chosen, "-o", fmt], monkeypatch, out)
    assert code == 0
    assert not pages["waited_in_vain"]
    assert out.calls_at_first_line == 1
    assert pages["n"] == sandbox.calls[("discovery", "DescribeExportTasks")] >= TASKS // PAGE
    tasks = [j for j in sandbox.jobs() if (j["service"], j["region"]) == ("discovery", "us-east-1")]
    rows = [r for r in out.getvalue().splitlines() if "discovery:" in r]
    assert len(rows) == len(tasks) > TASKS


def ndjson_refs(text: str) -> list[str]:
    return [json.loads(line)["ref"] for line in text.splitlines()]


def test_every_service_streams_every_job_once(sandbox: Sandbox) -> None:
    sandbox.faults.page_size = 3
    streamed = invoke(sandbox, "list", "-o", "ndjson")
    listed = json.loads(invoke(sandbox, "list", "--json").stdout)
    assert streamed.exit_code == 0, streamed.stderr
    refs = ndjson_refs(streamed.stdout)
    assert len(refs) == len(set(refs)) == len(listed)
    assert set(refs) == {j["ref"] for j in listed}


@pytest.mark.parametrize("fmt", ["ndjson", "csv", "text"])
def test_limit_means_the_newest_in_streamed_formats_too(sandbox: Sandbox, fmt: str) -> None:
    # Small pages, so that the newest jobs do not all come first.
    sandbox.faults.page_size = 2
    newest = [j["ref"] for j in json.loads(invoke(sandbox, "list", "--json").stdout)][:5]
    result = invoke(sandbox, "list", "-o", fmt, "--limit", "5", "--fields", "ref")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (lines[1:] if fmt == "csv" else [json.loads(x)["ref"] for x in lines]
            if fmt == "ndjson" else lines) == newest  # fmt: skip


def test_filters_apply_while_streaming(sandbox: Sandbox) -> None:
    result = invoke(sandbox, "list", "-o", "ndjson", "--status", "failed")
    states = {json.loads(line)["state"] for line in result.stdout.splitlines()}
    assert states == {"FAILED"}


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_a_service_out_of_reach_is_a_notice_as_in_json(sandbox: Sandbox, fmt: str) -> None:
    sandbox.faults.deny = {"pinpoint"}
    streamed = invoke(sandbox, "list", "-o", fmt)
    collected = invoke(sandbox, "list", "--json")
    assert streamed.exit_code == collected.exit_code == 0
    assert streamed.stderr == collected.stderr
    assert "notice" in streamed.stderr and "Pinpoint" in streamed.stderr
    assert "pinpoint" not in streamed.stdout


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
def test_a_service_asked_by_name_fails_as_in_json(sandbox: Sandbox, fmt: str) -> None:
    sandbox.faults.deny = {"pinpoint"}
    streamed = invoke(sandbox, "list", "-s", "pinpoint", "-s", "discovery", "-o", fmt)
    collected = invoke(sandbox, "list", "-s", "pinpoint", "-s", "discovery", "--json")
    assert streamed.exit_code == collected.exit_code == 4
    assert streamed.stderr == collected.stderr
    assert streamed.stderr.count("\n") == 1 and "error" in streamed.stderr
    # The services that answered are still written.
    assert "discovery" in streamed.stdout


def test_nothing_answering_is_a_failure(sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"*"}
    streamed = invoke(sandbox, "list", "-o", "ndjson")
    collected = invoke(sandbox, "list", "--json")
    assert streamed.exit_code == collected.exit_code == 4
    assert streamed.stderr == collected.stderr
    assert "notice" not in streamed.stderr
    assert streamed.stdout == ""


def test_server_errors_end_in_exit_5(sandbox: Sandbox) -> None:
    sandbox.faults.error_rate = 1.0
    streamed = invoke(sandbox, "list", "-s", "discovery", "-o", "ndjson", AWS_MAX_ATTEMPTS="1")
    assert streamed.exit_code == 5
    assert streamed.stdout == ""
    assert streamed.stderr.startswith("exportctl: error: ")
