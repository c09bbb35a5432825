"""The polling engine on its own: backoff, deadline, which failures a round survives."""

from __future__ import annotations

import random

import botocore.exceptions as bex
import pytest

from exportctl.aws.translate import translate
from exportctl.domain.errors import AwsError, ExitCode, UsageError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.conditions import accepted_words, fold, parse_until
from exportctl.ops.polling.schedule import Backoff, repeat
from exportctl.ops.polling.waiter import transient


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_grows_by_half_to_the_cap_within_its_jitter() -> None:
    backoff = Backoff(interval=4, cap=30, factor=1.5, jitter=0.1)
    rng = random.Random(1)
    for n, expected in enumerate([4, 6, 9, 13.5, 20.25, 30, 30], start=1):
        assert expected * 0.9 <= backoff.delay(n, rng) <= min(30, expected * 1.1)


def test_the_first_round_runs_at_once_and_success_stops_it() -> None:
    clock = Clock()
    answers = iter([False, False, True])

    assert repeat(lambda: next(answers), backoff=Backoff(interval=5), clock=clock,
                  sleep=clock.sleep)  # fmt: skip
    assert len(clock.sleeps) == 2


def test_no_sleep_goes_past_the_deadline_and_the_last_round_is_at_it() -> None:
    clock = Clock()
    checked: list[float] = []

    def never() -> bool:
        checked.append(clock())
        return False

    done = repeat(never, backoff=Backoff(interval=7, cap=60), timeout=100, clock=clock,
                  sleep=clock.sleep)  # fmt: skip

    assert done is False
    assert checked[0] == 0 and checked[-1] == pytest.approx(100)
    assert sum(clock.sleeps) == pytest.approx(100)


def test_a_zero_timeout_checks_once() -> None:
    clock = Clock()
    calls: list[int] = []
    assert not repeat(lambda: bool(calls.append(1)), backoff=Backoff(), timeout=0, clock=clock,
                      sleep=clock.sleep)  # fmt: skip
    assert calls == [1] and clock.sleeps == []


def test_an_exception_ends_the_polling() -> None:
    def boom() -> bool:
        raise UsageError("no")

    with pytest.raises(UsageError):
        repeat(boom, backoff=Backoff(), clock=Clock(), sleep=lambda s: None)


def _client_error(code: str, status: int) -> AwsError | object:
    exc = bex.ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetExportJob",
    )
    try:
        raise translate(exc) from exc
    except Exception as translated:
        return translated


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, True),
        ("TooManyRequestsException", 429, True),
        ("InternalServerErrorException", 500, True),
        ("ServiceUnavailable", 503, True),
        ("AccessDeniedException", 403, False),
        ("UnrecognizedClientException", 400, False),
        ("ValidationException", 400, False),
        ("ResourceNotFoundException", 404, False),
        ("SomethingOdd", 400, False),
    ],
)
def test_which_failures_are_retried(code: str, status: int, expected: bool) -> None:
    error = _client_error(code, status)
    assert transient(error) is expected  # type: ignore[arg-type]


def test_connection_errors_are_retried() -> None:
    cause = bex.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    try:
        raise translate(cause) from cause
    except AwsError as error:
        assert transient(error)


def _job(service: str, status: str, state: State) -> ExportJob:
    return ExportJob(service=service, ref="r", id="i", region="us-east-1", state=state,
                     status=status)  # fmt: skip


def test_a_vendor_word_is_exact_for_its_service_and_a_state_for_others() -> None:
    until = parse_until("succeeded", ["discovery", "pinpoint"])

    assert until.met(_job("discovery", "SUCCEEDED", State.COMPLETED))
    assert until.missed(_job("discovery", "FAILED", State.FAILED))
    assert until.met(_job("pinpoint", "COMPLETED", State.COMPLETED))
    assert not until.met(_job("pinpoint", "PROCESSING", State.RUNNING))
    assert not until.missed(_job("pinpoint", "PROCESSING", State.RUNNING))


def test_a_doomed_status_misses_the_states_it_cannot_reach() -> None:
    failing = _job("pinpoint", "FAILING", State.RUNNING)
    assert parse_until("COMPLETED").missed(failing)
    assert parse_until("SUCCEEDED", ["pinpoint", "discovery"]).missed(failing)
    for word in ("FAILED", "terminal"):
        until = parse_until(word)
        assert not until.met(failing) and not until.missed(failing)
    # Other running words of the same service are not doomed.
    assert not parse_until("COMPLETED").missed(_job("pinpoint", "COMPLETING", State.RUNNING))


