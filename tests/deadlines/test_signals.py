"""Ctrl-C and SIGTERM end every command promptly, even while calls are being retried.

Real signals to the installed console script, against an endpoint that never
answers or throttles every call; each test only asserts that the process ended
(within the harness's generous limit), its exit code and what it printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from deadline_support import (
    DISCOVERY_DONE,
    PERSONALIZE,
    PERSONALIZE_PENDING,
    BlackHole,
    ended,
    environ,
    start,
    wait_for,
)

from exportctl.sandbox import Faults, Sandbox

pytestmark = pytest.mark.e2e


def test_ctrl_c_ends_list_while_every_service_is_stuck(black_hole: BlackHole) -> None:
    proc = start("list", env=environ(black_hole.url))
    wait_for(lambda: black_hole.accepted >= 4, "every service called", proc)

    proc.send_signal(signal.SIGINT)
    out, err = ended(proc)

    assert proc.returncode == 130
    assert err.strip().endswith("exportctl: interrupted")
    assert "Traceback" not in err
    assert out == ""


def test_ctrl_c_ends_status_of_several_jobs_in_a_throttling_storm(throttling: Sandbox) -> None:
    refs = [PERSONALIZE + name for name in ("a", "b", "c", "d")]
    proc = start("status", *refs, env=environ(throttling.url))
    wait_for(
        lambda: throttling.calls[("personalize", "DescribeDatasetExportJob")] >= 8,
        "the calls retried",
        proc,
    )

    proc.send_signal(signal.SIGINT)
    _, err = ended(proc)

    assert proc.returncode == 130
    assert "Traceback" not in err


def test_ctrl_c_ends_wait_on_a_black_hole_naming_what_is_pending(black_hole: BlackHole) -> None:
    proc = start("wait", PERSONALIZE_PENDING, env=environ(black_hole.url))
    wait_for(lambda: black_hole.accepted >= 1, "the first call", proc)

    proc.send_signal(signal.SIGINT)
    _, err = ended(proc)

    assert proc.returncode == 130
    assert f"interrupted; still pending: {PERSONALIZE_PENDING} (not read yet)" in err


@pytest.mark.parametrize(
    ("signum", "word"), [(signal.SIGTERM, "terminated"), (signal.SIGHUP, "hung up")]
)
def test_sigterm_or_sighup_ends_wait_with_its_code_and_its_json(
    black_hole: BlackHole, signum: int, word: str
) -> None:
    proc = start("wait", PERSONALIZE_PENDING, "--json", env=environ(black_hole.url))
    wait_for(lambda: black_hole.accepted >= 1, "the first call", proc)

    proc.send_signal(signum)
    out, err = ended(proc)

    assert proc.returncode == 128 + signum
    assert json.loads(out) is None
    assert f"{word}; still pending: {PERSONALIZE_PENDING} (not read yet)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "called", "signum", "nothing"),
    [
        (["status", DISCOVERY_DONE], "discovery", signal.SIGINT, None),
        (["status", DISCOVERY_DONE, "rds:gone"], "discovery", signal.SIGTERM, []),
        (["cancel", "rds:analytics-live-export"], "rds", signal.SIGTERM, None),
        (["cancel", "--wait", "rds:analytics-live-export", "rds:gone"], "rds", signal.SIGINT, []),
    ],
)
def test_a_signal_while_jobs_are_read_prints_the_json_of_nothing(
    args: list[str], called: str, signum: int, nothing: object
) -> None:
    # Every call takes long enough for the signal to arrive while the jobs are read.
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(latency=30)) as sandbox:
        proc = start(*args, "--json", env=environ(sandbox.url))
        wait_for(
            lambda: sandbox.calls[(called, "DescribeExportTasks")] >= 1, "the first read", proc
        )
        proc.send_signal(signum)
        out, err = ended(proc)
    assert proc.returncode == 128 + signum, err
    assert json.loads(out) == nothing
    assert "Traceback" not in err


def test_sigterm_ends_list_with_143(black_hole: BlackHole) -> None:
    proc = start("list", "--json", env=environ(black_hole.url))
    wait_for(lambda: black_hole.accepted >= 4, "every service called", proc)

    proc.send_signal(signal.SIGTERM)
    _, err = ended(proc)

    assert proc.returncode == 143
    assert "exportctl: terminated" in err


def test_a_second_ctrl_c_ends_at_once_without_the_cleanup(tmp_path: Path) -> None:
    # A cleanup that would never end: only the second signal gets past it.
    script = tmp_path / "slow_cleanup.py"
    script.write_text(
        "import sys, time\n"
        "from exportctl.ops import interrupts\n"
        "interrupts.install()\n"
        "try:\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(120)\n"
        "except KeyboardInterrupt:\n"
        "    print('cleaning up', flush=True)\n"
        "    time.sleep(120)\n"
        "    print('cleaned up', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"
    proc.send_signal(signal.SIGINT)
    assert proc.stdout.readline() == "cleaning up\n"

    proc.send_signal(signal.SIGINT)
    out, _ = ended(proc)

    assert proc.returncode == 130
    assert "cleaned up" not in out


def test_ctrl_c_ends_a_command_whose_credential_process_never_ends(
    black_hole: BlackHole, tmp_path: Path
) -> None:
    started = tmp_path / "started"
    config = tmp_path / "config"
    config.write_text(
        "[profile hangs]\nregion = us-east-1\n"
        f"credential_process = sh -c 'echo $$ >> {started}; exec sleep 120'\n"
    )
    env = environ(black_hole.url, AWS_CONFIG_FILE=str(config), AWS_PROFILE="hangs")
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    proc = start("list", env=env)
    try:
        wait_for(lambda: started.exists() and started.read_text().strip(), "its process", proc)
        # To exportctl alone: the credential process goes on, as one in another
        # process group would, holding the thread that ran it.
        proc.send_signal(signal.SIGINT)
        _, err = ended(proc)
    finally:
        for pid in started.read_text().split() if started.exists() else ():
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err


# The console script, with a signal sent to itself as the command ends: while what it
# wrote is flushed, or while the interpreter is torn down (an exit hook's).
AT_THE_END = """\
import atexit, os, sys
signum, when = int(sys.argv.pop(1)), sys.argv.pop(1)
from exportctl.cli import stdout
from exportctl.cli.main import main

