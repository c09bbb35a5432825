"""Every status word each service may send, and answers missing everything optional."""

from __future__ import annotations

from typing import Any

import pytest
from adapter_stubs import (
    REGION,
    SERVICES,
    Filler,
    Stubs,
    get_response,
    job_id,
    make_jobs,
    model_statuses,
    naming,
    operation,
    raw_http,
    raw_job,
)
from test_adapter_get_list import GETS, TERMINAL

from exportctl.domain.errors import BrokenAnswerError
from exportctl.domain.model import State
from exportctl.ops.jobs import Jobs
from exportctl.services import engine, spec_for
from exportctl.services.refs import parse

P, R, C, F = State.PENDING, State.RUNNING, State.COMPLETED, State.FAILED
EXPECTED: dict[str, dict[str, State]] = {
    "backupsearch": {"CREATED": P, "RUNNING": R, "COMPLETED": C, "FAILED": F},
    "pinpoint": {
        "CREATED": P, "PREPARING_FOR_INITIALIZATION": P, "INITIALIZING": P, "PENDING_JOB": P,
        "PROCESSING": R, "COMPLETING": R, "COMPLETED": C, "FAILING": R, "FAILED": F,
    },
    "personalize": {
        "CREATE PENDING": P, "CREATE IN_PROGRESS": R, "ACTIVE": C, "CREATE FAILED": F,
    },
    "discovery": {"IN_PROGRESS": R, "SUCCEEDED": C, "FAILED": F},
}  # fmt: skip
# Status words the documentation mentions that the current model does not list.
DOCUMENTED_ONLY = {("backupsearch", "CREATED")}

CASES = [(s, word) for s in sorted(EXPECTED) for word in EXPECTED[s]]


@pytest.mark.parametrize("service", SERVICES)
def test_every_model_status_has_a_mapping(service: str) -> None:
    spec = spec_for(service)
    words = model_statuses(service)
    if service == "personalize":
        # A free string in the model: the words are the documented ones.
        assert words == ()
    unmapped = [w for w in words if w not in spec.statuses]
    assert unmapped == [], f"{service} statuses with no mapping: {unmapped}"
    untested = [w for w in words if w not in EXPECTED[service]]
    assert untested == [], f"{service} statuses this test does not check: {untested}"


@pytest.mark.parametrize(("service", "word"), CASES)
def test_status_maps_to_its_state_through_get(
    jobs: Jobs, stubs: Stubs, service: str, word: str
) -> None:
    ref, method, params, _ = GETS[service]
    response = get_response(service, raw_job(service, 1, word))
    if (service, word) in DOCUMENTED_ONLY:
        # The model's enum rejects the word in Stubber; the engine sees it as it comes.
        job = engine.normalise(spec_for(service), response, REGION)
    else:
        stubs(service).add_response(method, response, params)
        job = jobs.get(parse(ref))

    assert job.status == word
    assert job.state is EXPECTED[service][word]
    assert job.terminal is (job.state in (C, F))
    if job.terminal and service != "discovery":
        assert job.completed is not None


# Running words that already rule out some ending: `wait` gives up on them at once.
DOOMED = {("pinpoint", "FAILING"): {C}}


@pytest.mark.parametrize("service", SERVICES)
def test_doomed_words_are_running_words_of_the_service(service: str) -> None:
    spec = spec_for(service)
    for word, states in spec.doomed.items():
        assert not spec.state_of(word).terminal, f"{service} {word} is terminal: not doomed"
        assert states and all(s.terminal for s in states)
        assert DOOMED.get((service, word)) == states, f"{service} {word}: not in DOOMED"
        assert not spec.can_reach(word, next(iter(states)))
    assert {w for (s, w) in DOOMED if s == service} == set(spec.doomed)


def test_unknown_personalize_status_is_kept_verbatim(jobs: Jobs, stubs: Stubs) -> None:
    ref, method, params, _ = GETS["personalize"]
    raw = raw_job("personalize", 1, "CREATE STOPPING")
    stubs("personalize").add_response(method, get_response("personalize", raw), params)

    job = jobs.get(parse(ref))

    assert (job.state, job.status) == (State.UNKNOWN, "CREATE STOPPING")
    assert job.completed is None and not job.terminal


@pytest.mark.parametrize("service", ["backupsearch", "pinpoint", "discovery"])
def test_unknown_enum_status_over_http_is_unknown_with_the_word_kept(service: str) -> None:
    # Enum members: Stubber would refuse the word, so the client parses a raw answer.
    jobs = make_jobs()
    ref, *_ = GETS[service]
    body = get_response(service, _jsonable(raw_job(service, 1, "PAUSED_BY_OPERATOR")))
    if service == "pinpoint":
        body = body["ExportJobResponse"]  # the payload member is the whole body
    client = jobs.clients.client(spec_for(service).client, REGION)
    with raw_http(client, body):
        job = jobs.get(parse(ref))

    assert (job.state, job.status) == (State.UNKNOWN, "PAUSED_BY_OPERATOR")
    assert job.id == job_id(service, 1)


def test_union_member_the_model_does_not_know_loses_nothing() -> None:
    jobs = make_jobs()
    ref, *_ = GETS["backupsearch"]
    body = _jsonable(raw_job("backupsearch", 1, "COMPLETED"))
    body["ExportSpecification"] = {"gcsExportSpecification": {"Bucket": "elsewhere"}}
    client = jobs.clients.client("backupsearch", REGION)
    with raw_http(client, body):
        job = jobs.get(parse(ref))

    assert job.destination is None
    # botocore keeps the name of the member it could not parse; so do we.
    assert job.details["export_specification"] == {
        "sdk_unknown_member": {"name": "gcsExportSpecification"}
    }
    assert job.to_dict()["details"]["search_job_arn"].endswith("search-job/s-1")
    assert job.state is State.COMPLETED


