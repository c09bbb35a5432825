"""Credentials chosen call by call: one botocore client for many accounts.

An organisation-wide listing reads every service in every region of every account:
a botocore client per account, region and service is thousands of clients, and
making one costs more than the call it makes (its event handlers copied, its
endpoint rules and connection pool built). The clients of a service in a region
are alike but for the credentials they sign with, so the accounts of an
organisation share them: each shared client signs with a :class:`Credentials` that
stands for whichever account the calling thread chose (:meth:`CallCredentials.chosen`)
for the call it is making.

botocore asks a client's credentials for their frozen value once for every request
it signs, retries included, in the thread that makes the call
(``RequestSigner.get_auth_instance``), so each request is signed with the
credentials of the account whose call it is; an account's own credentials still
come from its own session and refresh as they would there. A call made with no
account chosen fails (:class:`NoAccountChosen`) rather than sign with another
account's credentials.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# The method name botocore records for credentials of this provider.
METHOD = "exportctl-chosen-per-call"


class NoAccountChosen(RuntimeError):
    """A shared client was called outside :meth:`CallCredentials.chosen`."""


class CallCredentials:
    """The credentials each thread chose for the calls it makes now."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def chosen(self, credentials: Any) -> Iterator[None]:
        """Calls this thread makes in the block sign with ``credentials`` (a botocore
        ``Credentials``: an account's session's own)."""
        previous = getattr(self._local, "credentials", None)
        self._local.credentials = credentials
        try:
            yield
        finally:
            self._local.credentials = previous

    def current(self) -> Any:
        credentials = getattr(self._local, "credentials", None)
        if credentials is None:
            raise NoAccountChosen("a call of a shared client made with no account chosen")
        return credentials

    def provider(self) -> Any:
        """A botocore credential provider whose credentials are :meth:`current`'s,
        read each time botocore signs."""
        from botocore.credentials import Credentials

        from exportctl.aws.providers import credential_provider

        current = self.current

        class Chosen(Credentials):  # type: ignore[misc]
            # botocore's Credentials sets these in its constructor; here they are
            # read from the chosen credentials each time instead.
            def __init__(self) -> None:
                self.method = METHOD

            @property
            def access_key(self) -> Any:
                return current().access_key

            @property
            def secret_key(self) -> Any:
                return current().secret_key

            @property
            def token(self) -> Any:
                return current().token

            @property
            def account_id(self) -> Any:
                return current().account_id

            def get_frozen_credentials(self) -> Any:
                return current().get_frozen_credentials()

        return credential_provider(METHOD, Chosen)
