"""An account's role refused by sts:AssumeRole: told as the role, once for the account."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from exportctl.aws.errorcodes import PERMISSION_CODES
from exportctl.domain.errors import RoleUnavailable
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.organization import RoleProvider

ROLE = "arn:aws:iam::111122223333:role/exportctl-reader"


def _provider(code: str) -> tuple[RoleProvider, Stubber]:
    # A closed port: a call nobody planned fails at once instead of reaching AWS.
    sts = botocore.session.get_session().create_client(
        "sts",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    stubber = Stubber(sts)
    stubber.add_client_error("assume_role", code, "not for you", http_status_code=403)
    stubber.activate()
    clients: Any = SimpleNamespace(client=lambda service, region: SimpleNamespace(bare=sts))
    base: Any = SimpleNamespace(clients=clients)
    return RoleProvider(base, ROLE, CallCounter(), "us-east-1"), stubber


@pytest.mark.parametrize("code", sorted(PERMISSION_CODES))
def test_any_word_of_a_refused_permission_is_the_role_refused(code: str) -> None:
    # AccessDenied and AccessDeniedException were, and nothing else: another word of
    # a denial went on to each call of the account's services, AssumeRole asked again
    # by each, and said as that call's own error, the role unnamed.
    provider, stubber = _provider(code)
    with pytest.raises(RoleUnavailable) as refused:
        provider.ready()
    assert refused.value.message == f"cannot assume {ROLE}: not for you"
    # Kept for the account: its other services do not ask again.
    with pytest.raises(RoleUnavailable):
        provider.fetch()
    stubber.assert_no_pending_responses()
