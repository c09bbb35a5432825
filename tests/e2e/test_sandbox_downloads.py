"""Each Discovery task of the sandbox serves its own archive, fetched with the console script."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e_support import exportctl

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e


def test_two_discovery_tasks_download_two_different_archives(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    listed = exportctl(sandbox, "list", "-s", "discovery", "--status", "completed", "--json")
    assert listed.returncode == 0, listed.stderr
    tasks = json.loads(listed.stdout)[:2]
    assert len(tasks) == 2
    # Each task names its own file in its own URL.
    for task in tasks:
        assert Path(urlsplit(task["destination"]).path).name == f"{task['id']}.zip"
    assert tasks[0]["destination"] != tasks[1]["destination"]

    fetched = []
    for task in tasks:
        dest = tmp_path / task["id"]
        done = exportctl(sandbox, "download", f"discovery:{task['id']}", str(dest), "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["paths"] == [f"{task['id']}.zip"]
        archive = dest / f"{task['id']}.zip"
        with zipfile.ZipFile(archive) as opened:
            readme = opened.read("README.txt").decode()
        assert task["id"] in readme
        fetched.append(archive.read_bytes())
    assert fetched[0] != fetched[1]
