"""Fetching a job's output as soon as a wait sees it COMPLETED (`--download DEST`)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from exportctl.cli.context import AppContext
from exportctl.domain.errors import ExitCode, ExportctlError, conflict_in
from exportctl.domain.model import State

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob
    from exportctl.ops.polling.outcome import Tracked
    from exportctl.output.display import Display


class Fetcher:
    """Downloads each completed job once, with every guarantee of `exportctl download`.

    One job goes into DEST itself; several go into DEST/SERVICE-ID each, a job whose
    SERVICE-ID another job of the wait already took (the same id in two regions or
    accounts) into DEST/SERVICE-ID-REGION (-ACCOUNT too, if that is taken as well).
    A failed download is reported and sets the exit code; the wait carries on for
    the others.
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
        # The job being fetched and where, while its download runs.
        self.current: tuple[str, Path] | None = None

    def fetch(self, tracked: Tracked, display: Display) -> None:
        from rich.text import Text

        from exportctl.services.locations import default_dirname

        job = tracked.job
        if job is None or job.state is not State.COMPLETED or job.ref in self.fetched:
            return
        self.fetched.add(job.ref)
        destination = self.dest
        if self.several:
            destination = self.dest / self._folder(job, default_dirname(job))
        self.current = (job.ref, destination)
        try:
            summary = self.app.client.download(job, destination)
            self.current = None
        except ExportctlError as exc:
            self.current = None
            self.errors.append(exc)
            said, conflict = exc.message, conflict_in(exc)
            if conflict is not None and conflict.remedy:
                # This command has no --force: the one that goes on with the download has.
                forced = self._download(job.ref, destination, force=True)
                said = f"{conflict.what}: `{forced}` replaces what differs"
            self.app.error(f"{job.ref}: download failed: {said}")
            return
        if not self.quiet:
            skipped = f"; {summary.skipped} already present" if summary.skipped else ""
            noun = "file" if summary.files == 1 else "files"
            display.print(
                Text(f"{job.ref}: fetched {summary.files} {noun} into {destination}{skipped}")
            )

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

    def cut_short(self) -> str | None:
        """What an interrupt left of the download under way, and how to go on."""
        if self.current is None:
            return None
        ref, destination = self.current
        return (
            f"the download of {ref} into {destination} was cut short: "
            f"`{self._download(ref, destination)}` goes on with it"
        )

    def exit_code(self, waited: ExitCode) -> ExitCode:
        """The wait's code, unless the wait succeeded and a download did not."""
        if waited != ExitCode.OK or not self.errors:
            return waited
        return ExitCode(max(int(e.exit_code) for e in self.errors))
