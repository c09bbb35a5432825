"""The client the command line calls: the API's, over the core the command connects."""

from __future__ import annotations

import shlex
from collections.abc import Callable

from exportctl.api.boards import Spans
from exportctl.api.client import Client
from exportctl.domain.naming import Named, flag
from exportctl.ops.connect import Targets
from exportctl.ops.core import Board


class ConnectedClient(Client):
    """A client over the core the command line connects (its settings settled, its
    embedded sandbox served) when ``connect`` is first called: what the commands call."""

    def __init__(
        self,
        connect: Callable[[], Board],
        targets: Targets,
        spans: Spans,
        global_args: Callable[[], list[str]] = list,
        *,
        sandbox: bool = False,
    ) -> None:
        # The command line's options that say where its calls go, given again.
        self._global_args = global_args
        if sandbox:
            # The embedded sandbox is one endpoint, whatever port it got.
            self._durations_scope = "sandbox"
        self._spans = spans
        self._targets = targets
        self._connect = connect
        self._start_boards()

    def named(self, option: str) -> str:
        # The command line's user gave its options.
        return flag(option)

    def commanded(self, words: str) -> str:
        return shlex.join(["exportctl", *self._global_args()]) + f" {words}"

    def board(self, targets: Targets | None = None, named: Named | None = None) -> Board:
        board = self._connect()
        if targets is None or targets == self._targets:
            return board
        self._base = board.clients.settings
        return super().board(targets, named)
