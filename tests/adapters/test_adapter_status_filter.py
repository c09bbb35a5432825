"""A listing of some states sends them to the services whose listing filters by status
(``Page.status_filter``): the request each one gets (Stubber checks it against the
model), the words it documents, and, against the sandbox, fewer pages read for the
same jobs in the same order as the whole listing filtered here."""

from __future__ import annotations

import gzip
import json
import pathlib
from collections.abc import Iterator
from typing import Any

import botocore
import pytest
from adapter_stubs import REGION, Stubs, summary
from botocore import xform_name

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.model import State
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.sandbox import Faults, Sandbox
from exportctl.services import all_specs, spec_for
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import ServiceSpec
from exportctl.services.statusfilter import words_for

PUSHED = ("backupsearch", "ec2", "logs", "rds")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # A frozen clock, and a page a job: every job saved is a call saved.
    with Sandbox(port=0, faults=Faults(page_size=1), seed=7, clock=lambda: 0.0) as sb:
        yield sb


def _jobs(sb: Sandbox, region: str) -> Jobs:
    settings = AwsSettings(
        endpoint_url=sb.url, region=region, access_key="x", secret_key="x", max_attempts=1
    )
    return Jobs(Clients(settings))


def _listed(sb: Sandbox, service: str, region: str, states: set[State]) -> tuple[list[Any], int]:
    """The jobs of a listing, as the pages came, and the listing calls the sandbox got."""
    sb.reset_calls()
    query = ListQuery(services=(service,), states=frozenset(states))
    pages = _jobs(sb, region).iter_pages(spec_for(service), query)
    found = [job for page in pages for job in page]
    listings = {kind.list.operation for kind in kinds_of(spec_for(service))}
    calls = sum(n for (svc, op), n in sb.calls.items() if svc != "sts" and op in listings)
    return found, calls


@pytest.mark.parametrize(
    ("service", "region", "states"),
    [
        ("logs", "us-east-1", {State.FAILED}),
        ("logs", "us-east-1", {State.COMPLETED}),
        ("rds", "us-east-1", {State.RUNNING}),
        ("rds", "us-east-1", {State.FAILED, State.CANCELLED}),
        ("backupsearch", "us-east-1", {State.COMPLETED}),
        ("backupsearch", "eu-west-1", {State.FAILED}),
        # deleted is CANCELLED or FAILED by its message: both come from that one word.
        ("ec2", "us-east-1", {State.FAILED}),
        ("ec2", "us-east-1", {State.CANCELLED}),
        ("ec2", "eu-west-1", {State.RUNNING, State.COMPLETED}),
    ],
)
def test_the_states_sent_read_fewer_pages_for_the_same_jobs(
    sandbox: Sandbox, service: str, region: str, states: set[State]
) -> None:
    whole, all_calls = _listed(sandbox, service, region, set())
    found, calls = _listed(sandbox, service, region, states)

    assert found == [job for job in whole if job.state in states]
    assert found, "a case that keeps no job proves little"
    assert calls < all_calls


@pytest.mark.parametrize("service", PUSHED)
@pytest.mark.parametrize(
    "states",
    [
        {State.UNKNOWN},
        {State.UNKNOWN, State.FAILED},
        # No word of CloudWatch Logs and Backup Search alone gives these: read whole.
        {State.RUNNING, State.COMPLETED},
        {State.PENDING, State.FAILED},
    ],
)
def test_states_no_filter_can_name_read_every_page(
    sandbox: Sandbox, service: str, states: set[State]
) -> None:
    whole, all_calls = _listed(sandbox, service, "us-east-1", set())
    found, calls = _listed(sandbox, service, "us-east-1", states)

    assert found == [job for job in whole if job.state in states]
    if State.UNKNOWN in states or service in ("logs", "backupsearch"):
        assert calls == all_calls


def test_which_words_are_sent() -> None:
    logs, rds, ec2, search = (spec_for(s) for s in ("logs", "rds", "ec2", "backupsearch"))
    assert words_for(logs, {State.FAILED}) == ("FAILED",)
    # RUNNING is RUNNING or PENDING_CANCEL: two listings, another order. Not sent.
    assert words_for(logs, {State.RUNNING}) is None
    assert words_for(rds, {State.RUNNING}) == ("IN_PROGRESS", "CANCELING")
    assert words_for(ec2, {State.FAILED}) == ("deleted",)
    assert words_for(ec2, {State.CANCELLED, State.COMPLETED}) == ("completed", "deleted")
    # The API guide's CREATED is no value of the filter.
    assert words_for(search, {State.PENDING}) is None
    assert words_for(search, {State.RUNNING}) == ("RUNNING",)
    assert words_for(rds, {State.UNKNOWN, State.FAILED}) is None
    assert words_for(rds, set()) is None
    for spec in all_specs():
        if spec.name not in PUSHED:
            assert spec.list.status_filter is None, spec.name
            assert words_for(spec, {State.FAILED}) is None