def signal_me(*_):
    os.kill(os.getpid(), signum)

if when == "flush":
    finish = stdout.finish
    stdout.finish = lambda code: (signal_me(), finish(code))[1]
else:
    atexit.register(signal_me)
sys.argv[0] = "exportctl"
main()
"""

ENDINGS = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]


def _signalled_at_the_end(
    signum: int, when: str, *args: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", AT_THE_END, str(int(signum)), when, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("signum", ENDINGS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_as_a_download_ends_gives_its_exit_code_and_no_traceback(
    sandbox: Sandbox, tmp_path: Path, signum: int
) -> None:
    done = _signalled_at_the_end(
        signum,
        "flush",
        "download",
        DISCOVERY_DONE,
        "dest",
        "--json",
        env=environ(sandbox.url),
        cwd=tmp_path,
    )
    assert done.returncode == 128 + signum, done.stderr
    assert json.loads(done.stdout)["files"] == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


@pytest.mark.parametrize("signum", ENDINGS, ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("args", [["--version"], ["regions"]], ids=" ".join)
def test_a_signal_while_the_interpreter_is_torn_down_gives_its_exit_code(
    tmp_path: Path, signum: int, args: list[str]
) -> None:
    done = _signalled_at_the_end(signum, "exit", *args, env=environ(), cwd=tmp_path)
    assert done.returncode == 128 + signum, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_a_command_run_in_process_after_another_hears_ctrl_c_afresh(tmp_path: Path) -> None:
    """The first command's end (its signals noted, not raised, from then on) is not
    carried into the next one a program runs through ``main()``."""
    script = """
import signal
from exportctl.cli.main import main
from exportctl.ops import interrupts
try:
    main(["--version"])
except SystemExit:
    pass
interrupts.install()
try:
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    print("raised")
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environ(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout.splitlines()[-1:]) == (0, ["raised"]), done.stderr
