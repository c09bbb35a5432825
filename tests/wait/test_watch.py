"""exportctl watch against the sandbox, on a fake clock; Ctrl-C is a sleep that raises."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text
from wait_support import APP, BACKUP_RUNNING, PINPOINT_STUCK, FakeTime, Run

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.polling.watcher import Watcher
from exportctl.sandbox import Sandbox

DONE_LONG_AGO = f"{APP}/505aef9ebdd25b001a3ff416d4a3baf6"


def stop_after(fake: FakeTime, rounds: int) -> None:
    def interrupt(sleeps: int) -> None:
        if sleeps >= rounds:
            raise KeyboardInterrupt

    fake.hooks.append(interrupt)


def test_running_jobs_then_their_changes_until_ctrl_c(run: Run, fake_time: FakeTime) -> None:
    stop_after(fake_time, 8)

    result = run("watch", "--interval", "10s")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    backup = BACKUP_RUNNING.rsplit("/", 1)[1]
    assert any(backup in line and line.endswith("RUNNING") for line in lines)
    assert any(backup in line and "RUNNING -> COMPLETED" in line for line in lines)
    assert any("RUNNING (PROCESSING) -> RUNNING (COMPLETING)" in line for line in lines)
    # A job that ended long before the watch is not on the board.
    assert not any(DONE_LONG_AGO in line for line in lines)
    assert len(fake_time.sleeps) == 8
    assert all(9 <= s <= 11 for s in fake_time.sleeps)


def test_filters_are_lists(run: Run, fake_time: FakeTime, sandbox: Sandbox) -> None:
    stop_after(fake_time, 1)

    result = run("watch", "--service", "pinpoint", "--status", "RUNNING")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all("pinpoint:" in line and "RUNNING" in line for line in lines)
    assert {s for s, _ in sandbox.calls} == {"pinpoint"}


def test_a_job_that_starts_appears_and_a_deleted_one_leaves(
    run: Run, fake_time: FakeTime, sandbox: Sandbox
) -> None:
    def world(sleeps: int) -> None:
        if sleeps == 1:
            sandbox.set_status("pinpoint", DONE_LONG_AGO.split("/")[1], "PROCESSING")
            sandbox.delete_job("pinpoint", PINPOINT_STUCK.rsplit("/", 1)[1])
        if sleeps == 2:
            raise KeyboardInterrupt

    fake_time.hooks.append(world)

    result = run("watch", "--service", "pinpoint")

    assert result.exit_code == 0
    appeared = [line for line in result.stdout.splitlines() if DONE_LONG_AGO in line]
    assert len(appeared) == 1 and "RUNNING (PROCESSING)" in appeared[0]
    assert "81a049d7ccc7e90a88d519448fb2fc67  no longer found" in result.stdout


def test_ended_jobs_leave_the_board_after_keep(sandbox: Sandbox) -> None:
    fake = FakeTime(sandbox)
    settings = AwsSettings(
        endpoint_url=sandbox.url, region="us-east-1", access_key="x", secret_key="x"
    )
    watcher = Watcher(
        Jobs(Clients(settings)),
        ListQuery(services=("backupsearch",)),
        keep=120,
        clock=fake.clock,
        sleep=fake.sleep,
    )
    backup = BACKUP_RUNNING

    def board() -> dict[str, str]:
        return {e.job.ref: e.job.status for e in watcher.rows()}

    watcher._round()
    assert board()[backup] == "RUNNING"
    fake.sleep(40)
    watcher._round()
    assert board()[backup] == "COMPLETED"
    # Ended ones come after the running ones.
    assert [e.job.terminal for e in watcher.rows()] == sorted(
        e.job.terminal for e in watcher.rows()
    )
    fake.sleep(100)
    watcher._round()
    assert backup in board()
    fake.sleep(30)
    watcher._round()
    assert backup not in board()


def test_refused_credentials_end_the_watch(run: Run) -> None:
    result = run("watch", AWS_ACCESS_KEY_ID="DENIED")

    assert result.exit_code == 4
    assert "Traceback" not in result.stderr


def test_a_job_that_leaves_the_filtered_state_is_shown_ending_not_lost(
    run: Run, fake_time: FakeTime
) -> None:
    stop_after(fake_time, 5)

    result = run("watch", "--service", "backupsearch", "--status", "running", "--interval", "10s")

    assert result.exit_code == 0, result.stderr
    assert "RUNNING -> COMPLETED" in result.stdout
    assert "no longer found" not in result.stdout


def test_a_failure_is_told_once_while_it_lasts_whatever_its_counts() -> None:
    from types import SimpleNamespace

    from exportctl.domain.errors import AwsError
    from exportctl.ops.polling.events import Event

    rounds = iter(range(1, 10))

    class Storm:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            n = next(rounds)
            # Its counts of attempts and seconds move from round to round.
            failure = AwsError(f"Amazon Pinpoint: failed {n + 3} times over {n * 2.5} s")
            return SimpleNamespace(jobs=[], failures=[failure], notices=[], answered=False)

    told: list[Event] = []
    watcher = Watcher(Storm(), ListQuery(), keep=60, on_event=told.append)  # type: ignore[arg-type]
    for _ in range(3):
        watcher._round()
    retrying = [e.message for e in told if e.kind == "retrying"]
    assert retrying == ["Amazon Pinpoint: failed 4 times over 2.5 s"]
    # What a live view shows is the latest.
    assert watcher.problems == {"Amazon Pinpoint: failed 6 times over 7.5 s"}


def test_a_job_that_ran_between_two_rounds_ends_as_one_seen_running() -> None:
    from types import SimpleNamespace

    from exportctl.domain.model import ExportJob, State
    from exportctl.domain.timeutil import now
    from exportctl.ops.polling.events import Event
    from exportctl.output.eventlines import event_types

    def job(name: str, state: State) -> ExportJob:
        return ExportJob(service="discovery", ref=f"discovery:us-east-1:{name}", id=name,
                         region="us-east-1", state=state, status=state.value,
                         created=now(), completed=now() if state.terminal else None)  # fmt: skip

    rounds = iter([[job("before", State.FAILED)], [job("before", State.FAILED),
                   job("between", State.FAILED)]])  # fmt: skip

    class Listing:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            return SimpleNamespace(jobs=next(rounds), failures=[], notices=[], answered=True)

    told: list[Event] = []
    watcher = Watcher(Listing(), ListQuery(), keep=600, on_event=told.append)  # type: ignore[arg-type]
    watcher._round()
    watcher._round()
    lines = [
        (e.tracked.job.id, t)
        for e in told
        if e.tracked and e.tracked.job
        for t in event_types(e, ends_on_decision=False)
    ]
    # Ended before the watch began: only ADDED. Ran between two rounds: it ended.
    assert lines == [("before", "ADDED"), ("between", "ADDED"), ("between", "ENDED")]


def _scripted(rounds: list[tuple[list[object], list[object], list[object]]]) -> object:
    """A listing that answers each round with (jobs, failures, notices) in turn."""
    from types import SimpleNamespace

    answers = iter(rounds)

    class Listing:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            jobs, failures, notices = next(answers)
            # A job listed, or no failure: some target answered.
            return SimpleNamespace(jobs=jobs, failures=failures, notices=notices,
                                   answered=bool(jobs) or not failures)  # fmt: skip

    return Listing()


def _job(service: str, name: str, state: object, *, ended_ago: float | None = 0.0) -> object:
    from datetime import timedelta

    from exportctl.domain.model import ExportJob, State
    from exportctl.domain.timeutil import now

    assert isinstance(state, State)
    done = (
        now() - timedelta(seconds=ended_ago) if state.terminal and ended_ago is not None else None
    )
    return ExportJob(service=service, ref=f"{service}:us-east-1:{name}", id=name,
                     region="us-east-1", state=state, status=state.value,
                     created=done, completed=done)  # fmt: skip


def _lines(told: list[object]) -> list[tuple[str, str]]:
    from exportctl.output.eventlines import event_types

    return [
        (e.tracked.job.id, t)  # type: ignore[attr-defined]
        for e in told
        if e.tracked and e.tracked.job  # type: ignore[attr-defined]
        for t in event_types(e, ends_on_decision=False)  # type: ignore[arg-type]
    ]


def test_a_service_refused_for_a_round_loses_no_job_and_ends_none_again() -> None:
    from exportctl.domain.errors import CredentialsError
    from exportctl.domain.model import State

    old = _job("personalize", "old", State.COMPLETED, ended_ago=86400.0)
    running = _job("personalize", "run", State.RUNNING)
    denied = CredentialsError("Amazon Personalize: access denied", service="personalize")
    told: list[object] = []
    watcher = Watcher(
        _scripted([([running, old], [], []), ([], [], [denied]), ([running, old], [], [])]),  # type: ignore[arg-type]
        ListQuery(), keep=3 * 86400.0, on_event=told.append,
    )  # fmt: skip
    for _ in range(3):
        watcher._round()
    # Refused (a notice in a listing of all): not gone; listed again: not new, not ended.
    assert _lines(told) == [("run", "ADDED"), ("old", "ADDED")]


def test_a_service_first_answering_after_round_one_ends_none_of_its_old_jobs() -> None:
    from exportctl.domain.errors import AwsError
    from exportctl.domain.model import State

    old = _job("personalize", "old", State.FAILED, ended_ago=86400.0)
    failing = AwsError("Amazon Personalize: HTTP 500", service="personalize")
    told: list[object] = []
    watcher = Watcher(_scripted([([], [failing], []), ([old], [], [])]),  # type: ignore[arg-type]
                      ListQuery(), keep=3 * 86400.0, on_event=told.append)  # fmt: skip
    watcher._round()
    watcher._round()
    assert _lines(told) == [("old", "ADDED")]


def test_a_filtered_watch_ends_a_job_it_saw_running_whatever_its_times() -> None:
    from exportctl.domain.model import State

    # EC2 gives no times; the filter kept the running job off the board.
    running = _job("ec2", "export-ami-1", State.RUNNING)
    done = _job("ec2", "export-ami-1", State.COMPLETED, ended_ago=None)
    told: list[object] = []
    watcher = Watcher(
        _scripted([([running], [], []), ([done], [], [])]),  # type: ignore[arg-type]
        ListQuery(states=frozenset({State.COMPLETED})), keep=600, on_event=told.append,
    )  # fmt: skip
    watcher._round()
    watcher._round()
    assert _lines(told) == [("export-ami-1", "ADDED"), ("export-ami-1", "ENDED")]


def test_a_job_ended_on_the_board_is_not_added_again_after_keep() -> None:
    from exportctl.domain.model import State

    # The service's clock ahead of this one: its times say the job ended just now.
    ahead = _job("discovery", "e-1", State.COMPLETED, ended_ago=-600.0)
    running = _job("discovery", "e-1", State.RUNNING)
    clock = iter([0.0, 10.0, 1000.0, 2000.0])
    told: list[object] = []
    watcher = Watcher(
        _scripted([([running], [], []), ([ahead], [], []), ([ahead], [], []), ([ahead], [], [])]),  # type: ignore[arg-type]
        ListQuery(), keep=20, clock=lambda: next(clock), on_event=told.append,
    )  # fmt: skip
    for _ in range(4):
        watcher._round()
    assert [t for _, t in _lines(told)] == ["ADDED", "MODIFIED", "ENDED"]


def test_exec_commands_an_interrupt_leaves_unrun_are_named() -> None:
    from types import SimpleNamespace

    from exportctl.cli.events import EventSink
    from exportctl.domain.model import State
    from exportctl.ops.polling.events import Event
    from exportctl.ops.polling.outcome import Tracked
    from exportctl.services.refs import parse

    said: list[str] = []
    app = SimpleNamespace(notice=said.append, error=said.append)
    sink = EventSink(app, lines=False, exec_command="sleep 1",  # type: ignore[arg-type]
                     ends_on_decision=False)  # fmt: skip
    for name in ("e-1", "e-2", "e-3"):
        running = _job("discovery", name, State.RUNNING)
        done = _job("discovery", name, State.COMPLETED)
        ref = done.ref  # type: ignore[attr-defined]
        sink.handle(Event("changed", Tracked(ref, parse(ref), done), before=running))  # type: ignore[arg-type]
    # Interrupted while the first one runs: the two behind it never run, and say so.
    sink.finish(0.2)
    assert said == [
        "--exec did not run for 2 jobs that ended: discovery:us-east-1:e-2, discovery:us-east-1:e-3"
    ]


def test_a_board_taller_than_the_terminal_keeps_its_footer_and_failures() -> None:
    import io

    from rich.console import Console

    from exportctl.domain.errors import AwsError
    from exportctl.domain.model import State
    from exportctl.output.live import WatchView

    jobs = [_job("discovery", f"e-{n:02}", State.RUNNING) for n in range(40)]
    denied = AwsError("Amazon DynamoDB: access denied", service="dynamodb")
    watcher = Watcher(_scripted([(jobs, [denied], [])]), ListQuery(), keep=600)  # type: ignore[arg-type]
    watcher._round()
    buffer = io.StringIO()
    Console(file=buffer, width=120, height=24, color_system=None, force_terminal=True).print(
        WatchView(watcher, "us-east-1")
    )
    lines = buffer.getvalue().splitlines()
    assert len(lines) <= 24
    assert lines[-1] == "retrying after: Amazon DynamoDB: access denied"
    assert lines[-2].startswith("round 1") and "40 running" in lines[-2]
    assert lines[-3].startswith("… ") and "more lines" in lines[-3]


def _denied(account: str) -> object:
    from exportctl.domain.errors import ExitCode, ServiceUnavailableError

    return ServiceUnavailableError(f"account {account}: Amazon RDS: access denied",
                                   service="rds", exit_code=ExitCode.CREDENTIALS)  # fmt: skip


def _every_round(failures: list[object], *, answered: bool) -> object:
    """A listing that lists no job each round, failing so."""
    from types import SimpleNamespace

    class Listing:
        calls = CallCounter()

        def list(self, query: object, **_: object) -> SimpleNamespace:
            return SimpleNamespace(jobs=[], failures=failures, notices=[], answered=answered)

    return Listing()


def test_an_account_denied_beside_one_that_answered_with_no_job_is_retried() -> None:
    from exportctl.ops.polling.events import Event

    told: list[Event] = []
    # 900000000000 answered, with no job; 444455556666 was denied RDS (exit 4).
    listing = _every_round([_denied("444455556666")], answered=True)
    watcher = Watcher(listing, ListQuery(services=("rds",)), keep=60, on_event=told.append)  # type: ignore[arg-type]
    watcher._round()
    watcher._round()
    assert [e.message for e in told if e.kind == "retrying"] == [
        "account 444455556666: Amazon RDS: access denied"
    ]


def test_a_denial_beside_failures_a_round_may_mend_is_retried() -> None:
    from exportctl.domain.errors import BrokenAnswerError

    broken = BrokenAnswerError("account 210987654321: Amazon RDS: not what its API returns")
    # No target answered: one denied, the others' answers broken.
    listing = _every_round([_denied("444455556666"), broken], answered=False)
    watcher = Watcher(listing, ListQuery(), keep=60)  # type: ignore[arg-type]
    watcher._round()
    watcher._round()
    assert len(watcher.problems) == 2


def test_a_round_every_target_refused_ends_the_watch_with_all_its_failures() -> None:
    import pytest

    from exportctl.domain.errors import ServiceUnavailableError

    failures = [_denied("444455556666"), _denied("900000000000")]
    watcher = Watcher(_every_round(failures, answered=False), ListQuery(), keep=60)  # type: ignore[arg-type]
    with pytest.raises(ServiceUnavailableError):
        watcher._round()
    assert watcher.failures == failures


def test_refused_access_everywhere_is_said_of_every_service_as_list_says_it(run: Run) -> None:
    listed = run("list", AWS_ACCESS_KEY_ID="DENIED")
    result = run("watch", AWS_ACCESS_KEY_ID="DENIED")

    assert (result.exit_code, listed.exit_code) == (4, 4)
    errors = [line for line in result.stderr.splitlines() if line.startswith("exportctl: error:")]
    assert len(errors) == 8
    assert errors == [line for line in listed.stderr.splitlines() if "error:" in line]


def _on_a_terminal(monkeypatch: pytest.MonkeyPatch, width: int) -> list[Console]:
    """stdout's console as on a terminal ``width`` columns wide, for a live board in
    process; the consoles made, whose width a test changes as a SIGWINCH would."""
    from exportctl.output import console as consoles

    made: list[Console] = []
    make = consoles.make_console

    def on_terminal(*, stderr: bool = False, no_color: bool = False) -> Console:
        console = make(stderr=stderr, no_color=no_color)
        if not stderr:
            console.tty = True  # type: ignore[attr-defined]
            console.size = (width, 50)
            made.append(console)
        return console

    monkeypatch.setattr(consoles, "make_console", on_terminal)
    return made


def _above_the_board(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lines printed above the live board, as they come."""
    from exportctl.output.display import Display

    lines: list[str] = []
    print_line = Display.print

    def recorded(self: Display, line: Text) -> None:
        lines.append(line.plain)
        print_line(self, line)

    monkeypatch.setattr(Display, "print", recorded)
    return lines


