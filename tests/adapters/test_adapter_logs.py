"""CloudWatch Logs export tasks through Jobs and start, with Stubber checking every
request and answer against the installed model; the one-active-task limit, counted
before the create and waited out with a queue on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from adapter_stubs import REGION, WHEN, Filler, Stubs, leaves, operation
from botocore.stub import Stubber

from exportctl.domain.errors import ExitCode, NotFoundError
from exportctl.domain.model import State
from exportctl.domain.timeutil import iso
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.polling.schedule import Backoff
from exportctl.ops.start.request import plan
from exportctl.ops.start.slots import NoSlot, Queue, QueueTimeout
from exportctl.ops.start.starter import Starter
from exportctl.services import spec_for
from exportctl.services.refs import parse

SPEC = spec_for("logs")
TASK = "7d1c2b3a-0000-4000-a000-000000000001"
OTHER = "7d1c2b3a-0000-4000-a000-000000000002"
MS = int(WHEN.timestamp() * 1000)
MODEL_WORDS = ("CANCELLED", "COMPLETED", "FAILED", "PENDING", "PENDING_CANCEL", "RUNNING")


def task(ident: str = TASK, code: str = "COMPLETED", **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "taskId": ident,
        "taskName": "checkout",
        "logGroupName": "/ecs/checkout",
        "from": MS - 86_400_000,
        "to": MS,
        "destination": "log-archive",
        "destinationPrefix": "checkout",
        "status": {"code": code, "message": f"{code.lower()} message"},
        "executionInfo": {"creationTime": MS},
    }
    if code in ("COMPLETED", "FAILED", "CANCELLED"):
        out["executionInfo"]["completionTime"] = MS + 60_000
    out.update(more)
    return out


def _describe(stubs: Stubs, tasks: list[dict[str, Any]], params: dict[str, Any]) -> None:
    stubs("logs").add_response("describe_export_tasks", {"exportTasks": tasks}, params)


def test_get_reads_one_task_and_its_millisecond_times(jobs: Jobs, stubs: Stubs) -> None:
    _describe(stubs, [task()], {"taskId": TASK})
    job = jobs.get(parse(f"logs:{TASK}"))
    assert job.ref == f"logs:{REGION}:{TASK}" and job.name == "checkout"
    assert job.state is State.COMPLETED and job.message == "completed message"
    assert job.created == WHEN and job.completed == WHEN + timedelta(minutes=1)
    assert job.destination == f"s3://log-archive/checkout/{TASK}/"
    assert job.details["from"] == WHEN - timedelta(days=1) and job.details["to"] == WHEN
    assert job.details["log_group_name"] == "/ecs/checkout"


def test_a_task_without_a_prefix_writes_under_the_default_one(jobs: Jobs, stubs: Stubs) -> None:
    raw = task()
    del raw["destinationPrefix"]
    _describe(stubs, [raw], {"taskId": TASK})
    job = jobs.get(parse(f"logs:{TASK}"))
    assert job.destination == f"s3://log-archive/exportedlogs/{TASK}/"


def test_an_unknown_task_is_an_empty_answer_and_not_found(jobs: Jobs, stubs: Stubs) -> None:
    _describe(stubs, [], {"taskId": OTHER})
    with pytest.raises(NotFoundError):
        jobs.get(parse(f"logs:{OTHER}"))


def test_every_model_status_has_its_state(jobs: Jobs, stubs: Stubs) -> None:
    shape = operation("logs", "DescribeExportTasks").output_shape
    assert shape is not None
    enum = shape.members["exportTasks"].member.members["status"].members["code"].enum
    assert tuple(sorted(enum)) == MODEL_WORDS
    expected = {
        "PENDING": State.PENDING,
        "RUNNING": State.RUNNING,
        "PENDING_CANCEL": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        "FAILED": State.FAILED,
        "CANCELLED": State.CANCELLED,
    }
    for word in MODEL_WORDS:
        _describe(stubs, [task(code=word)], {"taskId": TASK})
        job = jobs.get(parse(f"logs:{TASK}"))
        assert job.state is expected[word], word
        assert (job.completed is not None) is job.terminal, word
    # A task being cancelled will never complete.
    assert not SPEC.can_reach("PENDING_CANCEL", State.COMPLETED)


def test_the_listing_follows_the_next_token(jobs: Jobs, stubs: Stubs) -> None:
    stub = stubs("logs")
    stub.add_response(
        "describe_export_tasks", {"exportTasks": [task()], "nextToken": "n2"}, {"limit": 50}
    )
    stub.add_response(
        "describe_export_tasks",
        {"exportTasks": [task(OTHER, "FAILED")]},
        {"limit": 50, "nextToken": "n2"},
    )
    found = jobs.list(ListQuery(services=("logs",))).jobs
    assert sorted(j.id for j in found) == sorted([TASK, OTHER])


def test_every_member_of_a_maximal_answer_is_kept(jobs: Jobs, stubs: Stubs) -> None:
    output = operation("logs", "DescribeExportTasks").output_shape
    assert output is not None
    filler = Filler()
    response = filler.fill(output)
    ident = response["exportTasks"][0]["taskId"]
    stubs("logs").add_response("describe_export_tasks", response)
    out = leaves(jobs.get(parse(f"logs:{ident}")).to_dict())
    for path, value in filler.leaves:
        if not path.startswith("exportTasks."):
            continue
        member = path.rsplit(".", 1)[-1]
        if member in ("from", "to", "creationTime", "completionTime"):
            # Epoch milliseconds, kept as the time they are.
            value = iso(datetime.fromtimestamp(value / 1000, timezone.utc))
        assert value in out or any(isinstance(v, str) and str(value) in v for v in out), path


# -- start, and the one active task ------------------------------------------------


VALUES = {
    "log_group": "/ecs/checkout",
    "start_time": WHEN - timedelta(days=1),
    "end_time": WHEN,
    "bucket": "log-archive",
    "prefix": "checkout",
    "name": "checkout-nightly",
}
REQUEST = {
    "logGroupName": "/ecs/checkout",
    "from": MS - 86_400_000,
    "to": MS,
    "destination": "log-archive",
    "destinationPrefix": "checkout",
    "taskName": "checkout-nightly",
}


def _create_stub(jobs: Jobs) -> Stubber:
    stubber = Stubber(jobs.clients.client("logs", REGION, attempts=1))
    stubber.activate()
    return stubber


def _active(stubs: Stubs, pending: list[dict[str, Any]], running: list[dict[str, Any]]) -> None:
    """The answers of the count of active tasks: a call per status word."""
    _describe(stubs, pending, {"statusCode": "PENDING", "limit": 50})
    _describe(stubs, running, {"statusCode": "RUNNING", "limit": 50})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _starter(jobs: Jobs, queue: Queue | None = None, clock: Clock | None = None) -> Starter:
    clock = clock or Clock()
    return Starter(jobs, sleep=clock.sleep, clock=clock.time, queue=queue)


def test_the_start_request_as_sent_after_the_count(jobs: Jobs, stubs: Stubs) -> None:
    made = plan(SPEC, VALUES, REGION)
    assert made.request == REQUEST
    _active(stubs, [], [])
    # The listing noted before the create (the job a lost answer made is found there).
    _describe(stubs, [], {"limit": 50})
    stub = _create_stub(jobs)
    stub.add_response("create_export_task", {"taskId": TASK}, REQUEST)
    started = _starter(jobs).start(made)
    stub.assert_no_pending_responses()
    assert started.ref == f"logs:{REGION}:{TASK}"


def test_the_end_defaults_to_now() -> None:
    made = plan(SPEC, {k: v for k, v in VALUES.items() if k != "end_time"}, REGION)
    now_ms = datetime.now(timezone.utc).timestamp() * 1000
    assert abs(made.request["to"] - now_ms) < 60_000


def test_an_active_task_is_named_before_any_create(jobs: Jobs, stubs: Stubs) -> None:
    _active(stubs, [], [task(OTHER, "RUNNING")])
    stub = _create_stub(jobs)
    with pytest.raises(NoSlot) as full:
        _starter(jobs).start(plan(SPEC, VALUES, REGION))
    said = full.value.message
    assert f"logs:{REGION}:{OTHER} (RUNNING) is active" in said
    assert "one active export task at a time per account and region" in said
    assert "--queue" in said and "\n" not in said
    assert full.value.exit_code == ExitCode.AWS
    stub.assert_no_pending_responses()


def test_the_queue_waits_for_the_slot_then_starts(jobs: Jobs, stubs: Stubs) -> None:
    clock = Clock()
    seen: list[list[str]] = []
    queue = Queue(Backoff(interval=5.0, cap=20.0, jitter=0.0), None, lambda held: seen.append(
        [j.id for j in held]
    ))  # fmt: skip
    _active(stubs, [task(OTHER, "PENDING")], [])
    _active(stubs, [], [task(OTHER, "RUNNING")])
    _active(stubs, [], [])
    _describe(stubs, [], {"limit": 50})
    stub = _create_stub(jobs)
    stub.add_response("create_export_task", {"taskId": TASK}, REQUEST)
    started = _starter(jobs, queue, clock).start(plan(SPEC, VALUES, REGION))
    assert started.ref == f"logs:{REGION}:{TASK}"
    # The same task holding the slot is told once; the rounds back off as wait's do.
    assert seen == [[OTHER]]
    assert clock.sleeps == [5.0, 7.5]


def test_the_queue_gives_up_at_its_timeout(jobs: Jobs, stubs: Stubs) -> None:
    clock = Clock()
    queue = Queue(Backoff(interval=5.0, cap=5.0, jitter=0.0), 12.0)
    for _ in range(4):
        _active(stubs, [], [task(OTHER, "RUNNING")])
    stub = _create_stub(jobs)
    with pytest.raises(QueueTimeout) as late:
        _starter(jobs, queue, clock).start(plan(SPEC, VALUES, REGION))
    assert late.value.exit_code == ExitCode.TIMEOUT
    assert f"{OTHER} (RUNNING) is active" in late.value.message
    assert clock.now == pytest.approx(12.0)
    stub.assert_no_pending_responses()


def test_the_service_refusing_by_its_limit_names_the_task(jobs: Jobs, stubs: Stubs) -> None:
    # Free at the count, taken before the create: the service's refusal says the same.
    _active(stubs, [], [])
    _describe(stubs, [], {"limit": 50})
    stub = _create_stub(jobs)
    stub.add_client_error(
        "create_export_task", "LimitExceededException", "Resource limit exceeded.", 400
    )
    _active(stubs, [task(OTHER, "PENDING")], [])
    starter = _starter(jobs)
    # As the caller's user runs a command (the CLI: with its global options).
    starter.commanded = lambda words: f"exportctl --profile p {words}"
    with pytest.raises(NoSlot) as full:
        starter.start(plan(SPEC, VALUES, REGION))
    said = full.value.message
    assert "CreateExportTask was refused (LimitExceededException" in said
    assert f"{OTHER} (PENDING) is active" in said
    assert f"cancel it (exportctl --profile p cancel logs:{REGION}:{OTHER})" in said
    stub.assert_no_pending_responses()


def test_with_a_queue_a_refusal_by_the_limit_waits_again(jobs: Jobs, stubs: Stubs) -> None:
    clock = Clock()
    queue = Queue(Backoff(interval=5.0, cap=5.0, jitter=0.0))
    _active(stubs, [], [])
    _describe(stubs, [], {"limit": 50})
    stub = _create_stub(jobs)
    stub.add_client_error(
        "create_export_task", "LimitExceededException", "Resource limit exceeded.", 400
    )
    _active(stubs, [], [task(OTHER, "RUNNING")])
    _active(stubs, [], [])
    stub.add_response("create_export_task", {"taskId": TASK}, REQUEST)
    started = _starter(jobs, queue, clock).start(plan(SPEC, VALUES, REGION))
    assert started.ref == f"logs:{REGION}:{TASK}" and started.attempts == 2
    stub.assert_no_pending_responses()


def test_a_lost_answer_is_found_in_the_listing(jobs: Jobs, stubs: Stubs) -> None:
    _active(stubs, [], [])
    _describe(stubs, [task(OTHER)], {"limit": 50})
    stub = _create_stub(jobs)
    stub.add_client_error("create_export_task", "ServiceUnavailableException", "busy", 503)
    now = int(datetime.now(timezone.utc).timestamp() * 1000)
    mine = task(TASK, "PENDING", taskName="checkout-nightly", executionInfo={"creationTime": now})
    _describe(stubs, [task(OTHER), mine], {"limit": 50})
    started = _starter(jobs).start(plan(SPEC, VALUES, REGION))
    assert started.recovered and started.ref == f"logs:{REGION}:{TASK}"
    stub.assert_no_pending_responses()


def test_cancel_sends_the_task_id(jobs: Jobs, stubs: Stubs) -> None:
    from exportctl.ops.cancel import cancel

    _describe(stubs, [task(code="RUNNING")], {"taskId": TASK})
    stubs("logs").add_response("cancel_export_task", {}, {"taskId": TASK})
    _describe(stubs, [task(code="PENDING_CANCEL")], {"taskId": TASK})
    job = cancel(jobs, parse(f"logs:{TASK}"))
    assert job.status == "PENDING_CANCEL" and job.state is State.RUNNING
