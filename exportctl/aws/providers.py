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
