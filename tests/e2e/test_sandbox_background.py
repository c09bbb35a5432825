"""`eval "$(exportctl sandbox --detach)"` in a real shell: it returns, the shell
uses the sandbox, `--stop` ends it and unsets what it set; nothing is left."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest
from e2e_support import console_script, exportctl, in_process, isolated_env

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gone(pid: int) -> bool:
    """Not running: no such process, or one that exited and waits to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    states = [line.split()[1] for line in status.splitlines() if line.startswith("State:")]
    return states[0] in ("Z", "X")


def refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_eval_detach_use_and_stop_in_a_real_shell(tmp_path: Path) -> None:
    port, s3_port = free_port(), free_port()
    exe = console_script()
    script = f"""
set -e
eval "$({exe} sandbox --detach --port {port} --s3-port {s3_port})"
echo "endpoint=$AWS_ENDPOINT_URL"
echo "s3=$AWS_ENDPOINT_URL_S3"
echo "pid=$EXPORTCTL_SANDBOX_PID"
{exe} list -s discovery --json > {tmp_path / "listed.json"}
again=$({exe} sandbox --detach --no-s3 2>&1 >/dev/null) && code=0 || code=$?
echo "again=$code $again"
eval "$({exe} sandbox --stop)"
echo "after=${{AWS_ENDPOINT_URL-unset}} ${{AWS_ACCESS_KEY_ID-unset}} \
${{EXPORTCTL_SANDBOX_PID-unset}}"
"""
    # A sandbox that kept the command substitution open would hang here.
    done = subprocess.run(
        ["bash", "-c", script], env=isolated_env(), capture_output=True, text=True, timeout=120
    )
    said = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    pid = int(said.get("pid") or 0)
    try:
        assert done.returncode == 0, done.stderr
        # The ports asked for, not whatever was free.
        assert said["endpoint"] == f"http://127.0.0.1:{port}"
        assert said["s3"] == f"http://127.0.0.1:{s3_port}"
        assert json.loads((tmp_path / "listed.json").read_text())
        # Detached again from the same shell: refused, or the first would be left
        # running with nothing pointing at it.
        assert said["again"] == (
            f"2 exportctl: error: a sandbox already serves in the background at "
            f"http://127.0.0.1:{port} (pid {pid}), as this shell's variables say: stop it "
            'first with eval "$(exportctl sandbox --stop)"'
        )
        assert said["after"] == "unset unset unset"
        assert refused(port) and refused(s3_port)
        assert gone(pid)
        assert "Traceback" not in done.stderr
    finally:
        if pid and not gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_foreground_says_how_to_use_it_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [console_script(), "sandbox", "--no-s3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=isolated_env(PYTHONUNBUFFERED="1"),
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("# exportctl sandbox listening on"):
                break
        assert lines[0].startswith("export AWS_ENDPOINT_URL=http://127.0.0.1:")
        hint = [process.stderr.readline() for _ in range(4)]
        assert "another" in "".join(hint) and "exportctl sandbox --detach" in "".join(hint)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_stop_with_nothing_there_is_a_usage_error() -> None:
    done = exportctl(None, "sandbox", "--stop", "--port", str(free_port()))
    assert done.returncode == 2
    assert "no exportctl sandbox answers at http://127.0.0.1:" in done.stderr


def test_stop_after_the_sandbox_was_killed_still_unsets_what_detach_set() -> None:
    # As --detach left this shell, the sandbox since killed with SIGKILL.
    url = f"http://127.0.0.1:{free_port()}"
    done = in_process(
        None, "sandbox", "--stop", AWS_ENDPOINT_URL=url, EXPORTCTL_SANDBOX_PID="4194304"
    )
    assert done.returncode == 0, done.stderr
    unset, said = done.stdout.splitlines()
    assert unset.startswith("unset AWS_ENDPOINT_URL ") and "EXPORTCTL_SANDBOX_PID" in unset
    assert said == f"# exportctl sandbox (pid 4194304) was gone: nothing answered at {url}"


def test_stop_ends_this_shells_sandbox_that_runs_but_no_longer_answers() -> None:
    # Stopped with SIGSTOP (or too busy to answer): its process runs, nothing answers.
    url, pid = detach(free_port())
    try:
        os.kill(pid, signal.SIGSTOP)
        done = in_process(
            None, "sandbox", "--stop", AWS_ENDPOINT_URL=url, EXPORTCTL_SANDBOX_PID=str(pid)
        )
        assert done.returncode == 0, done.stderr
        unset, said = done.stdout.splitlines()
        assert unset.startswith("unset AWS_ENDPOINT_URL ") and "EXPORTCTL_SANDBOX_PID" in unset
        assert said == f"# exportctl sandbox (pid {pid}) stopped: it no longer answered at {url}"
        assert gone(pid)
    finally:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_stop_leaves_a_process_that_took_the_pid_of_this_shells_sandbox() -> None:
    # The sandbox was killed, its pid since given to a process of another kind.
    other = subprocess.Popen(["sleep", "600"])
    try:
        url = f"http://127.0.0.1:{free_port()}"
        done = in_process(
            None, "sandbox", "--stop", AWS_ENDPOINT_URL=url, EXPORTCTL_SANDBOX_PID=str(other.pid)
        )
        assert done.returncode == 0, done.stderr
        said = done.stdout.splitlines()[1]
        assert said == f"# exportctl sandbox (pid {other.pid}) was gone: nothing answered at {url}"
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_a_busy_port_fails_the_detach_and_leaves_nothing() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = exportctl(None, "sandbox", "--detach", "--no-s3", "--port", str(port))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("exportctl: error: cannot serve on 127.0.0.1") and str(port) in line
    assert done.stdout == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_detach_whose_lines_cannot_be_written_leaves_nothing_serving() -> None:
    from test_full_disk import run_into_full_device

    port = free_port()
    done = run_into_full_device(
        [console_script(), "sandbox", "--detach", "--no-s3", "--port", str(port)]
    )
    assert done.returncode == 73, done.stderr
    # The shell never learnt of it: nothing is left serving there.
    assert refused(port)


def detach(port: int) -> tuple[str, int]:
    """A sandbox started by `exportctl sandbox --detach`, as another shell would: its
    URL and pid."""
    done = exportctl(None, "sandbox", "--detach", "--no-s3", "--port", str(port))
    assert done.returncode == 0, done.stderr
    said = dict(
        line.removeprefix("export ").split("=", 1)
        for line in done.stdout.splitlines()
        if line.startswith("export ")
    )
    return said["AWS_ENDPOINT_URL"], int(said["EXPORTCTL_SANDBOX_PID"])


def test_the_readmes_detach_example_shows_the_reference_list_prints_after_the_eval() -> None:
    """The example is illustrative (its pid differs each time), its jobs seeded: the
    reference it shows is the one a listing prints, the region in it, since the eval
    set AWS_REGION (only the profile's region is left out)."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("<!-- illustrative: a sandbox in the background")[1]
    shown = next(line.split()[1] for line in example.splitlines() if line.startswith("pinpoint "))
    done = exportctl(None, "sandbox", "--detach", "--no-s3", "--port", str(free_port()))
    assert done.returncode == 0, done.stderr
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in done.stdout.splitlines()
        if line.startswith("export ")
    )
    try:
        listed = in_process(None, "list", "-s", "pinpoint", "--limit", "1", COLUMNS="200", **env)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines()[1].split()[1] == shown
    finally:
        stopped = in_process(None, "sandbox", "--stop", **env)
        assert stopped.returncode == 0, stopped.stderr


def test_stop_leaves_another_shells_sandbox_on_the_port_this_ones_had() -> None:
    # This shell's sandbox was killed with SIGKILL; another shell's took its port since.
    url, theirs = detach(free_port())
    try:
        done = in_process(
            None, "sandbox", "--stop", AWS_ENDPOINT_URL=url, EXPORTCTL_SANDBOX_PID="4194304"
        )
        assert done.returncode == 0, done.stderr
        unset, said = done.stdout.splitlines()
        assert unset.startswith("unset AWS_ENDPOINT_URL ") and "EXPORTCTL_SANDBOX_PID" in unset
        assert said == (
            f"# exportctl sandbox (pid 4194304) was gone: another (pid {theirs}) serves at"
            f" {url}, left running"
        )
        assert not gone(theirs)
        # Named by --port from a shell whose variables name another: refused, left running.
        done = in_process(
            None,
            "sandbox", "--stop", "--port", url.rpartition(":")[2],
            AWS_ENDPOINT_URL="http://127.0.0.1:1", EXPORTCTL_SANDBOX_PID="4194304",
        )  # fmt: skip
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr == (
            f"exportctl: error: the sandbox at {url} (pid {theirs}) is not this shell's"
            " (EXPORTCTL_SANDBOX_PID=4194304): left running\n"
        )
        assert not gone(theirs)
    finally:
        stopped = in_process(None, "sandbox", "--stop", AWS_ENDPOINT_URL=url)
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.endswith(f"# exportctl sandbox (pid {theirs}) stopped\n")


def test_stop_leaves_a_sandbox_that_detach_did_not_start() -> None:
    # A foreground sandbox; a running `exportctl --sandbox watch`'s is refused alike.
    port = free_port()
    process = subprocess.Popen(
        [console_script(), "sandbox", "--no-s3", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=isolated_env(PYTHONUNBUFFERED="1"),
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("# exportctl sandbox listening on"):
                break
        done = in_process(None, "sandbox", "--stop", "--port", str(port))
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr == (
            f"exportctl: error: the sandbox at http://127.0.0.1:{port} (pid {process.pid}) is"
            " not one `exportctl sandbox --detach` started: left running\n"
        )
        assert process.poll() is None and not refused(port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_stop_leaves_the_sandbox_of_a_running_sandbox_command() -> None:
    from exportctl.aws.clients import AwsSettings
    from exportctl.sandbox.embedded import Embedded

    # As `exportctl --sandbox watch` serves its own while it runs.
    running = Embedded(AwsSettings())
    try:
        url = running.sandbox.url
        done = in_process(None, "sandbox", "--stop", "--port", url.rpartition(":")[2])
        assert done.returncode == 2 and done.stdout == ""
        assert "is not one `exportctl sandbox --detach` started: left running" in done.stderr
        assert not refused(running.sandbox.port)
    finally:
        running.stop()


def test_a_command_pointed_at_a_background_sandbox_that_is_gone_says_so_at_once() -> None:
    # The pid of a process that has ended (and been reaped).
    pid = subprocess.Popen(["true"])
    pid.wait()
    done = in_process(
        None,
        "list",
        "-s",
        "discovery",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
        EXPORTCTL_SANDBOX_PID=str(pid.pid),
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="x",
        AWS_REGION="us-east-1",
    )
    # Not every call's retries against a refused port, then "check the network".
    assert done.returncode == 5
    assert done.stderr == (
        f"exportctl: error: the background sandbox AWS_ENDPOINT_URL points at (pid {pid.pid}) "
        'is gone: `eval "$(exportctl sandbox --stop)"` unsets what --detach set, '
        '`eval "$(exportctl sandbox --detach)"` starts another\n'
    )


@pytest.mark.parametrize("command", ["wait", "watch"])
def test_a_poll_that_loses_its_background_sandbox_says_it_is_gone_and_ends(command: str) -> None:
    """The sandbox stopped from another terminal while a wait or a watch runs: once a
    call cannot connect, the command ends as one started after the stop does (exit 5,
    the same line), not retrying for ever with "could not reach"."""
    from e2e_support import _environment

    from exportctl.sandbox import Sandbox

    # Stands for the background sandbox's process, ended by the test with the sandbox.
    holder = subprocess.Popen(["sleep", "600"])
    try:
        with Sandbox(port=0, clock=lambda: 0.0) as sb:
            listed = in_process(sb, "list", "-s", "discovery", "--status", "running", "--json")
            ref = json.loads(listed.stdout)[0]["ref"]
            args = (
                ["wait", ref]
                if command == "wait"
                else ["watch", "-s", "discovery", "--status", "running"]
            )
            process = subprocess.Popen(
                [console_script(), *args, "--interval", "1s", "-o", "ndjson"],
                env=_environment(sb, {"EXPORTCTL_SANDBOX_PID": str(holder.pid)}),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            # Its first round has read the job.
            assert process.stdout.readline()
        holder.kill()
        holder.wait()
        try:
            _, err = process.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"still polling a sandbox that is gone: {err!r}")
    finally:
        holder.kill()
        holder.wait()
    assert process.returncode == 5, err
    assert err.splitlines()[-1] == (
        f"exportctl: error: the background sandbox AWS_ENDPOINT_URL points at (pid {holder.pid}) "
        'is gone: `eval "$(exportctl sandbox --stop)"` unsets what --detach set, '
        '`eval "$(exportctl sandbox --detach)"` starts another'
    )
