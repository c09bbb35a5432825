"""The backups a search job included, as the API hands them out: an iterator, with
the search job's report."""

from __future__ import annotations

from collections.abc import Iterator

from exportctl.api.errors import translated
from exportctl.ops.backups import Backup, SearchBackups, SearchReport


class Backups(Iterator[Backup]):
    """The backups of one :meth:`exportctl.Client.backups`, read page by page when
    iterated; ``report``: the search job, and whether its results are final."""

    def __init__(self, reader: SearchBackups, report: SearchReport) -> None:
        self.report = report
        self._reader = reader
        self._backups: Iterator[Backup] | None = None

    def __iter__(self) -> Backups:
        return self

    def __next__(self) -> Backup:
        with translated(refs=[self.report.search.display]):
            if self._backups is None:
                self._backups = self._reader.iter_backups(self.report.search)
            return next(self._backups)