def test_failing_is_not_a_terminal_word_to_wait_for() -> None:
    with pytest.raises(UsageError):
        parse_until("FAILING", ["pinpoint"])


def test_an_unknown_status_is_neither_met_nor_missed() -> None:
    until = parse_until("terminal")
    job = _job("personalize", "CREATE STOPPING", State.UNKNOWN)
    assert not until.met(job) and not until.missed(job)


def test_words_of_passing_states_are_not_accepted() -> None:
    with pytest.raises(UsageError) as caught:
        parse_until("PROCESSING")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "PROCESSING" not in accepted_words()
    assert {"ACTIVE", "CREATE FAILED", "SUCCEEDED"} <= set(accepted_words())
    assert "FAILING" not in accepted_words()


def test_each_word_accepted_is_listed_once_whatever_its_case() -> None:
    with pytest.raises(UsageError) as caught:
        parse_until("bogus")
    listed = caught.value.message.split("use one of ")[1].split(" (case does not matter)")[0]
    words = listed.split(", ")
    # Case does not matter, so a word differing only by its case is the same word.
    assert len({fold(w) for w in words}) == len(words)
    assert words[:4] == ["COMPLETED", "FAILED", "CANCELLED", "terminal"]


def test_ctrl_c_cuts_a_sleep_short_even_when_another_thread_receives_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal
    import threading
    import time

    from exportctl.ops.polling import timing

    slices: list[float] = []
    real_sleep = time.sleep

    def counted(seconds: float) -> None:
        slices.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(timing.time, "sleep", counted)
    started = threading.Event()

    def interrupt_from_here() -> None:
        started.wait()
        # As when the kernel picks this thread for the terminal's SIGINT.
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    threading.Thread(target=interrupt_from_here).start()
    with pytest.raises(KeyboardInterrupt):
        started.set()
        timing.interruptible_sleep(60)

    assert all(s <= timing.SLEEP_SLICE for s in slices)
    assert len(slices) < 60 / timing.SLEEP_SLICE / 10


def test_a_broken_answer_after_good_ones_waits_for_the_next_round_a_few_times() -> None:
    from exportctl.domain.errors import BrokenAnswerError
    from exportctl.ops.polling.waiter import BROKEN_ROUNDS, Waiter
    from exportctl.services.refs import parse

    ref = "discovery:export-1"
    waiter = Waiter(None, [(ref, parse(ref))], parse_until("COMPLETED"), clock=lambda: 0.0)  # type: ignore[arg-type]
    tracked = waiter.tracked[0]
    broken = BrokenAnswerError("DescribeExportTasks answered without its list of items")
    # The first answer broken: an endpoint that is no service, the wait's end.
    with pytest.raises(BrokenAnswerError):
        waiter.take(tracked, broken)
    waiter.take(tracked, _job("discovery", "IN_PROGRESS", State.RUNNING))
    # After a good one: a connection cut midway, left for the next round...
    for _ in range(BROKEN_ROUNDS):
        waiter.take(tracked, broken)
        assert tracked.error is broken and not tracked.decided
    # ...as long as a good one comes between them; so many in a row end the wait.
    with pytest.raises(BrokenAnswerError):
        waiter.take(tracked, broken)
    waiter.take(tracked, _job("discovery", "SUCCEEDED", State.COMPLETED))
    assert tracked.decided


@pytest.mark.parametrize(
    "backoff", [Backoff(), Backoff(interval=1, cap=3600), Backoff(interval=90)]
)
def test_the_delay_of_any_round_of_a_long_wait_is_the_cap(backoff: Backoff) -> None:
    # Round 1,750 of a wait at the 60 s cap is 29 hours in: its power overflowed.
    rng = random.Random(7)
    expected = [
        min(backoff.cap, backoff.interval * backoff.factor ** (n - 1)) for n in range(1, 60)
    ]
    assert [backoff.base(n) for n in range(1, 60)] == expected
    for round_number in (1_750, 10_000, 10**9):
        assert backoff.base(round_number) == backoff.cap
        assert 0 < backoff.delay(round_number, rng) <= backoff.cap
