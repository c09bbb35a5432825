"""The listing's caps count calls, not targets: a listing whose pages are summaries to
describe (DynamoDB's) keeps to at most so many calls in flight per account and region
and in all, and describes as many at once as the caps leave room for."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.core import Board
from exportctl.ops.credentials import Regions
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.listing.fanout import Fanout
from exportctl.ops.listing.targets import Here, Span, Target
from exportctl.sandbox import Sandbox
from exportctl.sandbox.routing import parse_scope
from exportctl.services import spec_for

# The management account's: the sandbox seeds six exports listed in us-east-1, three
# in eu-west-1, each region's on one page.
REGIONS = ("us-east-1", "eu-west-1")
SERVICES = ("dynamodb", "discovery", "personalize", "backupsearch")


class InFlight:
    """Calls in flight at the sandbox, per (account, region) and in all, at their peak."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.now: Counter[tuple[str, str]] = Counter()
        self.peak: Counter[tuple[str, str]] = Counter()
        self.peak_total = 0
        # What gather() holds: the operation, how many together, how many not ended.
        self._gate: tuple[str, int] | None = None
        self._held = 0
        self._left = 0

    def gather(self, operation: str, together: int, calls: int) -> None:
        """Hold each of the next ``calls`` calls of ``operation`` until ``together``
        of them are in flight at once (or every one not ended): how many overlap is
        then what the caps allow, not how soon each thread got its request out (a
        loaded machine sends the next after the last ended, whatever the latency)."""
        with self.lock:
            self._gate, self._left = (operation, together), calls

    def held(self, target: str | None) -> bool:
        """Whether a call (``target``: its X-Amz-Target) is one gather() holds; if it
        is, once its company is in flight (10 s at most: a cap that allows fewer is
        then seen to)."""
        with self.lock:
            if self._gate is None or not (target or "").endswith("." + self._gate[0]):
                return False
            self._held += 1
            self.lock.notify_all()
            together = self._gate[1]
            self.lock.wait_for(lambda: self._held >= min(together, self._left), timeout=10)
            return True

    def ended(self) -> None:
        """A call held by gather() has ended."""
        with self.lock:
            self._held -= 1
            self._left -= 1
            self.lock.notify_all()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, InFlight]]:
    flight = InFlight()
    dispatch = Sandbox._dispatch_api

    def counted(self: Sandbox, method, path, headers, body, request_id):  # type: ignore[no-untyped-def]
        scope = parse_scope(headers.get("Authorization"))
        # Only this test's sandbox: another, still serving in this process, is not.
        if self is not mine[0] or scope.signing_service in ("sts", "organizations"):
            return dispatch(self, method, path, headers, body, request_id)
        place = (self.identities.caller(scope.access_key).account, scope.region)
        with flight.lock:
            flight.now[place] += 1
            flight.peak[place] = max(flight.peak[place], flight.now[place])
            flight.peak_total = max(flight.peak_total, sum(flight.now.values()))
        held = flight.held(headers.get("X-Amz-Target"))
        try:
            return dispatch(self, method, path, headers, body, request_id)
        finally:
            if held:
                flight.ended()
            with flight.lock:
                flight.now[place] -= 1

    mine: list[Sandbox | None] = [None]
    monkeypatch.setattr(Sandbox, "_dispatch_api", counted)
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        mine[0] = sb
        # Long enough for calls to overlap wherever they may.
        sb.faults.latency = 0.03
        yield sb, flight


def _clients(sb: Sandbox) -> Clients:
    return Clients(
        AwsSettings(region="us-east-1", endpoint_url=sb.url, access_key="AKIASANDBOXEXAMPLE01",
                    secret_key="x")
    )  # fmt: skip


@pytest.mark.parametrize("cap", [1, 2, 4])
def test_a_lone_listing_of_summaries_describes_as_many_at_once_as_its_place_allows(
    sandbox: tuple[Sandbox, InFlight], cap: int
) -> None:
    sb, flight = sandbox
    jobs = Jobs(_clients(sb))
    query = ListQuery(services=("dynamodb",))
    target = Target(Here(jobs), spec_for("dynamodb"), "us-east-1")
    stream = Fanout([target], query, Span(named_services=True), per_place_cap=cap)
    flight.gather("DescribeExport", cap, 6)
    got = list(stream)
    assert len(got) == 6 and not stream.failures
    # The one page's six describes: no more at once than the cap, and as many.
    assert flight.peak == {("123456789012", "us-east-1"): cap}
    assert sb.calls[("dynamodb", "DescribeExport")] == 6


@pytest.mark.parametrize(("per_place", "overall"), [(1, 3), (2, 3), (3, 64)])
def test_the_caps_hold_for_the_describes_beside_other_targets(
    sandbox: tuple[Sandbox, InFlight], per_place: int, overall: int
) -> None:
    sb, flight = sandbox
    query = ListQuery(services=SERVICES)
    board = Board(_clients(sb), regions=Regions(REGIONS))
    stream = Fanout(board.targets(query), query, board.span(query), global_cap=overall,
                    per_place_cap=per_place)  # fmt: skip
    got = sorted(job.ref for job in stream)
    assert not stream.failures
    assert max(flight.peak.values()) == per_place
    assert flight.peak_total <= min(overall, per_place * len(REGIONS))
    calls = dict(sb.calls)

    # The same jobs and calls as under caps that never bind (a board of its own: one
    # remembers the jobs that ended and does not describe them again).
    sb.reset_calls()
    board = Board(_clients(sb), regions=Regions(REGIONS))
    free = Fanout(board.targets(query), query, board.span(query), global_cap=100,
                  per_place_cap=100)  # fmt: skip
    assert sorted(job.ref for job in free) == got
    assert dict(sb.calls) == calls
