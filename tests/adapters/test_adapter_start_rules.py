"""Rules of `start` that any service's spec can call on: a limit on active jobs counted
from a listing without a status filter, the holders said, transient failures waited
through; a repeated option compared with what the record lists; a taken name in any
service's words; a job not stamped with a time yet."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from adapter_stubs import REGION, WHEN, Stubs
from test_adapter_logs import OTHER, TASK, Clock, task

from exportctl.aws.loader import models_session
from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import ExportJob, State
from exportctl.domain.timeutil import jsonable
from exportctl.ops.jobs import Jobs
from exportctl.ops.polling.schedule import Backoff
from exportctl.ops.start.outcomes import name_taken
from exportctl.ops.start.recovery import Finder, Run
from exportctl.ops.start.request import plan
from exportctl.ops.start.slots import NoSlot, Queue, holders, no_slot, take_slot
from exportctl.services import all_specs, engine, spec_for
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import ServiceSpec


def _unfiltered() -> ServiceSpec:
    """The Logs spec, its limit counted from the whole listing."""
    spec = spec_for("logs")
    assert spec.create is not None and spec.create.active_limit is not None
    limit = dataclasses.replace(spec.create.active_limit, filter=None, count=2)
    create = dataclasses.replace(spec.create, active_limit=limit)
    return dataclasses.replace(spec, create=create)


def _listing(stubs: Stubs, tasks: list[dict[str, Any]]) -> None:
    stubs("logs").add_response("describe_export_tasks", {"exportTasks": tasks}, {"limit": 50})


def test_without_a_filter_the_listing_is_walked_and_read_by_status(
    jobs: Jobs, stubs: Stubs
) -> None:
    spec = _unfiltered()
    older = task("t-1", "RUNNING", executionInfo={"creationTime": 1_000})
    _listing(stubs, [task(TASK, "COMPLETED"), task(OTHER, "PENDING"), older])
    held = holders(jobs, spec, REGION)
    # The active ones only, oldest first.
    assert [job.id for job in held] == ["t-1", OTHER]


def test_a_limit_of_two_leaves_a_slot_to_one_holder(jobs: Jobs, stubs: Stubs) -> None:
    spec = _unfiltered()
    _listing(stubs, [task(OTHER, "RUNNING")])
    take_slot(jobs, spec, REGION, None)
    _listing(stubs, [task(OTHER, "RUNNING"), task(TASK, "PENDING")])
    with pytest.raises(NoSlot) as full:
        take_slot(jobs, spec, REGION, None)
    assert "are active; wait for them to end, cancel them" in full.value.message
    assert sorted(job.id for job in full.value.holders) == sorted([OTHER, TASK])


def test_a_throttled_round_of_the_queue_is_waited_through(jobs: Jobs, stubs: Stubs) -> None:
    spec = _unfiltered()
    clock = Clock()
    _listing(stubs, [task(OTHER, "RUNNING"), task(TASK, "RUNNING")])
    stubs("logs").add_client_error(
        "describe_export_tasks", "ThrottlingException", "Rate exceeded", 400
    )
    _listing(stubs, [task(TASK, "RUNNING")])
    queue = Queue(Backoff(interval=2.0, cap=2.0, jitter=0.0))
    take_slot(jobs, spec, REGION, queue, clock=clock.time, sleep=clock.sleep)
    assert clock.sleeps == [2.0, 2.0]


def test_a_denied_round_of_the_queue_ends_it(jobs: Jobs, stubs: Stubs) -> None:
    spec = _unfiltered()
    clock = Clock()
    _listing(stubs, [task(OTHER, "RUNNING"), task(TASK, "RUNNING")])
    stubs("logs").add_client_error("describe_export_tasks", "AccessDeniedException", "no", 400)
    queue = Queue(Backoff(interval=2.0, cap=2.0, jitter=0.0))
    with pytest.raises(ExportctlError, match="access denied"):
        take_slot(jobs, spec, REGION, queue, clock=clock.time, sleep=clock.sleep)


def _job(i: int) -> ExportJob:
    return ExportJob(
        service="logs", ref=f"logs:{REGION}:t-{i}", id=f"t-{i}", region=REGION,
        state=State.RUNNING, status="RUNNING",
    )  # fmt: skip


def test_many_holders_are_counted_beyond_the_first_three() -> None:
    said = no_slot(spec_for("logs"), [_job(i) for i in range(5)]).message
    assert "t-0 (RUNNING), " in said and "t-2 (RUNNING) and 2 more are active" in said
    assert "t-3" not in said


def test_a_repeated_option_matches_the_list_the_record_shows() -> None:
    spec = spec_for("rds")
    assert spec.create is not None
    values = {"only": ("db.a", "db.b"), "bucket": "out"}
    record = {"details": {"export_only": ["db.a", "db.b"], "s3_bucket": "out"}}
    assert engine.matches(spec.create, values, record)
    other = {"details": {"export_only": ["db.a"], "s3_bucket": "out"}}
    assert not engine.matches(spec.create, values, other)


@pytest.mark.parametrize(
    ("code", "taken"),
    [
        ("ResourceAlreadyExistsException", True),
        ("ExportTaskAlreadyExists", True),
        ("DBSnapshotAlreadyExistsFault", True),
        ("LimitExceededException", False),
        ("AlreadyExistsSomewhere", False),
    ],
)
def test_a_taken_name_in_any_service_s_words(code: str, taken: bool) -> None:
    assert name_taken(code) is taken


def test_a_job_without_a_time_is_recent_only_before_it_starts(jobs: Jobs) -> None:
    made = plan(
        spec_for("rds"),
        {"source_arn": "arn:aws:rds:us-east-1:123456789012:snapshot:s1", "bucket": "out",
         "role_arn": "arn:aws:iam::123456789012:role/r", "kms_key": "k"},
        REGION,
    )  # fmt: skip
    finder = Finder(jobs, Run(made, REGION, WHEN), sleep=lambda seconds: None)
    fresh = dataclasses.replace(_job(1), state=State.PENDING)
    assert finder.is_recent(fresh)
    assert not finder.is_recent(_job(1))
    old = dataclasses.replace(_job(1), created=WHEN - timedelta(hours=1))
    new = dataclasses.replace(_job(1), created=datetime.now(timezone.utc))
    assert not finder.is_recent(old) and finder.is_recent(new)


def _leaves(members: Any, path: str = "") -> list[str]:
    if not isinstance(members, dict):
        return [path]
    return [leaf for key, value in members.items() for leaf in _leaves(value, _dotted(path, key))]


def _dotted(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def test_the_choices_tab_offers_are_the_models_enum() -> None:
    """What Tab offers for a start option is the enum of the member it fills, as the
    installed model spells it: a value the model adds fails here until it is offered."""
    from adapter_stubs import operation, shape_at

    from exportctl.services import all_specs
    from exportctl.services.forms import start_forms

    checked = 0
    for spec in all_specs():
        for kind, _ in start_forms(spec):
            assert kind.create is not None
            shape = operation(kind.client, kind.create.operation).input_shape
            for option in kind.create.options:
                where = f"{spec.name} --{option.name}"
                if isinstance(option.put, str):
                    paths = [option.put]
                elif option.choices:
                    paths = _leaves(option.put(option.choices[0]))
                else:
                    # Only a word can be given to a function that fills an enum.
                    assert option.kind not in ("word", "lower"), f"{where}: no choices"
                    continue
                enums = [shape_at(shape, path).metadata.get("enum") for path in paths]
                enum = next((e for e in enums if e), [])
                assert list(option.choices) == list(enum), where
                checked += bool(enum)
    assert checked >= 7


def _sample(option: Any) -> Any:
    """A value of the option's kind, as the command line hands it over."""
    if option.kind == "time":
        return WHEN
    if option.kind == "int":
        return 5
    if option.choices:
        return option.choices[0]
    return "s3://bucket/prefix/" if "s3" in (option.metavar or "").lower() else "x"


