"""A listing as the API hands it out: an iterator of jobs, with what it settled
(notices, failures) once used up."""

from __future__ import annotations

import dataclasses
import heapq
import logging
from collections.abc import Iterator

from exportctl.api.errors import translated, typed
from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.ops.core import Board
from exportctl.ops.jobs import ListQuery, newest_first, newest_key

log = logging.getLogger("exportctl")


class Listing(Iterator[ExportJob]):
    """The jobs of one :meth:`exportctl.Client.list`, read when first asked for.

    Newest first by default (the whole listing is read first, as the command's
    tables are); with ``stream=True``, each job as its page arrives, services
    interleaved, in constant memory. ``limit`` keeps the N newest either way.

    Once used up: ``notices`` are the targets out of reach that were not asked for
    by name (a service not enabled in a region: also logged as warnings of the
    ``exportctl`` logger), ``failures`` those that failed. A failure is raised
    after the last job, as the API's error (``.jobs``: every job read, when
    newest first).
    """

    def __init__(self, board: Board, query: ListQuery, *, stream: bool = False) -> None:
        self._board = board
        self._query = query
        self._stream = stream
        self._jobs: Iterator[ExportJob] | None = None
        self.notices: tuple[ExportctlError, ...] = ()
        self.failures: tuple[ExportctlError, ...] = ()

    def __iter__(self) -> Listing:
        return self

    def __next__(self) -> ExportJob:
        if self._jobs is None:
            self._jobs = self._read()
        return next(self._jobs)

    def close(self) -> None:
        """Stop reading (threads still inside a call end on their own)."""
        if self._jobs is not None:
            close = getattr(self._jobs, "close", None)
            if close is not None:
                close()

    def _read(self) -> Iterator[ExportJob]:
        limit = self._query.limit
        with translated():
            # Every page is read in every order: no service lists newest first.
            stream = self._board.fanout(dataclasses.replace(self._query, limit=None))
        kept: list[ExportJob] = []
        try:
            with translated():
                if self._stream:
                    source = (
                        iter(stream)
                        if limit is None
                        else iter(heapq.nlargest(limit, stream, key=newest_key))
                    )
                else:
                    kept = newest_first(list(stream))[:limit]
                    source = iter(kept)
            yield from source
        finally:
            stream.close()
        self.notices = tuple(stream.notices)
        self.failures = tuple(stream.failures)
        for notice in self.notices:
            log.warning("%s", notice.message)
        if self.failures:
            first = self.failures[0]
            error = typed(first, jobs=kept)
            if stream.incomplete:
                error.message = f"{error.message}; {stream.incomplete}"
                error.args = (error.message,)
            raise error from first
