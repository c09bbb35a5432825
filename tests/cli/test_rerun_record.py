"""A rerun of a job whose record lacks what a required option of `start` would
give: refused as a job that cannot be rerun, naming the way that can start it,
not as an option rerun does not take. The service is a stand-in on 127.0.0.1
that answers CloudWatch Logs' DescribeExportTasks with a task the model allows
without its `from`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner

from exportctl.cli.root import cli

TASK = {
    "taskId": "0b8c3e2a-5f1d-4c55-9d7e-2f6a1c0e4b11",
    "taskName": "checkout",
    "logGroupName": "/ecs/checkout",
    "to": 1795000000000,
    "destination": "exportctl-logs",
    "destinationPrefix": "exportedlogs",
    "status": {"code": "COMPLETED", "message": "Completed successfully"},
    "executionInfo": {"creationTime": 1794990000000, "completionTime": 1794990600000},
}


@pytest.fixture
def logs() -> Iterator[tuple[str, list[str]]]:
    targets: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            targets.append(self.headers.get("X-Amz-Target", ""))
            body = json.dumps({"exportTasks": [TASK]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", targets
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("dry", [["--dry-run"], []])
def test_a_job_whose_record_lacks_a_required_value_cannot_be_rerun(
    logs: tuple[str, list[str]], dry: list[str]
) -> None:
    url, targets = logs
    ref = f"logs:us-east-1:{TASK['taskId']}"
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    given = ["--endpoint-url", url, "--region", "us-east-1", "rerun", ref, *dry]
    result = CliRunner().invoke(cli, given, env=env)
    # Not "--start-time is required", an option rerun refuses as no such option.
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"exportctl: error: {ref} cannot be rerun: its record has no details.from "
        "(--start-time): start logs ... --start-time TIME starts one like it\n"
    )
    # The job was read; nothing was created.
    assert targets == ["Logs_20140328.DescribeExportTasks"]


def test_the_python_api_names_its_keyword(logs: tuple[str, list[str]]) -> None:
    from exportctl.api import Client
    from exportctl.api.errors import BadInput

    url, _ = logs
    client = Client(endpoint_url=url, region="us-east-1", access_key_id="x", secret_access_key="x")
    with pytest.raises(BadInput, match=r"\(start_time\): start logs \.\.\. start_time=\.\.\."):
        client.plan_rerun(f"logs:us-east-1:{TASK['taskId']}")