@pytest.mark.parametrize("first", [100, 40])
def test_a_reference_a_narrowed_terminal_cuts_on_the_board_is_printed_whole_once(
    run: Run, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch, first: int
) -> None:
    # Narrowed after the first round (SIGWINCH): the references the board showed whole
    # at 100 columns, and printed nowhere else, are cut there at 40. (No profile: the
    # references name their region, 84 characters.)
    consoles = _on_a_terminal(monkeypatch, first)
    above = _above_the_board(monkeypatch)

    def narrowed(sleeps: int) -> None:
        if sleeps == 1:
            consoles[0].size = (40, 50)
        if sleeps == 3:
            raise KeyboardInterrupt

    fake_time.hooks.append(narrowed)

    result = run("watch", "--service", "pinpoint", "--interval", "10s")

    assert result.exit_code == 0, result.stderr

    def whole(job: str) -> int:
        ref = f"pinpoint:us-east-1:{APP}/{job}"
        return sum(line == ref or line.startswith(f"{ref}  ") for line in above)

    # Stuck in COMPLETING: printed once, never again. Running then completing: its
    # change lines hold it whole as well.
    assert whole(PINPOINT_STUCK.rsplit("/", 1)[1]) == 1, above
    assert whole("9fe8110102c995f1abef543b5dfce8a9") >= 1, above
