"""Clients several credential sets share: an organisation's accounts.

Each shared client signs with the credentials the calling thread chose
(exportctl.aws.callcredentials); :meth:`exportctl.aws.clients.Clients.client` of an
account hands it out with its calls made inside that choice.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any, Protocol

from exportctl.aws.translatingclient import TranslatingClient
from exportctl.domain.naming import Named, flag

if TYPE_CHECKING:
    from exportctl.aws.callcredentials import CallCredentials


class Made(Protocol):
    """Where the shared clients are made and let go: an exportctl.aws.clients.Clients
    whose credentials are a CallCredentials' provider (named here, not imported:
    that module takes a Shared)."""

    def client(self, service: str, region: str | None = None) -> TranslatingClient: ...

    def release(self, service: str, region: str) -> None: ...

    def close(self, said: str | None = None) -> None: ...


class Shared:
    """Clients that several credential sets use (an organisation's accounts), each
    call signed with the credentials of the set making it: ``services``' clients,
    from ``clients``, whose credentials are those ``credentials`` chose for the call.

    A client lives as long as this does, unless it was held (:meth:`hold`: a listing
    read once holds a client for each of its targets): then it is let go when the
    last hold is given back, so that an organisation's listing keeps only the
    clients of the targets it has yet to read."""

    def __init__(
        self, clients: Made, credentials: CallCredentials, services: frozenset[str]
    ) -> None:
        self.clients = clients
        self.credentials = credentials
        self.services = services
        self._holds: Counter[tuple[str, str]] = Counter()
        # Reentrant, as Clients' lock: a hold may be given back by a listing's
        # reading closed by the garbage collector in a thread that holds it.
        self._lock = threading.RLock()

    def take(
        self, service: str, region: str, credentials: Any, named: Named = flag
    ) -> TranslatingClient:
        """The client of ``service`` in ``region``, its calls signed with ``credentials``
        (``named``: how its messages name an option, as the taker's settings say; what
        a call that cannot connect says of a server known to be gone is the shared
        client's, whose settings are every taker's)."""
        made = self.clients.client(service, region)
        chosen = self.credentials.chosen
        return TranslatingClient(
            made.bare, scope=lambda: chosen(credentials), named=named, gone=made.gone
        )

    def hold(self, service: str, region: str) -> None:
        with self._lock:
            self._holds[(service, region)] += 1

    def give_back(self, service: str, region: str) -> None:
        with self._lock:
            self._holds[(service, region)] -= 1
            if self._holds[(service, region)] <= 0:
                del self._holds[(service, region)]
                self.clients.release(service, region)
