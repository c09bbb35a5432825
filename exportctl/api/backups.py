"""The backups a search job included, as the API hands them out: an iterator, with
the search job's report."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from exportctl.api.errors import BadInput, translated
from exportctl.ops.backups import Backup, SearchBackups, SearchReport


class Backups(Iterator[Backup]):
    """The backups of one :meth:`exportctl.Client.backups`, read page by page when
    iterated; ``report``: the search job, and whether its results are final.

    Its client closed before they were read to their end, it stops reading and
    raises :class:`BadInput` (see :meth:`abandon`)."""

    def __init__(self, reader: SearchBackups, report: SearchReport) -> None:
        self.report = report
        self._reader = reader
        self._backups: Iterator[Backup] | None = None
        # Set when abandoned: no page is asked for after it, from any thread.
        self._stop = threading.Event()
        # Why it was abandoned: what its reader is told instead of a backup.
        self._abandoned: str | None = None
        self._ended = False

    def __iter__(self) -> Backups:
        return self

    def __next__(self) -> Backup:
        if self._abandoned is not None:
            raise BadInput(self._abandoned)
        with translated(refs=[self.report.search.display]):
            if self._backups is None:
                self._backups = self._reader.iter_backups(self.report.search, self._stop)
            try:
                backup = next(self._backups)
            except StopIteration:
                if self._abandoned is None:
                    self._ended = True
                    raise
            except Exception:
                # Its page refused, or the call in flight failed, by the close.
                if self._abandoned is None:
                    raise
            if self._abandoned is not None:
                # Abandoned while this thread waited for a page: what came is not the rest.
                raise BadInput(self._abandoned)
            return backup

    def abandon(self, reason: str) -> None:
        """Stop reading, and raise :class:`BadInput` (why: ``reason``, "Client(...) was
        closed") from every ``next()`` after, one waiting for a page in another thread
        too (once its call in flight ends), rather than end as if what was read were
        all the backups. Backups read to their end are left as they are."""
        if self._ended:
            return
        self._abandoned = f"{reason} while its backups were read: they are not all"
        self._stop.set()
