"""`--sandbox` commands go on with one world, as commands against AWS do: a job one
command starts is there for the next, and for a command already running."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import zipfile
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from e2e_support import console_script, exportctl, isolated_env
from e2e_support import in_process as run_in_process

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.cli.root import cli
from exportctl.sandbox.embedded import Embedded
from exportctl.sandbox.jobs import ACCOUNT

pytestmark = pytest.mark.e2e

DATASET = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/exportctl-retail/USERS"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeS3Role"
NOT_FOUND = 3


def sandbox(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return exportctl(None, "--sandbox", *args, **env)


def in_process(*args: str) -> Result:
    """One command in this process: each builds its embedded sandbox anew from the
    kept world, as a new process does (for the tests of the file alone)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def start_discovery() -> str:
    started = sandbox("start", "discovery")
    assert started.returncode == 0, started.stderr
    return started.stdout.strip()


def world_file() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "exportctl" / "sandbox" / "world.json"


def test_start_status_wait_download_go_on_across_commands(tmp_path: Path) -> None:
    ref = start_discovery()
    assert ref.startswith("discovery:")

    status = sandbox("status", ref, "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["state"] == "RUNNING"

    # A clock a hundred times faster: the task's 30 s take a fraction of a second.
    waited = sandbox(
        "wait", ref, "--interval", "1s", "--timeout", "2m", EXPORTCTL_SANDBOX_SPEED="100"
    )
    assert waited.returncode == 0, waited.stderr
    assert "1 job COMPLETED" in waited.stdout

    out = tmp_path / "out"
    fetched = sandbox("download", ref, str(out))
    assert fetched.returncode == 0, fetched.stderr
    [archive] = out.iterdir()
    assert archive.name == ref.rpartition(":")[2] + ".zip"
    assert "README.txt" in zipfile.ZipFile(archive).namelist()


def test_a_started_job_that_failed_can_be_rerun_by_a_later_command() -> None:
    started = sandbox(
        "start", "personalize", "--dataset-arn", DATASET,
        "--to", "s3://exportctl-exports/denied/", "--role-arn", ROLE,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    first = started.stdout.strip()
    waited = sandbox("wait", first, "--interval", "1s", EXPORTCTL_SANDBOX_SPEED="100")
    assert waited.returncode == 1, waited.stderr
    assert "CREATE FAILED" in waited.stdout

    rerun = sandbox("rerun", first)
    assert rerun.returncode == 0, rerun.stderr
    second = rerun.stdout.strip()
    assert second.startswith("arn:aws:personalize:") and second != first

    listed = sandbox("list", "-s", "personalize", "-o", "ndjson", "--fields", "ref")
    refs = {json.loads(line)["ref"] for line in listed.stdout.splitlines()}
    assert {first, second} <= refs


def test_a_command_already_running_sees_the_job_another_starts_and_ids_stay_unique() -> None:
    # This process serves its sandbox first, as a watch in another terminal would.
    running = Embedded(AwsSettings())
    try:
        discovery = Clients(running.settings).client("discovery", "us-east-1")
        theirs = start_discovery().rpartition(":")[2]

        seen = discovery.describe_export_tasks(exportIds=[theirs])["exportsInfo"]
        assert [task["exportId"] for task in seen] == [theirs]

        # Its own next task gets another id than the other command's, though both
        # worlds started from the same seed, and the other commands find it.
        mine = discovery.start_export_task()["exportId"]
        assert mine != theirs
        status = sandbox("status", f"discovery:us-east-1:{mine}", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["id"] == mine
    finally:
        running.stop()


def test_a_watch_shows_the_job_a_start_in_another_terminal_made() -> None:
    watch = subprocess.Popen(
        [console_script(), "--sandbox", "watch", "-s", "discovery", "--interval", "1s"],
        env=isolated_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert watch.stdout is not None
        for line in watch.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        lines.get(timeout=60)  # the watch is serving its world
        export_id = start_discovery().rpartition(":")[2]
        while export_id not in lines.get(timeout=60):
            pass
    finally:
        watch.send_signal(signal.SIGINT)
        watch.wait(timeout=60)
    assert watch.returncode == 0


def test_sandbox_reset_forgets_the_world() -> None:
    nothing = in_process("sandbox", "--reset")
    assert nothing.exit_code == 0, nothing.output
    assert nothing.stdout.startswith("# exportctl sandbox: no --sandbox world kept;")
    ref = in_process("--sandbox", "start", "discovery").stdout.strip()
    assert in_process("--sandbox", "status", ref).exit_code == 0

    reset = in_process("sandbox", "--reset")
    assert reset.exit_code == 0, reset.output
    [line] = reset.stdout.splitlines()
    assert "deleted the --sandbox world kept in" in line and str(world_file()) in line

    status = in_process("--sandbox", "status", ref)
    assert status.exit_code == NOT_FOUND


@pytest.mark.parametrize(("idle_minutes", "code"), [(29, 0), (31, NOT_FOUND)])
def test_a_world_idle_for_30_minutes_starts_afresh(idle_minutes: int, code: int) -> None:
    ref = in_process("--sandbox", "start", "discovery").stdout.strip()
    kept = json.loads(world_file().read_text(encoding="utf-8"))
    kept["saved_at"] -= idle_minutes * 60
    world_file().write_text(json.dumps(kept), encoding="utf-8")

    status = in_process("--sandbox", "status", ref)
    assert status.exit_code == code, status.output


@cache
def can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    tried = subprocess.run(
        ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0"', str(Path.cwd())],
        capture_output=True,
    )
    return tried.returncode == 0


def on_read_only_cache(*args: str) -> subprocess.CompletedProcess[str]:
    """exportctl with its cache folder on a read-only file system: a mount of its own,
    in a mount namespace of its own (as its user: root in a user namespace)."""
    if not can_mount_read_only():
        pytest.skip("no unshare -rm here to mount the cache folder read-only")
    cache_home = os.environ["XDG_CACHE_HOME"]
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, cache_home, console_script(), *args],
        env=isolated_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reset_of_a_world_it_cannot_delete_is_one_line_naming_it() -> None:
    world_file().parent.mkdir(parents=True)
    world_file().mkdir()
    done = run_in_process(None, "sandbox", "--reset")
    assert done.returncode == 73 and done.stdout == ""
    assert done.stderr == (
        f"exportctl: error: cannot delete the --sandbox world kept in {world_file()}:"
        " a folder is in the way\n"
    )


def test_reset_on_a_read_only_cache_folder_is_one_line_naming_the_world() -> None:
    assert in_process("--sandbox", "start", "discovery").exit_code == 0
    done = on_read_only_cache("sandbox", "--reset")
    assert done.returncode == 73 and done.stdout == ""
    assert done.stderr == (
        f"exportctl: error: cannot delete the --sandbox world kept in {world_file()}:"
        " the file system is read-only\n"
    )
    assert world_file().exists()


def test_a_cache_folder_that_cannot_be_written_says_the_job_is_not_kept() -> None:
    notice = (
        f"exportctl: notice: the --sandbox world cannot be kept in {world_file()} (the file"
        " system is read-only): the next --sandbox command will not see what this one changes"
    )
    # No world kept yet, then one kept that cannot be changed: said once each.
    for _ in range(2):
        started = on_read_only_cache("--sandbox", "start", "discovery")
        assert started.returncode == 0, started.stderr
        assert started.stdout.startswith("discovery:")
        assert started.stderr.splitlines() == [notice]
        assert sandbox("status", started.stdout.strip()).returncode == NOT_FOUND
