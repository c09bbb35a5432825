"""DEST as `download`, `wait --download` and `start --download` take it: checked before
the work, a folder a job to itself, and what is said when it cannot take the files."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from exportctl.cli.context import AppContext
from exportctl.cli.fetching import Fetcher, Fetching
from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox, start_s3

RDS_TASK = "orders-weekly-2026-46"  # in us-east-1 and in eu-west-1 alike
PERSONALIZE = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/items-catalog"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Sandbox, S3Sandbox]]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


def run(sandbox: tuple[Sandbox, S3Sandbox], *args: str) -> Result:
    sb, s3 = sandbox
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_ENDPOINT_URL_S3": s3.url}
    return CliRunner().invoke(
        cli, ["--endpoint-url", sb.url, "--region", "us-east-1", *args], env=env
    )


def _tampered(sandbox: tuple[Sandbox, S3Sandbox], dest: Path) -> None:
    """DEST holding the job's files, one of them changed since."""
    assert run(sandbox, "download", PERSONALIZE, str(dest)).exit_code == 0
    next(p for p in dest.rglob("*") if p.is_file()).write_text("changed here\n")


def test_json_says_null_for_a_file_in_the_way(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    _tampered(sandbox, tmp_path)
    done = run(sandbox, "download", PERSONALIZE, str(tmp_path), "--json")
    # Found once the job was read and its objects listed: the document of nothing.
    assert done.exit_code == 2 and json.loads(done.stdout) is None
    assert "pass --force to replace it" in done.stderr


# Seeded in the sandbox's world: an export whose output is at a URL, not in S3.
DISCOVERY = "discovery:us-east-1:export-b17cdc70-808d-47b6-ad89-f65f84992a0f"


@pytest.mark.parametrize("ref", [PERSONALIZE, DISCOVERY])
def test_a_file_in_the_way_says_to_pass_force(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, ref: str
) -> None:
    assert run(sandbox, "download", ref, str(tmp_path)).exit_code == 0
    changed = next(p for p in tmp_path.rglob("*") if p.is_file())
    changed.write_text("changed here\n")
    done = run(sandbox, "download", ref, str(tmp_path))
    assert done.exit_code == 2
    # The command line's option, whatever the API's keyword (force=True) says.
    assert done.stderr.startswith(f"exportctl: error: {changed} ")
    assert done.stderr.endswith(": pass --force to replace it\n")


def test_under_wait_the_file_in_the_way_names_the_command_that_replaces_it(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    _tampered(sandbox, tmp_path)
    done = run(sandbox, "wait", PERSONALIZE, "--download", str(tmp_path))
    assert done.exit_code == 2
    # wait has no --force: the line names a download that has, with this one's options.
    assert "--force" in done.stderr and "pass --force" not in done.stderr
    said = done.stderr.partition("`")[2].partition("`")[0]
    assert said.startswith("exportctl --region us-east-1 --endpoint-url http://127.0.0.1:")
    assert said.endswith(f"download --force {PERSONALIZE} {tmp_path}")


# A failed job of the sandbox's world, which a rerun reads before it starts another.
FAILED = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-denied"
COMMANDS = {
    "start": ["start", "discovery"],
    "wait": ["wait", PERSONALIZE],
    "rerun": ["rerun", FAILED, "--wait"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_dest_that_is_a_file_is_refused_before_the_job_is_made_or_waited_on(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, command: str
) -> None:
    sb, _ = sandbox
    afile = tmp_path / "afile"
    afile.write_text("")
    sb.reset_calls()
    done = run(sandbox, *COMMANDS[command], "--download", str(afile))
    assert done.exit_code == 73, done.output
    assert (
        done.stderr == f"exportctl: error: DEST {afile} is a file, not a folder: choose another\n"
    )
    assert not sb.calls


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_dest_that_links_to_nothing_is_refused_before_any_call(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, command: str
) -> None:
    sb, _ = sandbox
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    sb.reset_calls()
    done = run(sandbox, *COMMANDS[command], "--download", str(tmp_path / "dangling"))
    assert done.exit_code == 73 and "is a link to nothing" in done.stderr, done.output
    assert not sb.calls


def test_a_dest_under_a_file_or_a_dangling_link_is_said_so(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("")
    under = run(sandbox, "download", PERSONALIZE, str(tmp_path / "afile" / "d"))
    assert under.exit_code == 73 and "afile is a file, not a folder" in under.stderr
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    dangling = run(sandbox, "download", PERSONALIZE, str(tmp_path / "dangling"))
    assert dangling.exit_code == 73 and "is a link to nothing" in dangling.stderr


@pytest.mark.parametrize("command", ["download", "wait"])
def test_an_empty_dest_is_refused(
    sandbox: tuple[Sandbox, S3Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    # An unset variable in a script ("$DEST") would write into the current folder.
    monkeypatch.chdir(tmp_path)
    args = (
        [command, PERSONALIZE, ""]
        if command == "download"
        else [command, PERSONALIZE, "--download", ""]
    )
    done = run(sandbox, *args)
    assert done.exit_code == 2 and "empty: name a folder" in done.stderr
    assert not list(tmp_path.iterdir())


def test_two_jobs_of_one_id_in_two_regions_get_a_folder_each(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    east, west = f"rds:us-east-1:{RDS_TASK}", f"rds:eu-west-1:{RDS_TASK}"
    done = run(sandbox, "wait", east, west, "--download", str(tmp_path))
    assert done.exit_code == 0, done.output
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 2 and folders[0] == f"rds-{RDS_TASK}"
    assert folders[1] in (f"rds-{RDS_TASK}-us-east-1", f"rds-{RDS_TASK}-eu-west-1")
    contents = [
        {p.relative_to(tmp_path / f).as_posix() for p in (tmp_path / f).rglob("*.parquet")}
        for f in folders
    ]
    # Each region's parts alone: none shared, none missing.
    assert all(contents) and not contents[0] & contents[1]


def test_the_command_that_goes_on_after_an_interrupt_can_be_pasted(tmp_path: Path) -> None:
    app = AppContext(sandbox=True)
    app.set_targets(profile=("dev",), region=("eu-west-1",))
    fetcher = Fetcher(app, tmp_path, several=False, quiet=True)
    started = Fetching("rds:eu-west-1:a task", Path("my exports"), threading.Event())
    started.started = True
    waiting = Fetching("rds:eu-west-1:another", Path("exports"), threading.Event())
    fetcher.under_way = {started.ref: started, waiting.ref: waiting}
    assert fetcher.abandon() == [
        "the download of rds:eu-west-1:a task into my exports was cut short: "
        "`exportctl --sandbox --profile dev --region eu-west-1 download "
        "'rds:eu-west-1:a task' 'my exports'` goes on with it",
        # Its turn had not come: nothing of it was written.
        "the download of rds:eu-west-1:another into exports was not started: "
        "`exportctl --sandbox --profile dev --region eu-west-1 download "
        "rds:eu-west-1:another exports` does it",
    ]


def test_an_s3_out_of_reach_names_the_options(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    sb, _ = sandbox
    env = {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_ENDPOINT_URL_S3": closed,
        "AWS_MAX_ATTEMPTS": "1",
    }
    args = ["--endpoint-url", sb.url, "--region", "us-east-1", "download", PERSONALIZE]
    done = CliRunner().invoke(cli, [*args, str(tmp_path)], env=env)
    assert done.exit_code == 5
    # The Python API names its keywords instead (tests/api/test_api_option_names.py).
    assert done.stderr.startswith(f"exportctl: error: AWS: could not reach {closed}/")
    # The setting the endpoint came from, the variable here.
    assert ": check the network, --region and AWS_ENDPOINT_URL_S3 (s3://" in done.stderr


def test_a_download_under_way_says_how_far_it_has_got(tmp_path: Path) -> None:
    from exportctl.ops.download.records import Item

    fetching = Fetching("rds:a-task", Path("out"), threading.Event())
    assert fetching.said() == "rds:a-task: download waiting for its turn"
    fetching.started = True
    assert fetching.said() == "rds:a-task: fetching, its files being listed"
    item = Item("s3://b/k", tmp_path / "k", "k")
    fetching.planned(2, 300_000_000)
    fetching.advanced(item, 150_000_000)
    fetching.finished(item)
    assert fetching.said() == "rds:a-task: fetching into out: 1/2 files, 150.0 MB of 300.0 MB"
