"""The jobs of each account of the sandbox's organization, each made on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

from exportctl.sandbox.accounts import ACCOUNTS, Account
from exportctl.sandbox.scenario import Scenario

Listener = Callable[[str, Scenario], None]


def world_of(account: Account, seed: int) -> Scenario:
    """An account's jobs as seeded: the same seed makes the same jobs and ids."""
    return Scenario(
        seed=seed, account=account.id, regions=account.regions, home_region=account.home_region
    )


class Worlds(Mapping[str, Scenario]):
    """The organization's worlds by account id, in the organization's order.

    ``first`` is given made; every other account's world is made from its seed
    (``seed`` plus the account's place in ``accounts``) the first time it is asked
    for, under ``lock``: most sandboxes only ever answer one account, and each
    world made costs about as much as the first. Iterating values or items makes
    them all; :meth:`made` gives those made so far, the others being as seeded, and
    :meth:`at_hand` what a look at every account may make.
    """

    def __init__(
        self,
        first: tuple[str, Scenario],
        accounts: Sequence[Account],
        seed: int,
        lock: threading.RLock,
    ) -> None:
        self._seeds = {a.id: (a, seed + n) for n, a in enumerate(accounts)}
        self._made: dict[str, Scenario] = dict([first])
        self._lock = lock
        self._listeners: list[Listener] = []

    def __getitem__(self, account: str) -> Scenario:
        world = self._made.get(account)
        if world is not None:
            return world
        with self._lock:
            world = self._made.get(account)
            if world is None:
                made, seed = self._seeds[account]
                world = world_of(made, seed)
                self._made[account] = world
                for listener in self._listeners:
                    listener(account, world)
        return world

    def __iter__(self) -> Iterator[str]:
        return iter(self._seeds)

    def __len__(self) -> int:
        return len(self._seeds)

    def __contains__(self, account: object) -> bool:
        return account in self._seeds

    def made(self) -> dict[str, Scenario]:
        """The worlds made so far, in the organization's order."""
        with self._lock:
            return {a: self._made[a] for a in self._seeds if a in self._made}

    def at_hand(self) -> dict[str, Scenario]:
        """The worlds a look at every account gives, in the organization's order: the
        scenario's own accounts' (made now, when not yet) and those of the members past
        them made so far. Making every member's would cost a large organization's
        memory for a count or a listing (100000 accounts: gigabytes); an account's
        world no one has asked for is still as seeded."""
        own = {a.id for a in ACCOUNTS}
        with self._lock:
            made = set(self._made)
            return {a: self[a] for a in self._seeds if a in own or a in made}

    def watch(self, listener: Listener) -> None:
        """Call ``listener`` with each world made so far, then with each as it is made
        (before anything asks it a question)."""
        with self._lock:
            for account, world in self.made().items():
                listener(account, world)
            self._listeners.append(listener)
