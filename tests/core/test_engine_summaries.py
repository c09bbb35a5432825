"""What the engine makes of the spec language's newer words, on a service of the test's
own: a listing of summaries (``ServiceSpec.summaries``), each described before it
becomes a record, and ARNs nested under another resource (``ArnForm.nested``)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest

from exportctl.domain.errors import BrokenAnswerError, NotFoundError, UsageError
from exportctl.domain.model import State
from exportctl.services import engine as eng
from exportctl.services.spec import (
    ArnForm,
    Derived,
    Fields,
    Get,
    Page,
    ServiceSpec,
    Summaries,
)

ARN = "arn:aws:toy:us-east-1:123456789012:oven/big/loaf/{}"


def _id(raw: Mapping[str, Any]) -> str | None:
    arn = raw.get("arn")
    return str(arn).rpartition("/")[2] if arn else None


SPEC = ServiceSpec(
    name="toy",
    title="Toy Bakery",
    client="toy",
    arn=ArnForm(service="toy", resource="oven", nested="loaf"),
    statuses={"BAKING": State.RUNNING, "BAKED": State.COMPLETED, "BURNT": State.FAILED},
    fields=Fields(
        id=Derived(paths=("arn",), fn=_id), arn="arn", status="status", created="started"
    ),
    get=Get(operation="Describe", item="loaf", params=lambda key: {"arn": key.arn}),
    list=Page(operation="List", items="loaves", input_token="next", output_token="next"),
    summaries=Summaries(concurrency=3),
)


class Oven:
    """The toy's API: ``List`` gives summaries two a page, ``Describe`` the whole loaf."""

    def __init__(self, statuses: list[str], gone: frozenset[int] = frozenset()) -> None:
        self.loaves = [
            {"arn": ARN.format(n), "status": s, "started": 1_790_000_000 + n}
            for n, s in enumerate(statuses)
        ]
        self.gone = gone
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.calls.append((operation, dict(params)))
        if operation == "List":
            start = int(params.get("next") or 0)
            page = self.loaves[start : start + 2]
            summaries = [{"arn": raw["arn"], "status": raw["status"]} for raw in page]
            more = start + 2 < len(self.loaves)
            return {"loaves": summaries, **({"next": str(start + 2)} if more else {})}
        index = [raw["arn"] for raw in self.loaves].index(params["arn"])
        if index in self.gone:
            raise NotFoundError(f"no loaf {params['arn']}")
        return {"loaf": dict(self.loaves[index])}

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)


def test_each_summary_is_described_before_it_is_a_record() -> None:
    oven = Oven(["BAKED", "BURNT", "BAKING"])
    listed = [raw for raw in eng.list_raw(SPEC, oven, {})]
    assert [raw["started"] for raw in listed] == [1_790_000_000, 1_790_000_001, 1_790_000_002]
    assert (oven.count("List"), oven.count("Describe")) == (2, 3)
    described = [params["arn"] for op, params in oven.calls if op == "Describe"]
    assert described == [ARN.format(n) for n in range(3)]


def test_finding_a_job_reads_the_summaries_alone() -> None:
    oven = Oven(["BAKED", "BURNT", "BAKING"])
    listed = list(eng.list_raw(SPEC, oven, {}, as_listed=True))
    assert [set(raw) for raw in listed] == [{"arn", "status"}] * 3
    assert oven.count("Describe") == 0


def test_a_job_gone_between_listing_and_describe_keeps_what_the_listing_said() -> None:
    oven = Oven(["BAKED", "BURNT"], gone=frozenset({1}))
    listed = list(eng.list_raw(SPEC, oven, {}))
    assert listed[0]["started"] == 1_790_000_000
    assert listed[1] == {"arn": ARN.format(1), "status": "BURNT"}
    assert eng.normalise(SPEC, listed[1], "us-east-1").state is State.FAILED


