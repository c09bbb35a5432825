"""A service whose jobs come from two listings (``ServiceSpec.kinds``), and a state the
status word alone does not say (``Fields.state``), on a toy spec and a scripted call:
the listing reads both, a get asks the kind the id is of, each record is its kind's,
and ``start`` takes each kind's options, the kind chosen by its own option."""

from __future__ import annotations

from typing import Any

import pytest

from exportctl.domain.errors import UsageError
from exportctl.domain.jobkey import JobKey
from exportctl.domain.model import State
from exportctl.services import engine
from exportctl.services.forms import form_for, start_forms, start_options
from exportctl.services.kinds import kind_for, kinds_of
from exportctl.services.spec import (
    Create,
    Derived,
    Fields,
    Get,
    Kind,
    Page,
    Raw,
    ServiceSpec,
    StartOption,
)


def _failed_unless_quiet(raw: Raw) -> State | None:
    return State.FAILED if raw.get("State") == "gone" and raw.get("Why") else None


ROUND = Kind(
    id_prefix="round-",
    fields=Fields(
        id="RoundId", status="State", state=Derived(("State", "Why"), _failed_unless_quiet)
    ),
    get=Get("DescribeRounds", "Rounds.0", lambda key: {"RoundIds": [key.id]}),
    list=Page("DescribeRounds", "Rounds", "Token", "Token"),
    create=Create(
        "StartRound",
        options=(
            StartOption("round-of", "What the round is of.", "Of", record="details.of",
                        required=True),
            StartOption("to", "Where.", "To", required=True),
            StartOption("laps", "How many laps.", "Laps", kind="int"),
        ),
        id="RoundId",
        idempotency="listing",
    ),
)  # fmt: skip

TOY = ServiceSpec(
    name="toy",
    title="Toy",
    client="toy",
    prefix="toy",
    statuses={"on": State.RUNNING, "done": State.COMPLETED, "gone": State.CANCELLED},
    fields=Fields(id="SquareId", status="Status", details={"side": "Side"}),
    get=Get("DescribeSquares", "Squares.0", lambda key: {"SquareIds": [key.id]}),
    list=Page("DescribeSquares", "Squares", "Next", "Next", "Max", 2),
    kinds=(ROUND,),
    create=Create(
        "StartSquare",
        options=(
            StartOption("square-of", "What the square is of.", "Of", required=True),
            StartOption("to", "Where.", "Destination", required=True),
        ),
        id="SquareId",
        idempotency="token",
        token="Token",
    ),
)  # fmt: skip

SQUARES = [{"SquareId": f"sq-{n}", "Status": "done", "Side": n} for n in range(3)]
ROUNDS = [
    {"RoundId": "round-1", "State": "on"},
    {"RoundId": "round-2", "State": "gone", "Why": "ClientError: no room"},
    {"RoundId": "round-3", "State": "gone"},
]


class Calls:
    """Answers each operation as the toy service would; records every call."""

    def __init__(self) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.made.append((operation, dict(params)))
        if operation == "DescribeSquares":
            if "SquareIds" in params:
                return {"Squares": [s for s in SQUARES if s["SquareId"] in params["SquareIds"]]}
            start = int(params.get("Next", 0))
            page = SQUARES[start : start + params["Max"]]
            following = start + params["Max"]
            return {
                "Squares": page,
                **({"Next": str(following)} if following < len(SQUARES) else {}),
            }
        assert operation == "DescribeRounds"
        wanted = params.get("RoundIds")
        return {"Rounds": [r for r in ROUNDS if wanted is None or r["RoundId"] in wanted]}


def test_each_kind_is_a_spec_of_its_own_sharing_the_rest() -> None:
    own, rounds = kinds_of(TOY)
    assert (own.list.operation, rounds.list.operation) == ("DescribeSquares", "DescribeRounds")
    assert own.kinds == () and rounds.kinds == ()
    assert rounds.name == own.name == "toy" and rounds.statuses is TOY.statuses
    assert kinds_of(TOY) is kinds_of(TOY)
    assert kind_for(TOY, "round-7") is rounds and kind_for(TOY, "sq-7") is own


