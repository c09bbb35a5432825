"""Fetching a job's output as soon as a wait sees it COMPLETED (`--download DEST`),
beside the wait: its rounds go on while the files come."""

from __future__ import annotations

import functools
import shlex
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from exportctl.cli.context import AppContext, error_line
from exportctl.domain.errors import ExitCode, ExportctlError, conflict_in
from exportctl.domain.model import State
from exportctl.ops.workers import Workers

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob
    from exportctl.ops.download.records import Item
    from exportctl.ops.polling.outcome import Tracked
    from exportctl.output.display import Display

# Jobs fetched at once. Each fetches up to 8 files at a time (`download`'s own
# pool): two fill the 16 connections a client keeps open; the next waits its turn.
JOBS_AT_ONCE = 2


class Abandoned(ExportctlError):
    """The command is ending on a signal: no more bytes of a download are written."""

    exit_code = ExitCode.INTERRUPTED


class Fetching:
    """One job's download, from the moment the wait saw it COMPLETED: where it goes, and
    how far it has got (the download's reporter, told from its threads)."""

    def __init__(self, ref: str, destination: Path, abandoned: threading.Event) -> None:
        self.ref = ref
        self.destination = destination
        self.started = False
        self._abandoned = abandoned
        self._lock = threading.Lock()
        # None until its files are known.
        self.files: int | None = None
        self.size: int | None = None
        self.done = 0
        self.got = 0

    def planned(self, files: int, size: int | None) -> None:
        with self._lock:
            self.files, self.size = files, size

    def advanced(self, item: Item, nbytes: int) -> None:
        if self._abandoned.is_set():
            # The file being written fails and goes, and the download's pool with it:
            # the signal came to the main thread, not to these.
            raise Abandoned("interrupted")
        with self._lock:
            self.got += nbytes

    def finished(self, item: Item) -> None:
        with self._lock:
            self.done += 1

    def said(self) -> str:
        """How far it has got, in a line of the live view."""
        from rich.filesize import decimal

        with self._lock:
            files, size, done, got = self.files, self.size, self.done, self.got
        if not self.started:
            return f"{self.ref}: download waiting for its turn"
        if files is None:
            return f"{self.ref}: fetching, its files being listed"
        of = f" of {decimal(size)}" if size else ""
        into = f"{self.ref}: fetching into {self.destination}"
        return f"{into}: {done}/{files} files, {decimal(got)}{of}"