def test_the_caller_decides_how_many_are_described_at_once() -> None:
    oven = Oven(["BAKED"] * 5)
    seen: list[tuple[int, int]] = []

    def describe_all(describe: Any, summaries: list[Any], size: int) -> list[Any]:
        seen.append((len(summaries), size))
        return [describe(raw) for raw in reversed(summaries)][::-1]

    pages = list(eng.list_pages(SPEC, oven, {}, describe_all=describe_all))
    assert seen == [(2, 3), (2, 3), (1, 3)]
    assert [raw["started"] for page in pages for raw, _ in page] == [
        1_790_000_000 + n for n in range(5)
    ]


def test_a_summary_without_its_id_is_a_broken_answer() -> None:
    def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return {"loaves": [{"status": "BAKED"}]}

    with pytest.raises(BrokenAnswerError, match="List answered without the id of an item"):
        list(eng.list_raw(SPEC, call, {}))


def test_the_new_jobs_id_is_the_last_part_of_a_nested_arn() -> None:
    from exportctl.services.spec import Create

    spec = ServiceSpec(
        name=SPEC.name,
        title=SPEC.title,
        client=SPEC.client,
        arn=SPEC.arn,
        statuses=SPEC.statuses,
        fields=SPEC.fields,
        get=SPEC.get,
        list=SPEC.list,
        create=Create(
            operation="Bake",
            options=(),
            id="arn",
            arn="arn",
            idempotency="token",
            token="ClientToken",
        ),
    )
    key = eng.created_key(spec, {"arn": ARN.format(7)}, "eu-west-1", {})
    assert (key.id, key.arn, key.region) == ("7", ARN.format(7), "us-east-1")


@pytest.fixture
def toy_registered() -> Any:
    import types

    from exportctl import services

    module = types.ModuleType("toy_nested")
    module.SPEC = ServiceSpec(  # type: ignore[attr-defined]
        name=SPEC.name,
        title=SPEC.title,
        client=SPEC.client,
        arn=SPEC.arn,
        statuses=SPEC.statuses,
        fields=SPEC.fields,
        get=SPEC.get,
        list=SPEC.list,
        related_arns={"oven": "an oven's: its loaves are `exportctl list --oven ARN`"},
    )
    services.register(module)
    try:
        yield module
    finally:
        services.unregister(module)


def test_a_nested_arn_is_read_as_its_job(toy_registered: Any) -> None:
    from exportctl.services.refs import accepted_forms, parse

    key = parse(ARN.format("0123-abc"))
    assert (key.service, key.id, key.region, key.account) == (
        "toy",
        "0123-abc",
        "us-east-1",
        "123456789012",
    )
    assert key.arn == ARN.format("0123-abc")
    assert "arn:aws:toy:REGION:ACCOUNT:oven/NAME/loaf/ID" in accepted_forms()


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        # The owner's own ARN: one step from its jobs, and the step is said.
        ("arn:aws:toy:us-east-1:123456789012:oven/big", "not an export job's ARN but an oven's"),
        # Another kind of resource under the owner, or more parts than the form has.
        ("arn:aws:toy:us-east-1:123456789012:oven/big/tray/1", "not a Toy Bakery oven/NAME/loaf"),
        ("arn:aws:toy:us-east-1:123456789012:oven/big/loaf/1/x", "not a Toy Bakery oven/NAME/loaf"),
        ("arn:aws:toy:us-east-1:123456789012:oven/big/loaf/", "not a Toy Bakery oven/NAME/loaf"),
        ("arn:aws:toy:us-east-1:123456789012:loaf/1", "not a Toy Bakery oven/NAME/loaf"),
    ],
)
def test_other_arns_of_the_service_are_said_to_be_no_job(
    toy_registered: Any, ref: str, said: str
) -> None:
    from exportctl.services.refs import parse

    with pytest.raises(UsageError) as refused:
        parse(ref)
    assert said in refused.value.message
