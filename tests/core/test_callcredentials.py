"""One botocore client for many accounts: each call signed with the credentials its
thread chose (exportctl.aws.callcredentials), over HTTP against the sandbox, whose
STS answers GetCallerIdentity with the account of the keys that signed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from exportctl.aws.callcredentials import CallCredentials, NoAccountChosen
from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.sharedclients import Shared
from exportctl.sandbox import Sandbox

ACCOUNTS = ("210987654321", "345678901234")
ROLE = "OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


def _credentials(sandbox: Sandbox, account: str) -> Any:
    from botocore.credentials import Credentials

    settings = AwsSettings(
        region="us-east-1", endpoint_url=sandbox.url,
        access_key="AKIASANDBOXEXAMPLE01", secret_key="x",
    )  # fmt: skip
    base = Clients(settings)
    answer = base.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="test"
    )["Credentials"]
    return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])


def _shared(sandbox: Sandbox) -> Shared:
    chosen = CallCredentials()
    clients = Clients(
        AwsSettings(region="us-east-1", endpoint_url=sandbox.url), credentials=chosen.provider()
    )
    return Shared(clients, chosen, frozenset({"sts"}))


def test_each_call_is_signed_as_the_account_that_makes_it(sandbox: Sandbox) -> None:
    shared = _shared(sandbox)
    taken = {a: shared.take("sts", "us-east-1", _credentials(sandbox, a)) for a in ACCOUNTS}
    first, second = taken.values()
    assert first.bare is second.bare
    answered: dict[str, list[str]] = {a: [] for a in ACCOUNTS}
    # Each request is signed only once every account's call has chosen its
    # credentials: all of them are in flight on the one client when it signs.
    together = threading.Barrier(len(ACCOUNTS), timeout=10)
    first.bare.meta.events.register("before-sign.sts", lambda **_: together.wait())

    def calls(account: str) -> None:
        for _ in range(15):
            answered[account].append(taken[account].get_caller_identity()["Account"])

    threads = [threading.Thread(target=calls, args=(a,)) for a in ACCOUNTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answered == {a: [a] * 15 for a in ACCOUNTS}


def test_a_call_with_no_account_chosen_is_not_signed_at_all(sandbox: Sandbox) -> None:
    shared = _shared(sandbox)
    taken = shared.take("sts", "us-east-1", _credentials(sandbox, ACCOUNTS[0]))
    sandbox.reset_calls()
    with pytest.raises(NoAccountChosen):
        taken.bare.get_caller_identity()
    assert not sandbox.calls


def test_a_held_shared_client_goes_when_the_last_hold_is_given_back(sandbox: Sandbox) -> None:
    shared = _shared(sandbox)
    closed: list[Any] = []
    for account in ACCOUNTS:
        shared.hold("sts", "us-east-1")
        taken = shared.take("sts", "us-east-1", _credentials(sandbox, account))
    bare = taken.bare
    real_close = bare.close
    bare.close = lambda: closed.append(bare) or real_close()
    shared.give_back("sts", "us-east-1")
    assert not closed
    shared.give_back("sts", "us-east-1")
    assert closed == [bare]
    # Taken again, it is made again; never held, it stays.
    again = shared.take("sts", "us-east-1", _credentials(sandbox, ACCOUNTS[0]))
    assert again.bare is not bare
    assert again.get_caller_identity()["Account"] == ACCOUNTS[0]
    assert shared.take("sts", "us-east-1", _credentials(sandbox, ACCOUNTS[1])).bare is again.bare


def test_a_credential_sets_clients_are_the_shared_ones_of_the_moment(sandbox: Sandbox) -> None:
    # A set's Clients hands out the shared client as it is now: one that another
    # set's listing let go (its last hold given back) is not handed out again.
    shared = _shared(sandbox)
    settings = AwsSettings(
        region="us-east-1", endpoint_url=sandbox.url,
        access_key="AKIASANDBOXEXAMPLE01", secret_key="x",
    )  # fmt: skip
    reading, listing = Clients(settings, shared=shared), Clients(settings, shared=shared)
    first = reading.client("sts")
    assert first.get_caller_identity()["Account"] == "123456789012"
    listing.hold("sts", "us-east-1")
    assert listing.client("sts").bare is first.bare
    listing.release("sts", "us-east-1")
    second = reading.client("sts")
    assert second.bare is not first.bare
    assert second.get_caller_identity()["Account"] == "123456789012"