class Fetcher:
    """Downloads each completed job once, with every guarantee of `exportctl download`,
    on threads of its own (:data:`JOBS_AT_ONCE` jobs at a time), while the wait goes on.

    One job goes into DEST itself; several go into DEST/SERVICE-ID each, a job whose
    SERVICE-ID another job of the wait already took (the same id in two regions or
    accounts) into DEST/SERVICE-ID-REGION (-ACCOUNT too, if that is taken as well).
    A failed download is reported and sets the exit code; the wait carries on for
    the others. Once the wait has ended, :meth:`finish` waits for the downloads
    under way; a signal abandons them (:meth:`abandon`).
    """

    def __init__(self, app: AppContext, dest: Path, *, several: bool, quiet: bool) -> None:
        self.app = app
        self.dest = dest
        self.several = several
        self.quiet = quiet
        self.errors: list[ExportctlError] = []
        self.fetched: set[str] = set()
        # The folders of DEST taken, by the reference of the job each holds.
        self.folders: dict[str, str] = {}
        # The downloads not ended yet, by job reference, in the order they were asked for.
        self.under_way: dict[str, Fetching] = {}
        self._lock = threading.Lock()
        self._abandoned = threading.Event()
        self._workers: Workers[None] = Workers(JOBS_AT_ONCE, "exportctl-fetch-job")

    def fetch(self, tracked: Tracked, display: Display) -> None:
        """Starts fetching a job the wait saw COMPLETED (once a job); returns at once."""
        from exportctl.services.locations import default_dirname

        job = tracked.job
        if job is None or job.state is not State.COMPLETED or job.ref in self.fetched:
            return
        self.fetched.add(job.ref)
        destination = self.dest
        if self.several:
            destination = self.dest / self._folder(job, default_dirname(job))
        fetching = Fetching(job.ref, destination, self._abandoned)
        with self._lock:
            self.under_way[job.ref] = fetching
        self._workers.submit(job.ref, functools.partial(self._run, job, fetching, display))

    def _run(self, job: ExportJob, fetching: Fetching, display: Display) -> None:
        from rich.text import Text

        from exportctl.aws.deadlines import deadline

        if self._abandoned.is_set():
            return
        fetching.started = True
        try:
            # The wait's --timeout bounds the wait (its context's deadline, copied
            # here), not the fetching of what it saw COMPLETED.
            with deadline(None):
                summary = self.app.client.download(job, fetching.destination, progress=fetching)
        except ExportctlError as exc:
            if not self._abandoned.is_set():
                self._failed(job.ref, fetching.destination, exc, display)
            return
        finally:
            with self._lock:
                self.under_way.pop(job.ref, None)
        if not self.quiet and not self._abandoned.is_set():
            skipped = f"; {summary.skipped} already present" if summary.skipped else ""
            noun = "file" if summary.files == 1 else "files"
            into = fetching.destination
            display.print(Text(f"{job.ref}: fetched {summary.files} {noun} into {into}{skipped}"))

    def _failed(self, ref: str, destination: Path, exc: ExportctlError, display: Display) -> None:
        with self._lock:
            self.errors.append(exc)
        said, conflict = exc.message, conflict_in(exc)
        if conflict is not None and conflict.remedy:
            # This command has no --force: the one that goes on with the download has.
            forced = self._download(ref, destination, force=True)
            said = f"{conflict.what}: `{forced}` replaces what differs"
        message = f"{ref}: download failed: {said}"
        if display.is_live:
            # Above the live view, on its console, as a fetched one's line: stderr
            # would tear the view while it draws.
            display.print(error_line(message))
        else:
            self.app.error(message)

    def lines(self) -> list[str]:
        """The downloads under way, each as far as it has got (for the live view)."""
        with self._lock:
            under_way = list(self.under_way.values())
        return [fetching.said() for fetching in under_way]

    def finish(self) -> None:
        """Waits for every download started (the wait has ended); each has said its end."""
        while self._workers.running:
            outcome = self._workers.next()
            assert outcome is not None
            outcome.result()
        self._workers.close()

    def _folder(self, job: ExportJob, name: str) -> str:
        """``name``, or one naming the job's region, then its account, where another
        job of this wait already holds it."""
        regional = f"{name}-{job.region}"
        for candidate in (name, regional):
            if self.folders.setdefault(candidate, job.ref) == job.ref:
                return candidate
        # One id in one region: two accounts' jobs (a reference names all three).
        return f"{regional}-{job.account or 'unknown'}"

    def _download(self, ref: str, destination: Path, *, force: bool = False) -> str:
        """The command line that fetches ``ref`` into ``destination`` as this one does,
        ready to paste into a shell."""
        args = ["exportctl", *self.app.global_args(), "download"]
        args += [*(["--force"] if force else []), ref, str(destination)]
        return shlex.join(args)

    def abandon(self) -> list[str]:
        """A signal ends the command: the downloads under way stop, their partial files
        removed; what each left undone, and the command that goes on with it."""
        from exportctl.store.cachefiles import remove_parts

        self._abandoned.set()
        # Their threads may sit in a read that never ends: the files are removed here.
        remove_parts()
        self._workers.close()
        with self._lock:
            under_way = list(self.under_way.values())
        said = []
        for fetching in under_way:
            ref, destination = fetching.ref, fetching.destination
            command = self._download(ref, destination)
            what = f"the download of {ref} into {destination}"
            said.append(
                f"{what} was cut short: `{command}` goes on with it"
                if fetching.started
                else f"{what} was not started: `{command}` does it"
            )
        return said

    def exit_code(self, waited: ExitCode) -> ExitCode:
        """The wait's code, unless the wait succeeded and a download did not."""
        if waited != ExitCode.OK or not self.errors:
            return waited
        return ExitCode(max(int(e.exit_code) for e in self.errors))