def _keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


@pytest.mark.parametrize("service", [s.name for s in all_specs() if s.create is not None])
def test_no_start_request_holds_a_key_that_is_not_text(service: str) -> None:
    """What --dry-run prints is the request through ``jsonable``, which makes a key
    text with ``str`` (json.dumps would write True as "true"): every key a request
    can hold is a member name or a spec's literal, and no option's value goes into a
    map member (whose keys the model check leaves alone), so the two never differ."""
    for kind in kinds_of(spec_for(service)):
        create = kind.create
        assert create is not None
        shape = models_session().get_service_model(kind.client)
        shape = shape.operation_model(create.operation).input_shape
        for option in create.options:
            value = _sample(option)
            put = option.put(value) if callable(option.put) else None
            paths = [option.put] if isinstance(option.put, str) else _paths(put)
            for path in paths:
                node = shape
                for part in path.split("."):
                    assert node.type_name == "structure", (service, option.name, path)
                    node = node.members[part]
            request = engine.build_request(create, {option.name.replace("-", "_"): value})
            assert all(isinstance(k, str) for k in _keys(request)), (service, option.name)


def _paths(value: Any, prefix: str = "") -> list[str]:
    """The dotted member paths a put function's mapping fills."""
    found: list[str] = []
    for key, item in (value or {}).items():
        path = f"{prefix}{key}"
        found += _paths(item, f"{path}.") if isinstance(item, dict) else [path]
    return found


def test_a_key_that_is_not_text_is_written_with_str() -> None:
    request = {"Tags": {True: "yes", None: "none", 2: WHEN, ("a", 1): ["x"]}}
    assert jsonable(request) == {
        "Tags": {"True": "yes", "None": "none", "2": "2026-11-01T08:30:00Z", "('a', 1)": ["x"]}
    }


@pytest.mark.parametrize(
    "spec", [s for s in all_specs() for k in kinds_of(s) if k.create and k.create.not_found]
)
def test_a_create_s_not_found_codes_are_its_model_s(spec: ServiceSpec) -> None:
    # A code mistyped in the spec would never be matched: the error would name every
    # option given an id again.
    for kind in kinds_of(spec):
        create = kind.create
        if create is None:
            continue
        model = models_session().get_service_model(spec.client)
        shapes = model.operation_model(create.operation).error_shapes
        codes = {shape.metadata.get("error", {}).get("code", shape.name) for shape in shapes}
        assert set(create.not_found) <= codes
