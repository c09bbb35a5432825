"""State shared by the commands of one invocation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from exportctl.aws import AwsSettings

if TYPE_CHECKING:
    from rich.console import Console

    from exportctl.errors import ExportctlError
    from exportctl.jobs import Jobs


@dataclass
class AppContext:
    settings: AwsSettings = field(default_factory=AwsSettings)
    debug: bool = False
    no_color: bool = False
    # Serve the embedded sandbox and point every client at it, on first use.
    sandbox: bool = False
    # Run at exit, in reverse order (the sandbox server's stop, for one).
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    _jobs: Jobs | None = None
    _out: Console | None = None
    _err: Console | None = None

    @property
    def jobs(self) -> Jobs:
        if self._jobs is None:
            from exportctl.aws import Clients
            from exportctl.jobs import Jobs

            self._check_region()

            endpoints = {}
            if self.sandbox:
                from exportctl.sandbox.embedded import Embedded

                embedded = Embedded(self.settings)
                self.cleanups.append(embedded.stop)
                self.settings = embedded.settings
                endpoints["s3"] = embedded.s3_url
            self._jobs = Jobs(Clients(self.settings, endpoints))
        return self._jobs

    def _check_region(self) -> None:
        """A mistyped --region is a usage error, not an empty listing."""
        from exportctl.regions import check_region

        for name in (self.settings.region or "").split(","):
            # "all" stands for every region where a command accepts it.
            if name.strip() and name.strip().lower() != "all":
                check_region(name.strip())

    @property
    def out(self) -> Console:
        if self._out is None:
            from exportctl.console import make_console

            self._out = make_console(no_color=self.no_color)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from exportctl.console import make_console

            self._err = make_console(stderr=True, no_color=self.no_color)
        return self._err

    def notice(self, message: str) -> None:
        self.err.print(
            f"exportctl: notice: {message}", style="yellow", markup=False, soft_wrap=True
        )

    def error(self, message: str) -> None:
        from exportctl.errors import MAX_MESSAGE, clip

        self.err.print(
            f"exportctl: error: {clip(message, MAX_MESSAGE)}",
            style="red",
            markup=False,
            soft_wrap=True,
        )

    def report(self, errors: list[ExportctlError]) -> int:
        """Print each distinct error once; the exit code that stands for them all."""
        seen: set[str] = set()
        for exc in errors:
            if exc.message not in seen:
                seen.add(exc.message)
                self.error(exc.message)
        return max((int(e.exit_code) for e in errors), default=0)

    def debug_calls(self) -> None:
        if not self.debug or self._jobs is None:
            return
        counts = self._jobs.calls.snapshot()
        summary = ", ".join(f"{s}.{op}={n}" for (s, op), n in sorted(counts.items()))
        self.err.print(
            f"exportctl: debug: API calls: {summary or 'none'}", markup=False, soft_wrap=True
        )


pass_app = click.make_pass_decorator(AppContext)
