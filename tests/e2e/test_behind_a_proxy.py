"""On a machine whose environment names a proxy (HTTP_PROXY & co., as corporate machines
and CI runners do) without 127.0.0.1 in NO_PROXY: the sandbox, which serves on this
machine, is still asked straight, by the commands that serve it and by the fixture."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from e2e_support import console_script, in_process, isolated_env

pytestmark = pytest.mark.e2e

DONE_DISCOVERY = "discovery:export-882161db-80a1-49ad-acda-dc4ccd4078c7"


@pytest.fixture(scope="module")
def dead_proxy() -> dict[str, str]:
    """Proxy variables naming a port on which nothing listens: whatever goes through
    them fails to connect."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    names = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")
    return {name: url for name in names}


def test_a_detached_sandbox_starts_serves_and_stops(dead_proxy: dict[str, str]) -> None:
    exe = console_script()
    script = f"""
set -e
eval "$({exe} sandbox --detach --no-s3)"
echo "pid=$EXPORTCTL_SANDBOX_PID"
eval "$({exe} sandbox --stop)"
"""
    # Before, the detach asked its child whether it served through the proxy, for ever.
    done = subprocess.run(
        ["bash", "-c", script],
        env=isolated_env(**dead_proxy),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    pid = done.stdout.partition("pid=")[2].strip()
    assert pid.isdigit()
    # Stopped: no such process, or one that exited and waits to be reaped.
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "\nState:\tZ" in status.read_text()


def test_the_embedded_sandbox_lists_and_downloads(
    dead_proxy: dict[str, str], tmp_path: Path
) -> None:
    listed = in_process(None, "--sandbox", "list", "-s", "dynamodb", "--json", **dead_proxy)
    assert listed.returncode == 0, listed.stderr
    [export] = [r for r in json.loads(listed.stdout) if r["state"] == "COMPLETED"][:1]
    # A pre-signed URL (Discovery) and S3 (DynamoDB's manifest and files).
    for ref in (DONE_DISCOVERY, export["ref"]):
        dest = tmp_path / ref.rpartition("/")[2].replace(":", "-")
        done = in_process(None, "--sandbox", "download", ref, str(dest), **dead_proxy)
        assert done.returncode == 0, done.stderr
        assert any(p.is_file() and p.stat().st_size for p in dest.rglob("*"))