def _model(service: str) -> dict[str, Any]:
    data = pathlib.Path(botocore.__file__).parent / "data" / service
    found = sorted(data.glob("*/service-2.json*"))[-1]
    opener: Any = gzip.open if found.suffix == ".gz" else open
    with opener(found, "rt") as handle:
        model: dict[str, Any] = json.load(handle)
    return model


@pytest.mark.parametrize("service", PUSHED)
def test_the_filters_are_what_the_models_document(service: str) -> None:
    spec = spec_for(service)
    flt = spec.list.status_filter
    assert flt is not None
    model = _model(spec.client)
    shapes = model["shapes"]
    members = shapes[model["operations"][spec.list.operation]["input"]["shape"]]["members"]
    if flt.named:
        # A name and values the documentation of Filters gives.
        doc = members["Filters"]["documentation"]
        assert f"<code>{flt.param}</code>" in doc
        for word in flt.words:
            value = flt.value(word) if flt.value else word
            assert f"<code>{value}</code>" in doc, word
    else:
        assert set(flt.words) <= set(shapes[members[flt.param]["shape"]]["enum"])
    # Every word sent is one the service maps.
    assert flt.words <= set(spec.statuses) | set(spec.documented_statuses)
    if flt.not_listed:
        # The words the listing's jobs carry, as the documentation of their status says.
        output = shapes[model["operations"][spec.list.operation]["output"]["shape"]]
        listed = shapes[output["members"][spec.list.items]["shape"]]["member"]["shape"]
        status = shapes[listed]["members"][str(spec.fields.status)]["documentation"]
        assert {w for w in spec.statuses if f"<code>{w}</code>" in status} == set(flt.words)
        assert not any(f"<code>{w}</code>" in status for w in flt.not_listed)


@pytest.mark.parametrize("kind", kinds_of(spec_for("ec2")), ids=lambda k: k.list.operation)
@pytest.mark.parametrize("message", [None, "", "Cancelled by user", "ClientError: Denied"])
def test_the_states_a_word_may_take_are_declared(kind: Any, message: str | None) -> None:
    assert kind.fields.state is not None
    status = kind.fields.status
    for word in kind.statuses:
        raw = {status: word, "StatusMessage": message}
        state = kind.fields.state.fn(raw)
        assert state is None or state in kind.fields.other_states.get(word, ()), word


# What a failed job carries beside its word, where the word alone is not FAILED
# (``Fields.state``: EC2's deleted is FAILED when its message gives a reason).
FAILED_BY = {"ec2": {"StatusMessage": "ClientError: Denied"}}


def _failed_words(kind: ServiceSpec) -> list[str]:
    """The words of a failed job the kind's listing documents: the request's."""
    flt = kind.list.status_filter
    assert flt is not None
    known = {**kind.documented_statuses, **kind.statuses}
    return [
        word
        for word in known
        if word not in flt.not_listed
        and State.FAILED in {kind.state_of(word), *kind.fields.other_states.get(word, ())}
    ]


def test_the_requests_are_the_models(jobs: Jobs, stubs: Stubs) -> None:
    """Stubber checks each request against the model, and the answer too: each
    listing of a failed job's words as its spec's filter sends them, one job of the
    first such word answered; a listing without a filter (EC2's instance exports)
    read whole."""
    for service in PUSHED:
        answered = False
        for kind in kinds_of(spec_for(service)):
            page, flt = kind.list, kind.list.status_filter
            request = {page.limit_key: page.limit} if page.limit_key and page.limit else {}
            rows: list[dict[str, Any]] = []
            if flt is not None:
                words = _failed_words(kind)
                values = [flt.value(w) if flt.value else w for w in words]
                if flt.named:
                    request["Filters"] = [{"Name": flt.param, "Values": values}]
                else:
                    [request[flt.param]] = values
                if not answered:
                    rows = [{**summary(service, 1, words[0]), **FAILED_BY.get(service, {})}]
                    answered = True
            answer: Any = rows
            for part in reversed(page.items.split(".")):
                answer = {part: answer}
            stubs(service).add_response(xform_name(page.operation), answer, request)

    found = jobs.list(ListQuery(services=PUSHED, states=frozenset({State.FAILED})))

    assert not found.failures
    assert sorted(j.service for j in found.jobs) == sorted(PUSHED)
    assert {j.region for j in found.jobs} == {REGION}
