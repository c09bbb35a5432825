"""botocore credential providers made from a function: what a session of exportctl's
puts before botocore's usual chain (an assumed role's credentials, or those chosen
call by call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def credential_provider(method: str, load: Callable[[], Any]) -> Any:
    """A botocore credential provider named ``method`` whose credentials are what
    ``load`` makes."""
    from botocore.credentials import CredentialProvider

    class Provider(CredentialProvider):  # type: ignore[misc]
        METHOD = method
        CANONICAL_NAME = method

        def load(self) -> Any:
            return load()

    return Provider()


def only_credentials(session: Any, provider: Any) -> None:
    """``provider`` made the one source of ``session``'s credentials (an assumed role's,
    or those chosen call by call), whatever the session's profile says of its own: the
    profile gives every other setting (max_attempts, endpoints, ca_bundle...), as the
    profile of a role the AWS CLI assumes does. botocore's chain for an explicit profile
    has no ``env`` to put another provider before."""
    from botocore.credentials import CredentialResolver

    session.register_component("credential_provider", CredentialResolver(providers=[provider]))