def test_union_as_botocore_parses_it_normalises_directly() -> None:
    raw = raw_job("backupsearch", 1, "RUNNING")
    raw["ExportSpecification"] = {"SDK_UNKNOWN_MEMBER": {"name": "futureSpec"}}

    job = engine.normalise(spec_for("backupsearch"), raw, REGION)

    assert job.destination is None
    assert job.details["export_specification"] == {"sdk_unknown_member": {"name": "futureSpec"}}


@pytest.mark.parametrize("service", SERVICES)
def test_answer_with_every_optional_member_missing(jobs: Jobs, stubs: Stubs, service: str) -> None:
    spec = spec_for(service)
    ref, method, params, _ = GETS[service]
    assert isinstance(spec.fields.id, str)
    wrapper, _, _ = spec.get.item.partition(".")
    assert isinstance(spec.fields.status, str)
    # Required members only, plus the id and status: a job without one is no job.
    filler = Filler(
        required_only=True, keep=frozenset({wrapper, spec.fields.id, spec.fields.status})
    )
    output = operation(spec.client, spec.get.operation).output_shape
    assert output is not None
    response = naming(filler.fill(output), service, parse(ref).id)
    stubs(service).add_response(method, response, params)

    job = jobs.get(parse(ref))

    record = job.to_dict()
    assert job.id == engine.lookup(response, f"{spec.get.item}.{spec.fields.id}".lstrip("."))
    assert record["destination"] is None or service == "pinpoint"
    assert record["message"] is None or service == "discovery"
    assert record["completed"] is None
    assert job.status
    assert parse(job.ref).id == job.id


@pytest.mark.parametrize("member", ["id", "status"])
@pytest.mark.parametrize("service", SERVICES)
def test_an_answer_without_id_or_status_is_broken(service: str, member: str) -> None:
    """The model leaves Backup Search's and Personalize's status optional; a job
    record cannot do without it, so its absence is the service's error (exit 5),
    never a job with ref ``...:None`` or state UNKNOWN."""
    jobs = make_jobs()
    spec = spec_for(service)
    ref, *_ = GETS[service]
    body = _answer_with(service, member, _GONE)
    source = getattr(spec.fields, member)
    client = jobs.clients.client(spec.client, REGION)
    with raw_http(client, body), pytest.raises(BrokenAnswerError) as caught:
        jobs.get(parse(ref))

    assert caught.value.exit_code == 5 and caught.value.service == service
    assert source in caught.value.message


def _jsonable(raw: dict[str, Any]) -> dict[str, Any]:
    """A job as it travels in JSON: timestamps as epoch seconds."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if hasattr(value, "timestamp"):
            out[key] = value.timestamp()
        elif isinstance(value, dict):
            out[key] = _jsonable(value)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_an_answer_about_another_job_is_broken(jobs: Jobs, stubs: Stubs, service: str) -> None:
    # Taken for the job asked for, a finished job's record would end a wait on a
    # running one.
    ref, method, params, _ = GETS[service]
    other = raw_job(service, 7, TERMINAL[service])
    stubs(service).add_response(method, get_response(service, other), params)
    with pytest.raises(BrokenAnswerError) as caught:
        jobs.get(parse(ref))
    assert caught.value.exit_code == 5
    assert "without the job asked for" in caught.value.message


@pytest.mark.parametrize("when", [1e20, -1e15])
@pytest.mark.parametrize("service", SERVICES)
def test_a_time_out_of_any_calendar_is_an_unreadable_answer_or_kept_raw(
    service: str, when: float
) -> None:
    jobs = make_jobs()
    spec = spec_for(service)
    ref, *_ = GETS[service]
    body = _answer_with(service, "created", when)
    client = jobs.clients.client(spec.client, REGION)
    with raw_http(client, body):
        try:
            job = jobs.get(parse(ref))
        except BrokenAnswerError as exc:
            # A timestamp member botocore reads: an answer it cannot read (exit 5).
            assert exc.exit_code == 5 and exc.service == service
            return
    # A time the service sends as a string (Pinpoint's): no time, kept raw.
    assert service == "pinpoint"
    assert job.created is None and job.details["created_raw"] == str(when)


@pytest.mark.parametrize("value", [["ACTIVE"], {"a": 1}, 123])
@pytest.mark.parametrize("service", SERVICES)
def test_a_status_that_is_no_word_is_broken(service: str, value: Any) -> None:
    jobs = make_jobs()
    spec = spec_for(service)
    ref, *_ = GETS[service]
    body = _answer_with(service, "status", value)
    client = jobs.clients.client(spec.client, REGION)
    with raw_http(client, body), pytest.raises(BrokenAnswerError) as caught:
        jobs.get(parse(ref))
    assert caught.value.exit_code == 5 and "as a word" in caught.value.message


# What no answer holds: a member left out.
_GONE = object()


def _answer_with(service: str, field: str, value: Any) -> dict[str, Any]:
    """The get answer of a finished job as the service sends it, the member its
    record's ``field`` reads set to ``value`` (left out: :data:`_GONE`)."""
    spec = spec_for(service)
    body = get_response(service, _jsonable(raw_job(service, 1, TERMINAL[service])))
    if service == "pinpoint":
        # Its answer's payload is the job, without the name of the member it fills.
        body = body["ExportJobResponse"]
    item = engine.lookup(body, spec.get.item) if service in ("personalize", "discovery") else body
    member = getattr(spec.fields, field)
    assert isinstance(member, str)
    if value is _GONE:
        del item[member]
    else:
        item[member] = value
    return body
