"""Several services' jobs, each page handed on as soon as it arrives.

What ``list`` streams in ndjson and csv: the first line comes before the last page
and memory stays flat however many jobs there are.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from exportctl.model import ExportJob
from exportctl.workers import hand_on, start_ticker

if TYPE_CHECKING:
    from exportctl.adapters.spec import ServiceSpec
    from exportctl.errors import ExportctlError
    from exportctl.jobs import Jobs, ListQuery

# Pages in flight between the service threads and the writer: a bound, so a slow
# reader (a pipe into less) holds the threads back instead of filling memory.
PAGES_IN_FLIGHT = 20


class Arrivals:
    """The jobs of several services, each page yielded as soon as it arrives.

    One thread per service runs :meth:`Jobs.iter_service` and hands each page to
    a bounded queue as one batch (a single service is read on the caller's own
    thread). ``idle`` runs whenever the reader is about to wait for a page: the
    place to flush what was written. Failures follow :meth:`Jobs.list`: a service
    out of reach that was not asked for by name is a notice, any other failure is
    a failure, and when every service is out of reach the notices become failures.
    Both are known once the iteration ends, in the order of the services. Every
    job is yielded: ``query.limit`` is for the caller, who alone knows the order it
    wants.
    """

    def __init__(
        self,
        jobs: Jobs,
        query: ListQuery,
        idle: Callable[[], None],
        on_progress: Callable[[str | None], None] | None = None,
    ) -> None:
        from exportctl.adapters import all_specs, spec_for

        named = tuple(spec_for(s) for s in query.services)
        self._jobs = jobs
        self._query = query
        self._idle = idle
        self._on_progress = on_progress
        self._named = bool(named)
        self._specs: tuple[ServiceSpec, ...] = named or all_specs()
        self._queue: queue.Queue[tuple[str, ServiceSpec, Any]] = queue.Queue(PAGES_IN_FLIGHT)
        self._stop = threading.Event()
        self.failures: list[ExportctlError] = []
        self.notices: list[ExportctlError] = []
        # Jobs received from each service, by name.
        self._received: dict[str, int] = {}
        # As ListResult.read: failed services' titles and the jobs they gave first.
        self.read: dict[str, int] = {}

    @property
    def incomplete(self) -> str | None:
        from exportctl.jobs import incomplete

        return incomplete(self.read)

    def __iter__(self) -> Iterator[ExportJob]:
        errors: dict[str, ExportctlError] = {}
        region = self._jobs.clients.default_region
        if len(self._specs) == 1:
            pages = self._read_here(self._specs[0], region, errors)
        else:
            pages = self._read_in_threads(region, errors)
        ticker = start_ticker(self._stop, self._on_progress, self.progress)
        try:
            for page in pages:
                yield from page
                if self._stop.is_set():
                    break
        finally:
            self.close()
            if ticker is not None:
                # The line is gone before anything else is written.
                ticker.join(timeout=1)
        self._settle(errors)

    def progress(self) -> str:
        """How far the listing is, for a progress line: ``jobs 3,400``."""
        return f"jobs {sum(self._received.values()):,}"

    def _read_here(
        self, spec: ServiceSpec, region: str, errors: dict[str, ExportctlError]
    ) -> Iterator[list[ExportJob]]:
        from exportctl.errors import translate

        try:
            for page in self._jobs.iter_pages(spec, self._query, region):
                self._received[spec.name] = self._received.get(spec.name, 0) + len(page)
                yield page
                if self._stop.is_set():
                    return
                # What this page wrote is out before the next one is waited for.
                self._idle()
        except Exception as exc:
            errors[spec.name] = translate(exc, spec)

    def _read_in_threads(
        self, region: str, errors: dict[str, ExportctlError]
    ) -> Iterator[list[ExportJob]]:
        # The services that take a chain of calls (Pinpoint: its applications, then
        # each one's jobs) start first: the listing lasts as long as the longest chain.
        for spec in sorted(self._specs, key=lambda s: s.fan_out is None):
            threading.Thread(
                target=self._read, args=(spec, region), name=f"list-{spec.name}", daemon=True
            ).start()
        remaining = len(self._specs)
        while remaining:
            if self._queue.empty():
                self._idle()
            kind, spec, payload = self._queue.get()
            if kind == "page":
                self._received[spec.name] = self._received.get(spec.name, 0) + len(payload)
                yield payload
            elif kind == "error":
                errors[spec.name] = payload
            elif kind == "crash":
                raise payload
            else:
                remaining -= 1

    def _settle(self, errors: dict[str, ExportctlError]) -> None:
        from exportctl.jobs import settle

        ordered = [errors[spec.name] for spec in self._specs if spec.name in errors]
        self.failures, self.notices = settle(ordered, named=self._named, services=len(self._specs))
        failed = {id(e) for e in self.failures}
        self.read = {
            spec.title: self._received.get(spec.name, 0)
            for spec in self._specs
            if spec.name in errors and id(errors[spec.name]) in failed
        }

    def _read(self, spec: ServiceSpec, region: str) -> None:
        from exportctl.errors import translate

        try:
            for page in self._jobs.iter_pages(spec, self._query, region):
                if self._stop.is_set() or not self._put(("page", spec, page)):
                    return
        except Exception as exc:
            try:
                self._put(("error", spec, translate(exc, spec)))
            except Exception as unexpected:
                self._put(("crash", spec, unexpected))
        finally:
            self._put(("done", spec, None))

    def _put(self, item: tuple[str, ServiceSpec, Any]) -> bool:
        return hand_on(self._queue, item, self._stop)

    def close(self) -> None:
        """Let the service threads go: they stop at their next job."""
        self._stop.set()
