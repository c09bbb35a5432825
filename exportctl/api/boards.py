"""The cores a client calls, made on first use, what they settled on (the regions),
and what it hands out that reads through them (listings, watches, backups): all ended
together when the client is closed."""

from __future__ import annotations

import builtins
import threading
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, TypeVar

from exportctl.api.changes import Changes
from exportctl.api.errors import BadInput, translated
from exportctl.aws.clients import AwsSettings
from exportctl.domain.naming import Named
from exportctl.ops.connect import Targets, check_targets, connect
from exportctl.ops.core import Board

if TYPE_CHECKING:
    from typing_extensions import Self

    from exportctl.ops.estimates import Estimator

# The regions, profiles, role and accounts a client spans, as given.
Spans = tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...]]


class Reader(Protocol):
    """What reads through a client's cores after the call that made it returned."""

    def abandon(self, reason: str) -> None: ...


R = TypeVar("R", bound=Reader)


class Boards(Changes):
    """A client's cores (:meth:`board`) and their end (:meth:`close`)."""

    _spans: Spans
    _targets: Targets
    _base: AwsSettings
    # The durations every service's jobs are estimated from, when one endpoint serves
    # them all whatever its URL (the command line's embedded sandbox); else each
    # service's endpoint's.
    _durations_scope: str | None = None

    def _start_boards(self) -> None:
        self._lock = threading.Lock()
        # One core per span of regions and accounts asked for (the client's, and
        # those a listing names), each with its sessions and clients.
        self._boards: dict[Targets, Board] = {}
        # Listings, watches and backups handed out, held weakly: those not yet ended are
        # abandoned by close(), so that their reading stops (the clients they hold
        # would otherwise call on, reopening connections nobody closes) and their
        # readers are told, instead of given what looks like a whole listing.
        self._readers: weakref.WeakSet[Reader] = weakref.WeakSet()
        self._closed = False

    def board(self, targets: Targets | None = None, named: Named | None = None) -> Board:
        """The core this client calls (what the command line's commands call): for
        the client's regions and accounts, or for ``targets`` (``named``: how its
        messages name an option, when not as the client's)."""
        targets = targets or self._targets
        with self._lock:
            self._refuse_if_closed()
            board = self._boards.get(targets)
            if board is None:
                with translated():
                    check_targets(targets, named or self.named)
                    settings = targets.settle(self._base)
                    board = connect(replace(settings, named=named or self.named), targets)
                self._boards[targets] = board
            return board

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise BadInput(f"{self!r} is closed: make another")

    def default_region(self) -> str:
        """The region a call that names none is sent to, and a reference without one is
        read in: the client's ``region`` (the first of several), else ``AWS_REGION``,
        ``AWS_DEFAULT_REGION`` or the profile's. :class:`BadInput` when there is none,
        or it is not a region botocore knows: asked first, a region setting that cannot
        be used is said before anything is sent."""
        with translated():
            return self.board().clients.default_region

    def home_region(self) -> str | None:
        """The region a reference may leave out, since it is read back in that one
        whatever ``AWS_REGION`` says then: the profile's (the embedded sandbox's, for
        the command line's ``--sandbox``); None without one. ``exportctl list``
        prints the references of its jobs there without their region."""
        with translated():
            return self.board().clients.home_region

    def estimator(self) -> Estimator:
        """Estimated completion times of running jobs, as ``exportctl status`` and
        ``wait`` show them: ``of(job)`` (an :class:`Estimate`: ``.eta``, ``.basis``),
        ``record(job)`` (the JSON record with ``eta`` and ``eta_basis``), from the
        durations of the completed jobs the commands have read, kept on this machine
        for each profile and endpoint; ``learn(jobs)`` and ``observe(before, job)``
        add to them, and ``save()`` keeps what was learnt. No call is sent."""
        from exportctl.ops.estimates import Estimator, scope

        with self._lock:
            self._refuse_if_closed()

        def scope_of(service: str) -> str:
            if self._durations_scope is not None:
                return self._durations_scope
            with translated():
                return scope(self.board().clients, service)

        return Estimator(scope_of)

    def _track(self, reader: R) -> R:
        """``reader``, abandoned when this client is closed (at once, if it is)."""
        with self._lock:
            if not self._closed:
                self._readers.add(reader)
                return reader
        reader.abandon(self._abandoned())
        return reader

    def _abandoned(self) -> str:
        # Each reader says what was under way ("... while this listing was read").
        return f"{self!r} was closed"

    def close(self) -> None:
        """Close the botocore clients this client made, and their connections: at
        once, not when the garbage is next collected. Its calls then raise
        :class:`BadInput`, and so do the listings, watches and backups it handed
        out that have not ended (they stop reading); closing again does nothing."""
        with self._lock:
            self._closed = True
            boards, self._boards = builtins.list(self._boards.values()), {}
            readers = builtins.list(self._readers)
            self._readers.clear()
        # Stopped first: no call of theirs starts once their clients are closed.
        for reader in readers:
            reader.abandon(self._abandoned())
        for board in boards:
            # A call running on, refused by its clients, says the client as one after it.
            board.close(f"{self!r} is closed: make another")

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