def test_the_listing_reads_every_kind_and_each_record_is_its_kinds() -> None:
    calls = Calls()
    jobs = [engine.normalise(TOY, raw, "r-1") for raw in engine.list_raw(TOY, calls, {})]
    assert [op for op, _ in calls.made] == ["DescribeSquares"] * 2 + ["DescribeRounds"]
    assert [j.id for j in jobs] == ["sq-0", "sq-1", "sq-2", "round-1", "round-2", "round-3"]
    assert jobs[1].details == {"side": 1} and jobs[1].status == "done"
    assert [(j.status, j.state) for j in jobs[3:]] == [
        ("on", State.RUNNING),
        ("gone", State.FAILED),
        ("gone", State.CANCELLED),
    ]
    assert all(j.ref == f"toy:r-1:{j.id}" for j in jobs)


def test_a_get_asks_the_kind_the_id_is_of() -> None:
    calls = Calls()
    raw = engine.get_raw(TOY, calls, JobKey("toy", "round-2"))
    square = engine.get_raw(TOY, calls, JobKey("toy", "sq-1"))
    assert calls.made == [
        ("DescribeRounds", {"RoundIds": ["round-2"]}),
        ("DescribeSquares", {"SquareIds": ["sq-1"]}),
    ]
    assert engine.normalise(TOY, raw, "r-1").state is State.FAILED
    assert engine.normalise(TOY, square, "r-1").details == {"side": 1}


def test_each_kind_has_its_own_batch_and_none_parents_or_summaries() -> None:
    from dataclasses import replace

    from exportctl.services.spec import Batch, FanOut, Summaries

    squares, rounds = Batch("SquareIds", max_ids=10), Batch("RoundIds", 5, whole_call_fails=True)
    toy = replace(TOY, batch=squares, kinds=(replace(ROUND, batch=rounds),))
    assert [kind.batch for kind in kinds_of(toy)] == [squares, rounds]
    assert kind_for(toy, "round-1").batch is rounds and kind_for(toy, "sq-1").batch is squares
    # A kind without a batch of its own reads its jobs one by one.
    assert [kind.batch for kind in kinds_of(replace(TOY, batch=squares))] == [squares, None]
    fan_out = FanOut(TOY.list, parent_id="Id", param="Parent")
    for refused in ({"fan_out": fan_out}, {"summaries": Summaries()}):
        with pytest.raises(ValueError, match="no parents nor summaries"):
            replace(TOY, **refused)  # type: ignore[arg-type]


def test_start_takes_every_kinds_options_each_chosen_by_its_own() -> None:
    assert [
        (k.create.operation if k.create else None, by and by.name) for k, by in start_forms(TOY)
    ] == [
        ("StartSquare", "square-of"),
        ("StartRound", "round-of"),
    ]
    options = {o.name: o.required for o in start_options(TOY)}
    assert options == {"square-of": False, "to": True, "round-of": False, "laps": False}
    assert form_for(TOY, {"round_of": "x", "to": "y", "square_of": None}) is kinds_of(TOY)[1]
    assert form_for(TOY, {"square_of": "x", "to": "y"}) is kinds_of(TOY)[0]


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"to": "y"}, "--square-of or --round-of is required"),
        ({"square_of": "x", "round_of": "x"}, "--square-of and --round-of start different jobs"),
        ({"square_of": "x", "laps": 3}, "--laps is not an option of an export with --square-of"),
    ],
)
def test_values_that_choose_no_one_kind_are_a_usage_error(
    values: dict[str, Any], said: str
) -> None:
    with pytest.raises(UsageError, match=said):
        form_for(TOY, values)


def test_a_service_of_one_kind_is_its_one_form() -> None:
    from exportctl.services import spec_for

    spec = spec_for("discovery")
    assert kinds_of(spec) == (spec,) and kind_for(spec, "anything") is spec
    assert start_forms(spec) == ((spec, None),)
    assert form_for(spec, {}) is spec
    assert spec.create is not None and start_options(spec) == spec.create.options
