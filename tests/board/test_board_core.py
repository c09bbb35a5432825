"""The pieces: references with accounts, --region and --profile parsing, role credentials."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from sandbox_jobs import listed_export_jobs, record_id

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import UsageError
from exportctl.ops.core import Board
from exportctl.ops.credentials import Accounts, Regions, offered_regions
from exportctl.ops.jobs import ListQuery
from exportctl.ops.listing.fanout import Fanout
from exportctl.sandbox import Sandbox
from exportctl.services import all_specs
from exportctl.services.refs import JobKey, canonical_ref, parse, with_account


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        (
            "pinpoint:123456789012:eu-west-1:" + "a" * 32 + "/" + "b" * 32,
            JobKey("pinpoint", "b" * 32, "eu-west-1", parent="a" * 32, account="123456789012"),
        ),
        (
            "discovery:210987654321:us-west-2:export-1",
            JobKey("discovery", "export-1", "us-west-2", account="210987654321"),
        ),
        ("discovery:us-west-2:export-1", JobKey("discovery", "export-1", "us-west-2")),
        ("discovery:export-1", JobKey("discovery", "export-1")),
    ],
)
def test_refs_with_and_without_account(ref: str, key: JobKey) -> None:
    assert parse(ref) == key


def test_arn_keys_carry_their_account() -> None:
    arn = "arn:aws:personalize:us-east-1:345678901234:dataset-export-job/users"
    assert parse(arn).account == "345678901234"


@pytest.mark.parametrize("ref", ["discovery:123456789012:export-1", "discovery:12345:us-east-1:x"])
def test_bad_account_refs(ref: str) -> None:
    with pytest.raises(UsageError):
        parse(ref)


def test_canonical_ref_round_trips_with_account() -> None:
    from exportctl.services import spec_for

    spec = spec_for("pinpoint")
    ref = canonical_ref(spec, "eu-west-1", "j1", parent="app1", arn=None, account="210987654321")
    assert ref == "pinpoint:210987654321:eu-west-1:app1/j1"
    key = parse(ref)
    assert (key.account, key.region, key.parent, key.id) == (
        "210987654321",
        "eu-west-1",
        "app1",
        "j1",
    )
    assert with_account("pinpoint:eu-west-1:app1/j1", "210987654321") == ref
    assert with_account(ref, "999999999999") == ref
    arn = "arn:aws:personalize:us-east-1:345678901234:dataset-export-job/users"
    assert with_account(arn, "210987654321") == arn


def test_region_and_account_options() -> None:
    assert Regions.parse(["eu-west-1,us-east-1", "eu-west-1"]).names == ("eu-west-1", "us-east-1")
    assert Regions.parse(["ALL"]).every
    assert Regions.parse(["us-east-1"]).single == "us-east-1"
    assert not Regions.parse(["us-east-1"]).many
    with pytest.raises(UsageError):
        Regions.parse(["all,us-east-1"])
    assert Accounts.parse(["a,b", "c"], None, []).profiles == ("a", "b", "c")
    with pytest.raises(UsageError, match="--org-role"):
        Accounts.parse([], None, ["123456789012"])
    with pytest.raises(UsageError, match="12-digit"):
        Accounts.parse([], "r", ["1234"])


def test_all_regions_come_from_botocore() -> None:
    import boto3

    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    session = boto3.session.Session(region_name="us-east-1")
    assert offered_regions(clients, "personalize") == tuple(
        session.get_available_regions("personalize")
    )
    # No endpoint list for Backup Search: every region of the partition.
    every = offered_regions(clients, "backupsearch")
    assert "us-east-1" in every and "ap-east-1" in every
    cn = Clients(AwsSettings(region="cn-north-1", access_key="x", secret_key="x"))
    assert all(r.startswith("cn-") for r in offered_regions(cn, "backupsearch"))


def _org_board(sandbox: Sandbox) -> Board:
    settings = AwsSettings(
        region="us-east-1", endpoint_url=sandbox.url, access_key="AKIASANDBOXEXAMPLE01",
        secret_key="x",
    )  # fmt: skip
    return Board(
        Clients(settings),
        regions=Regions(("us-west-2", "ap-southeast-2")),
        accounts=Accounts((), "exportctl-reader", ("210987654321",)),
    )


def test_role_credentials_are_refreshed_before_they_expire() -> None:
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        # Credentials that expire within botocore's refresh window: fetched again on use.
        sandbox.faults.update({"session_seconds": 1})
        board = _org_board(sandbox)
        query = ListQuery(services=("personalize",))
        first = board.list(query)
        assert first.jobs and not first.failures
        sandbox.identities.expire_sessions()
        second = board.list(query)
        assert not second.failures and len(second.jobs) == len(first.jobs)
        assert sandbox.calls[("sts", "AssumeRole")] >= 2


def test_expired_credentials_are_refused_by_the_sandbox() -> None:
    # The control for the test above: credentials botocore thinks fresh, expired
    # behind its back, are refused, so the refresh there is what kept the list whole.
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        board = _org_board(sandbox)
        query = ListQuery(services=("personalize",))
        assert not board.list(query).failures
        sandbox.identities.expire_sessions()
        again = board.list(query)
        assert again.failures and "expired" in again.failures[0].message
        assert sandbox.calls[("sts", "AssumeRole")] == 1


def test_streamed_fanout_yields_before_the_last_answer_and_reports_progress() -> None:
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        sandbox.faults.latency = 0.05
        board = _org_board(sandbox)
        reports: list[str | None] = []
        stream = board.fanout(ListQuery(), on_progress=reports.append)
        assert isinstance(stream, Fanout)
        calls_at_first = None
        count = 0
        for _ in stream:
            if calls_at_first is None:
                calls_at_first = sum(sandbox.calls.values())
            count += 1
        assert calls_at_first is not None and calls_at_first < sum(sandbox.calls.values())
        assert stream.progress() == f"regions 2/2, jobs {count:,}"


def test_concurrency_caps_hold_per_account_region_and_overall(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    from collections import Counter

    from exportctl.ops.listing.fanout import Fanout
    from exportctl.sandbox.routing import parse_scope

    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        sandbox.faults.latency = 0.02
        lock = threading.Lock()
        flying: Counter[tuple[str, str]] = Counter()
        peak: Counter[tuple[str, str]] = Counter()
        peak_total = 0
        dispatch = Sandbox._dispatch_api

        def counted(self: Sandbox, method, path, headers, body, request_id):  # type: ignore[no-untyped-def]
            nonlocal peak_total
            scope = parse_scope(headers.get("Authorization"))
            if scope.signing_service in ("sts", "organizations"):
                return dispatch(self, method, path, headers, body, request_id)
            place = (self.identities.caller(scope.access_key).account, scope.region)
            with lock:
                flying[place] += 1
                peak[place] = max(peak[place], flying[place])
                peak_total = max(peak_total, sum(flying.values()))
            try:
                return dispatch(self, method, path, headers, body, request_id)
            finally:
                with lock:
                    flying[place] -= 1

        monkeypatch.setattr(Sandbox, "_dispatch_api", counted)
        board = _org_board(sandbox)
        board.accounts = Accounts((), "exportctl-reader", ("210987654321", "123456789012"))
        board._org.only = board.accounts.only  # type: ignore[union-attr]
        query = ListQuery()
        stream = Fanout(board.targets(query), query, board.span(query), global_cap=3,
                        per_place_cap=1)  # fmt: skip
        jobs = list(stream)
        assert jobs and not stream.failures
        assert max(peak.values()) == 1
        assert 1 < peak_total <= 3


def _live_clients() -> list[Any]:
    from botocore.client import BaseClient

    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, BaseClient)]


def test_a_listing_read_once_lets_each_targets_client_go(frozen_heap: None) -> None:
    # Over every account and region of an organization, kept clients would be
    # thousands; failed targets (a region not enabled) must not hold theirs either.
    from botocore.client import BaseClient

    # Clients other tests of this process left are not this listing's.
    before = {id(c) for c in _live_clients()}
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        board = _org_board(sandbox)
        board.regions = Regions(("us-west-2", "ap-east-1"))
        closed: list[str] = []
        real_close = BaseClient.close

        def close(client: BaseClient) -> None:
            closed.append(client.meta.service_model.service_name)
            real_close(client)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(BaseClient, "close", close)
            listing = board.fanout(ListQuery(), once=True)
            jobs = list(listing)
        assert jobs and listing.failures
        # A client a target (a service, EC2's two kinds of job sharing one), each let
        # go once its target ended: of each service in each of the two regions.
        clients = [spec.client for spec in all_specs()]
        assert sorted(closed) == sorted(2 * clients)
        targets = {s for s in closed}
        assert not [
            c
            for c in _live_clients()
            if c.meta.service_model.service_name in targets and id(c) not in before
        ]
        # Read again and again (watch), the clients stay.
        closed.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(BaseClient, "close", close)
            list(board.fanout(ListQuery()))
            list(board.fanout(ListQuery()))
        assert closed == []
        assert len(
            [
                c
                for c in _live_clients()
                if c.meta.service_model.service_name in targets and id(c) not in before
            ]
        ) == 2 * len(clients)


# Each of the sandbox organization's three accounts with jobs has some in one of these.
REGIONS = ("us-west-2", "ap-southeast-2", "eu-west-1")


def test_the_accounts_of_an_organization_share_each_services_client(frozen_heap: None) -> None:
    # A client an account, region and service would be thousands in an organization:
    # the accounts share one of each service in each region, and each call is still
    # signed as its own account (every job is read once, from its own account).
    from collections import Counter

    from botocore.client import BaseClient

    before = {id(c) for c in _live_clients()}
    made: Counter[tuple[str, str]] = Counter()
    real_create = Clients._create

    def create(self: Clients, service: str, region: str, attempts: int | None = None) -> Any:
        made[(service, region)] += 1
        return real_create(self, service, region, attempts)

    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        board = Board(
            _org_board(sandbox).clients,
            regions=Regions(REGIONS),
            accounts=Accounts((), "OrganizationAccountAccessRole", ()),
        )
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Clients, "_create", create)
            listing = board.fanout(ListQuery(), once=True)
            jobs = list(listing)
        held = {
            (j["account"], j["service"], j["region"], record_id(j))
            for j in listed_export_jobs(sandbox, account=None)
            if j["region"] in REGIONS
        }
    read = [(j.account, j.service, j.region, j.id) for j in jobs]
    accounts = {account for account, *_ in read}
    assert len(accounts) >= 3
    assert len(read) == len(set(read))
    assert set(read) == {job for job in held if job[0] in accounts}
    exports = {(spec.client, r) for spec in all_specs() for r in REGIONS}
    assert {key: made[key] for key in exports} == dict.fromkeys(exports, 1)
    assert not [
        c
        for c in _live_clients()
        if isinstance(c, BaseClient)
        and (c.meta.service_model.service_name, c.meta.region_name) in exports
        and id(c) not in before
    ]


def test_a_listing_stopped_early_lets_the_shared_clients_go(frozen_heap: None) -> None:
    # A listing read once holds each shared client for every target it will read;
    # left after its first job, the targets it never started give theirs back too,
    # or the clients would live as long as the organization. The listing is still
    # referenced below: what its readers had queued (a failure's traceback holds
    # the frames of its call, and so its client) goes when it is closed.
    import time

    from botocore.client import BaseClient

    before = {id(c) for c in _live_clients()}
    exports = {(spec.client, r) for spec in all_specs() for r in REGIONS}

    def alive() -> list[Any]:
        return [
            c
            for c in _live_clients()
            if isinstance(c, BaseClient)
            and (c.meta.service_model.service_name, c.meta.region_name) in exports
            and id(c) not in before
        ]

    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        board = Board(
            _org_board(sandbox).clients,
            regions=Regions(REGIONS),
            accounts=Accounts((), "OrganizationAccountAccessRole", ()),
        )
        listing = board.fanout(ListQuery(), once=True)
        jobs = iter(listing)
        next(jobs)
        assert alive(), "the listing made no shared client before its first job"
        jobs.close()
        # The targets already reading end at their next page, on their own threads.
        deadline = time.monotonic() + 30
        while alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive()


def test_a_jobs_owner_is_the_core_of_its_accounts_credentials() -> None:
    # What is sent about a job (its cancel, its output's S3) goes with these.
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        board = _org_board(sandbox)
        job = next(j for j in board.fanout(ListQuery(("discovery",)), once=True))
        assert job.account == "210987654321"
        owner = board.owner(job)
        assert owner is not board
        sts = owner.clients.client("sts", "us-east-1")
        assert sts.get_caller_identity()["Account"] == job.account
        # One account only: the board itself.
        single = Board(board.clients)
        assert single.owner(job) is single
