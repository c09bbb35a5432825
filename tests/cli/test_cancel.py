"""`exportctl cancel`: what it refuses before any call, what it sends, and --wait, over
HTTP against the sandbox, whose clock only the commands' own sleeps move."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from typing import cast

import pytest
from click.testing import CliRunner, Result
from sleepless import fake_time_for
from sleepless import run as run_sandbox

from exportctl.cli.root import cli
from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox

REGION = "us-east-1"


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    # A sandbox of its own a test: cancels change the world.
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        fake_time_for(sb, monkeypatch)
        yield sb


def run(sb: Sandbox, *args: str) -> Result:
    return run_sandbox(sb, *args)


def running(sb: Sandbox, service: str) -> str:
    listed = run(sb, "list", "-s", service, "--status", "running", "-o", "text", "--fields", "ref")
    assert listed.exit_code == 0, listed.output
    return listed.stdout.split()[0]


def calls(sb: Sandbox) -> dict[str, int]:
    """Calls made, by operation."""
    counted: dict[str, int] = {}
    for (_, operation), count in sb.calls.items():
        counted[operation] = counted.get(operation, 0) + count
    return counted


def test_a_service_without_a_cancel_call_is_refused_before_any_call(sandbox: Sandbox) -> None:
    cancellable = running(sandbox, "logs")
    other = running(sandbox, "discovery")
    sandbox.reset_calls()
    done = run(sandbox, "cancel", cancellable, other)
    assert done.exit_code == ExitCode.USAGE
    assert "has no cancel call" in done.stderr and done.stdout == ""
    assert sum(calls(sandbox).values()) == 0


def test_each_service_without_a_cancel_call_is_named_on_a_line_of_its_own(
    sandbox: Sandbox,
) -> None:
    # Fixed one at a time, a command line of several would need a run for each.
    refs = [running(sandbox, "discovery"), running(sandbox, "logs")]
    listed = run(sandbox, "list", "-s", "personalize", "-o", "text", "--fields", "ref")
    refs += listed.stdout.split()[:2]
    sandbox.reset_calls()
    done = run(sandbox, "cancel", *refs, "--json")
    assert done.exit_code == ExitCode.USAGE
    lines = done.stderr.splitlines()
    assert [line.split(" has no cancel call")[0] for line in lines] == [
        "exportctl: error: AWS Application Discovery",
        "exportctl: error: Amazon Personalize",
    ], done.stderr
    # Each job of the service named on its line.
    for ref in refs[2:]:
        assert ref.rsplit("/", 1)[-1] in lines[1]
    assert done.stdout == "" and sum(calls(sandbox).values()) == 0


@pytest.mark.parametrize(
    ("given", "option"),
    [(["--timeout", "5s"], "--timeout"), (["--interval", "1s"], "--interval"), (["-q"], "--quiet")],
)
def test_the_settings_of_a_wait_without_wait_are_refused_before_any_call(
    sandbox: Sandbox, given: list[str], option: str
) -> None:
    job = running(sandbox, "logs")
    sandbox.reset_calls()
    done = run(sandbox, "cancel", *given, job)
    # A forgotten --wait: no wait, the table despite -q, exit 0.
    assert done.exit_code == ExitCode.USAGE
    assert (
        done.stderr == f"exportctl: error: {option} is for --wait: add it, or leave {option} out\n"
    )
    assert sum(calls(sandbox).values()) == 0


@pytest.mark.parametrize("service", ["rds", "logs", "ec2"])
def test_a_cancel_is_sent_and_the_job_shown_as_it_is_after_it(
    sandbox: Sandbox, service: str
) -> None:
    ref = running(sandbox, service)
    done = run(sandbox, "cancel", ref, "--json")
    assert done.exit_code == 0, done.output
    job = json.loads(done.stdout)
    # Still running, in the service's word for a cancel under way.
    assert job["state"] == "RUNNING" and not job["terminal"]
    assert job["status"] in {"CANCELING", "PENDING_CANCEL", "deleting", "cancelling"}
    assert calls(sandbox).get("CancelExportTask") == 1


@pytest.mark.parametrize("service", ["rds", "logs", "ec2"])
def test_a_cancel_under_way_is_not_sent_again_and_is_no_error(
    sandbox: Sandbox, service: str
) -> None:
    ref = running(sandbox, service)
    assert run(sandbox, "cancel", ref).exit_code == 0
    again = run(sandbox, "cancel", ref, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["status"] in {"CANCELING", "PENDING_CANCEL", "deleting",
                                                   "cancelling"}  # fmt: skip
    assert calls(sandbox).get("CancelExportTask") == 1


@pytest.mark.parametrize("service", ["rds", "logs", "ec2"])
@pytest.mark.parametrize("fate", ["drop-after-commit", "error-after-commit"])
def test_a_cancel_whose_answer_was_lost_is_the_cancel_under_way(
    sandbox: Sandbox, service: str, fate: str
) -> None:
    ref = running(sandbox, service)
    sandbox.faults.fates = {f"{service}:CancelExportTask": [fate]}
    done = run(sandbox, "cancel", ref, "--json")
    # Its retry is refused (a cancel is under way): the job as read then.
    assert done.exit_code == 0, done.output
    assert not json.loads(done.stdout)["terminal"]


def test_a_job_that_has_ended_is_named_and_not_sent_a_cancel(sandbox: Sandbox) -> None:
    listed = run(sandbox, "list", "-s", "rds", "--status", "completed", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    ended = listed.stdout.split()[0]
    sandbox.reset_calls()
    done = run(sandbox, "cancel", ended)
    assert done.exit_code == ExitCode.JOB_FAILED
    assert "already ended as COMPLETED" in done.stderr
    assert "CancelExportTask" not in calls(sandbox)


@pytest.mark.parametrize("wait", [[], ["--wait", "--interval", "5s"]])
def test_a_job_already_cancelled_is_shown_and_no_error(sandbox: Sandbox, wait: list[str]) -> None:
    # What a cancel is for: exit 0 as for a cancel under way, whichever of the two a
    # script that runs it again meets.
    listed = run(sandbox, "list", "-s", "rds", "--status", "cancelled", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    ended = listed.stdout.split()[0]
    sandbox.reset_calls()
    done = run(sandbox, "cancel", *wait, ended, "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["state"] == "CANCELLED"
    assert f"exportctl: notice: {ended}: already CANCELLED (CANCELED): nothing to cancel" in (
        done.stderr
    )
    assert "error" not in done.stderr
    assert "CancelExportTask" not in calls(sandbox)


def test_several_refs_one_ended_cancels_the_others_and_exits_1(sandbox: Sandbox) -> None:
    listed = run(sandbox, "list", "-s", "logs", "--status", "failed", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    ended, live = listed.stdout.split()[0], running(sandbox, "logs")
    done = run(sandbox, "cancel", ended, live, "-o", "json")
    assert done.exit_code == ExitCode.JOB_FAILED
    assert [job["ref"].split(":")[-1] for job in json.loads(done.stdout)] == [live.split(":")[-1]]


def test_wait_follows_the_cancel_to_cancelled(sandbox: Sandbox) -> None:
    ref = running(sandbox, "rds")
    done = run(sandbox, "cancel", ref, "--wait", "--interval", "5s", "--json")
    assert done.exit_code == 0, done.output
    job = json.loads(done.stdout)
    assert job["state"] == "CANCELLED" and job["status"] == "CANCELED"


def test_the_help_names_the_services_that_can_cancel_from_their_specs() -> None:
    from exportctl.cli.servicehelp import in_prose_order

    shown = CliRunner().invoke(cli, ["cancel", "--help"], terminal_width=200).output
    for spec in in_prose_order():
        assert spec.short_title in shown
    able = next(spec.name for spec in in_prose_order() if spec.cancel)
    assert f"--service {able}" in shown


@pytest.mark.parametrize(
    ("refs", "shape"),
    [
        (["LIVE", "rds:nothere"], ["rds"]),
        (["LIVE", "ENDED"], ["rds"]),
        (["rds:nothere"], None),
        (["rds:nothere", "logs:nothere"], []),
    ],
)
def test_wait_prints_one_object_for_one_ref_and_an_array_for_several(
    sandbox: Sandbox, refs: list[str], shape: object
) -> None:
    listed = run(sandbox, "list", "-s", "rds", "--status", "completed", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    named = {"LIVE": running(sandbox, "rds"), "ENDED": listed.stdout.split()[0]}
    given = [named.get(ref, ref) for ref in refs]
    done = run(sandbox, "cancel", "--wait", "--interval", "5s", "--json", *given)
    # Whatever could not be sent a cancel (not found, ended), the document is the
    # command line's: an array for several REFs, null for one not cancelled.
    assert done.exit_code in (ExitCode.JOB_FAILED, ExitCode.NOT_FOUND), done.output
    printed = json.loads(done.stdout)
    if isinstance(shape, list):
        assert [job["service"] for job in printed] == shape
    else:
        assert printed is shape


def test_a_cancel_taken_whose_job_cannot_be_read_after_advises_status_where_it_was_sent(
    sandbox: Sandbox,
) -> None:
    # The advice is a command to run: with the options that sent the cancel where it
    # went, or it reads the default endpoint (AWS itself) or another profile.
    ref = running(sandbox, "rds")
    sandbox.faults.fates = {"rds:DescribeExportTasks": ["ok", *["error"] * 12]}
    done = run(sandbox, "--endpoint-url", sandbox.url, "cancel", ref)
    assert done.exit_code == ExitCode.AWS, done.output
    assert "the cancel was sent, and the job could not be read after it" in done.stderr
    assert f"`exportctl --endpoint-url {sandbox.url} status {ref}` tells where it is" in (
        done.stderr
    ), done.stderr


def test_a_cancel_taken_whose_job_cannot_be_read_after_is_printed_as_read_before_it(
    sandbox: Sandbox,
) -> None:
    # The cancel was sent: `null` would say it was not, and invite another one.
    ref = running(sandbox, "rds")
    before = json.loads(run(sandbox, "status", ref, "--json").stdout)
    sandbox.faults.fates = {"rds:DescribeExportTasks": ["ok", *["error"] * 12]}
    done = run(sandbox, "cancel", ref, "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    assert "the cancel was sent, and the job could not be read after it" in done.stderr
    printed = json.loads(done.stdout)
    assert printed == {key: before[key] for key in printed}
    assert printed["status"] != "CANCELING"
    assert calls(sandbox).get("CancelExportTask") == 1


def test_several_refs_keep_a_cancel_taken_whose_job_cannot_be_read_after_in_their_order(
    sandbox: Sandbox,
) -> None:
    unread, read = running(sandbox, "logs"), running(sandbox, "rds")
    sandbox.faults.fates = {"logs:DescribeExportTasks": ["ok", *["error"] * 12]}
    done = run(sandbox, "cancel", unread, read, "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    printed = json.loads(done.stdout)
    assert [job["service"] for job in printed] == ["logs", "rds"]
    # The one as read before its cancel, the other after its own.
    assert printed[0]["status"] == "RUNNING" and printed[1]["status"] == "CANCELING"


def test_wait_follows_a_cancel_taken_whose_job_cannot_be_read_after_it(
    sandbox: Sandbox,
) -> None:
    ref = running(sandbox, "rds")
    sandbox.faults.fates = {"rds:DescribeExportTasks": ["ok", "error"]}
    done = run(sandbox, "cancel", ref, "--wait", "--interval", "5s", "--json")
    # The read's error is said; the wait reads the job after it, to CANCELLED.
    assert done.exit_code == ExitCode.AWS, done.output
    assert "the cancel was sent" in done.stderr
    assert json.loads(done.stdout)["state"] == "CANCELLED"


UNREAD = ["ok", *["error"] * 12]


@pytest.mark.parametrize(
    ("service", "faults"),
    [
        ("rds", {"fates": {"rds:CancelExportTask": ["drop-after-commit"],
                           "rds:DescribeExportTasks": UNREAD}}),
        ("rds", {"fates": {"rds:CancelExportTask": ["error-after-commit"],
                           "rds:DescribeExportTasks": UNREAD}}),
        # Every answer after the read before the cancel, the cancel's included.
        ("rds", {"garble": {"rds": "empty"}, "garble_after": 1}),
        ("ec2", {"garble": {"ec2": "empty"}, "garble_after": 1}),
    ],
)  # fmt: skip
def test_a_cancel_whose_answer_was_lost_and_whose_job_cannot_be_read_may_have_been_sent(
    sandbox: Sandbox, service: str, faults: dict[str, object]
) -> None:
    # It may have been taken: a failure and `null` would say it was not, and invite
    # another; the job is printed as read before it, and status is the way to know.
    ref = running(sandbox, service)
    before = json.loads(run(sandbox, "status", ref, "--json").stdout)
    sandbox.faults.update(faults)
    done = run(sandbox, "cancel", ref, "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    assert f"{ref}: the cancel may have been sent (its answer was lost)" in done.stderr
    assert f"`exportctl --endpoint-url {sandbox.url} status {ref}` tells where it is" in (
        done.stderr
    ), done.stderr
    printed = json.loads(done.stdout)
    assert printed == {key: before[key] for key in printed}


def test_a_cancel_whose_answer_was_lost_is_waited_for_when_its_job_cannot_be_read(
    sandbox: Sandbox,
) -> None:
    ref = running(sandbox, "rds")
    sandbox.faults.fates = {
        "rds:CancelExportTask": ["error-after-commit"],
        "rds:DescribeExportTasks": ["ok", "error"],
    }
    done = run(sandbox, "cancel", ref, "--wait", "--interval", "5s", "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    assert "the cancel may have been sent" in done.stderr
    assert json.loads(done.stdout)["state"] == "CANCELLED"


def test_a_cancel_refused_whose_job_cannot_be_read_is_a_failure_that_sent_nothing(
    sandbox: Sandbox,
) -> None:
    # Throttled: refused, never taken. Nothing was cancelled, so nothing is printed.
    ref = running(sandbox, "rds")
    sandbox.faults.fates = {
        "rds:CancelExportTask": ["throttle"],
        "rds:DescribeExportTasks": ["ok", "error"],
    }
    done = run(sandbox, "cancel", ref, "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    assert json.loads(done.stdout) is None
    assert "may have been sent" not in done.stderr and "Throttl" in done.stderr


class GoesAway:
    """127.0.0.1 in front of the sandbox, until ``gone()``: each request sent after
    that is cut off, and the port then refuses connections (a request that never
    left, as an endpoint that went away)."""

    def __init__(self, upstream: str, gone: Callable[[], bool]) -> None:
        self._upstream = upstream.removeprefix("http://").split(":")
        self._gone = gone
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            host, port = self._upstream
            up = socket.create_connection((host, int(port)))
            self._open += [conn, up]
            threading.Thread(target=self._relay, args=(conn, up, True), daemon=True).start()
            threading.Thread(target=self._relay, args=(up, conn, False), daemon=True).start()

    def _relay(self, source: socket.socket, to: socket.socket, asks: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if asks and self._gone():
                    self.close()
                    return
                to.sendall(data)
        with contextlib.suppress(OSError):
            to.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.close()


def test_a_cancel_that_reached_the_service_before_its_retries_never_left_may_have_been_sent(
    sandbox: Sandbox,
) -> None:
    # Its first attempt is answered a 5xx once the cancel is taken; its retries, and
    # the read after it, find the endpoint gone (refused: they never left). Judged by
    # the last attempt alone, nothing was sent.
    ref = running(sandbox, "rds")
    before = json.loads(run(sandbox, "status", ref, "--json").stdout)
    sandbox.faults.fates = {"rds:CancelExportTask": ["error-after-commit"]}
    taken = ("rds", "CancelExportTask")
    proxy = GoesAway(sandbox.url, lambda: sandbox.calls[taken] >= 1)
    try:
        done = run_sandbox(cast(Sandbox, proxy), "cancel", ref, "--json", attempts="3")
    finally:
        proxy.close()
    assert done.exit_code == ExitCode.AWS, done.output
    assert f"{ref}: the cancel may have been sent (its answer was lost)" in done.stderr, done.stderr
    printed = json.loads(done.stdout)
    assert printed == {key: before[key] for key in printed}
    assert json.loads(run(sandbox, "status", ref, "--json").stdout)["status"] == "CANCELING"


@pytest.mark.parametrize("lost", [True, False])
def test_ctrl_c_during_a_later_job_names_the_cancels_before_it_and_prints_their_jobs(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, lost: bool
) -> None:
    # Ctrl-C while the last job is read, before its cancel: the cancel of the one
    # before may have been sent (a 5xx once taken; its job unread after it), and the
    # first was found CANCELLED, sent none. Each is printed as the run would have.
    listed = run(sandbox, "list", "-s", "rds", "--status", "cancelled", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    ended, taken, held = listed.stdout.split()[0], running(sandbox, "logs"), running(sandbox, "ec2")
    refs = [ended, taken, held] if lost else [ended, held]
    sandbox.reset_calls()
    sandbox.faults.fates = {
        "logs:CancelExportTask": ["error-after-commit"],
        "logs:DescribeExportTasks": ["ok", *["error"] * 12],
        "ec2:DescribeExportImageTasks": ["error"] * 12,
        "ec2:DescribeExportTasks": ["error"] * 12,
    }

    def ctrl_c(_: int) -> None:
        if any(service == "ec2" for service, _ in sandbox.calls):
            raise KeyboardInterrupt

    fake_time_for(sandbox, monkeypatch).hooks.append(ctrl_c)
    done = run_sandbox(sandbox, "cancel", *refs, "--json", attempts="3")
    assert done.exit_code == 130, done.output
    said = (
        f"exportctl: interrupted: {taken}: the cancel may have been sent (its answer was "
        f"lost); `exportctl --endpoint-url {sandbox.url} status {taken}` tells where it is\n"
        if lost
        else "exportctl: interrupted\n"
    )
    assert done.stderr == said
    printed = json.loads(done.stdout)
    assert [job["ref"] for job in printed] == refs[:-1]
    assert [job["status"] for job in printed] == ["CANCELED", "RUNNING"][: len(refs) - 1]
