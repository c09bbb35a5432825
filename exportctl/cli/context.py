"""State shared by the commands of one invocation."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import click

from exportctl.aws.clients import AwsSettings
from exportctl.cli.invocation import Invocation

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from exportctl.api.boards import Spans
    from exportctl.api.connected import ConnectedClient
    from exportctl.domain.errors import ExportctlError
    from exportctl.ops.connect import Targets
    from exportctl.ops.core import Board
    from exportctl.ops.credentials import Accounts, Regions


@dataclass
class AppContext:
    settings: AwsSettings = field(default_factory=AwsSettings)
    debug: bool = False
    no_color: bool = False
    # Serve the embedded sandbox and point every client at it, on first use.
    sandbox: bool = False
    # Run at exit, in reverse order (the sandbox server's stop, for one).
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    # --region, --profile, --org-role and --accounts as given (before or after the command).
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The console script's run this command belongs to (one of its own when run in-process).
    invocation: Invocation = field(default_factory=Invocation)
    _jobs: Board | None = None
    _client: ConnectedClient | None = None
    _out: Console | None = None
    _err: Console | None = None

    def set_targets(self, **given: str | Sequence[str] | None) -> None:
        """Record which regions and accounts were asked for; one region and one
        profile are plain settings, as they always were."""
        for name, value in given.items():
            if value is None or value == ():
                continue
            self.targets[name] = (value,) if isinstance(value, str) else tuple(value)
        self.settings = self._targets().settle(self.settings)

    def _given(self) -> Spans:
        """--region, --profile, --org-role (the last given) and --accounts."""
        org_role = self.targets.get("org_role", ())
        return (
            self.targets.get("region", ()),
            self.targets.get("profile", ()),
            org_role[-1] if org_role else None,
            self.targets.get("accounts", ()),
        )

    def _targets(self) -> Targets:
        from exportctl.ops.connect import Targets

        return Targets.parse(*self._given())

    def global_args(self, *, region: bool = True) -> list[str]:
        """The global options of this invocation, as a command line gives them again
        (``region``: its --region too, where the command that follows names none)."""
        args = ["--sandbox"] if self.sandbox else []
        for name in ("profile", "region", "accounts") if region else ("profile", "accounts"):
            for value in self.targets.get(name, ()):
                args += [f"--{name}", value]
        org_role = self.targets.get("org_role", ())
        if org_role:
            args += ["--org-role", org_role[-1]]
        if self.settings.endpoint_url and not self.sandbox:
            args += ["--endpoint-url", self.settings.endpoint_url]
        return args

    def spans(self) -> tuple[Regions, Accounts]:
        targets = self._targets()
        return targets.regions, targets.accounts

    @property
    def many_regions(self) -> bool:
        return self.spans()[0].many

    @property
    def many_accounts(self) -> bool:
        return self.spans()[1].many

    def credentials_named(self) -> str:
        """The credentials this command reads with, as a command line names them: what
        the references it prints are kept with, for completion (its own rule)."""
        from exportctl.ops.refcache import credentials_named

        profiles = [p.strip() for v in self.targets.get("profile", ()) for p in v.split(",")]
        return credentials_named(
            [p for p in profiles if p],
            sandbox=self.sandbox,
            several=self.many_accounts,
            environ=os.environ,
        )

    @property
    def client(self) -> ConnectedClient:
        """The Python API's client over this command's core: what the commands call."""
        if self._client is None:
            from exportctl.api.connected import ConnectedClient

            self._client = ConnectedClient(
                lambda: self.jobs,
                self._targets(),
                self._given(),
                # The advice a start gives names the job's region itself.
                lambda: self.global_args(region=False),
                sandbox=self.sandbox,
            )
            if not self.invocation.ends_process:
                self.cleanups.append(self._client.close)
            self._hear_api()
        return self._client

    def _hear_api(self) -> None:
        """The API's warnings (the ``exportctl`` logger's) said as this command's notices,
        for as long as the command runs."""
        import logging

        from exportctl.cli.notices import Notices

        logger = logging.getLogger("exportctl")
        handler = Notices(self.notice)
        propagates = logger.propagate
        logger.addHandler(handler)
        logger.propagate = False

        def stop() -> None:
            logger.removeHandler(handler)
            logger.propagate = propagates

        self.cleanups.append(stop)

    @property
    def jobs(self) -> Board:
        if self._jobs is None:
            from exportctl.ops.connect import check_targets, connect

            targets = self._targets()
            # Before the sandbox starts: a mistyped --region fails at once.
            check_targets(targets)
            endpoints: dict[str, Callable[[], str]] = {}
            settings_for: Callable[[AwsSettings], AwsSettings] | None = None
            if self.sandbox:
                from exportctl.sandbox.embedded import Embedded

                embedded = Embedded(self.settings, notice=self.notice)
                self.cleanups.append(embedded.stop)
                self.settings = embedded.settings
                endpoints["s3"] = embedded.s3_url
                # Each profile of --profile a,b reaches the sandbox with its own keys.
                settings_for = embedded.settings_for
            elif not self.settings.endpoint_url and os.environ.get("EXPORTCTL_SANDBOX_PID"):
                gone = _background_sandbox_gone()
                if gone is not None:
                    from exportctl.domain.errors import EndpointGone

                    raise EndpointGone(gone)
                # Stopped while the command runs: said once a call cannot connect.
                self.settings = replace(self.settings, gone=_background_sandbox_gone)
            self._jobs = connect(
                self.settings, targets, endpoints=endpoints, settings_for=settings_for
            )
            self.settings = self._jobs.settings
            if not self.invocation.ends_process:
                # Run in-process (a test, a host program): its connections go with it.
                self.cleanups.append(self._jobs.close)
            else:
                # Nothing it made needs closing: the console script leaves without
                # the teardown of botocore's modules and clients, where a signal
                # would find no handler (exportctl.ops.interrupts.written).
                self.invocation.leaves_at_once = True
        return self._jobs

    @property
    def out(self) -> Console:
        if self._out is None:
            from exportctl.output.console import make_console

            self._out = make_console(no_color=self.no_color)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from exportctl.output.console import make_console

            self._err = make_console(stderr=True, no_color=self.no_color)
        return self._err

    def notice(self, message: str) -> None:
        self.err.print(notice_line(message), soft_wrap=True)

    def error(self, message: str) -> None:
        self.err.print(error_line(message), soft_wrap=True)

    def report(self, errors: Sequence[ExportctlError]) -> int:
        """Print each distinct error once; the exit code that stands for them all."""
        seen: set[str] = set()
        for exc in errors:
            if exc.message not in seen:
                seen.add(exc.message)
                for notice in exc.notices:
                    if notice.message not in seen:
                        seen.add(notice.message)
                        self.notice(notice.message)
                if self.debug:
                    # As for an error that ends the command: where it came from, first.
                    import traceback

                    traceback.print_exception(exc, file=sys.stderr)
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

# Collections of the oldest generation after this many of the middle one: never,
# within one command.
_NO_FULL_COLLECTIONS = 1_000_000_000


def one_shot() -> None:
    """For commands that read, print and exit (list, status): no full collections,
    and no tearing down at exit.

    What such a command builds (the modules, the jobs it prints) lives until it
    exits, so a full collection only walks it all again, and again as the listing
    grows. Young collections go on, so short-lived cycles are still freed; the
    clients a listing of many accounts lets go are collected by
    :meth:`exportctl.aws.clients.Clients.release`. wait and watch run for hours and keep
    the usual thresholds.

    The interpreter's switch interval is left as it is: shortened to 0.5 ms, so that
    the thread reading the next page would get the lock sooner, it won nothing
    clear when measured alone (docs/BENCHMARKS.md).

    At exit, the interpreter would free every module, client and job one by one
    (50-80 ms after a listing of 10,000 jobs): what the command wrote is flushed
    and the console script leaves without that (:func:`exportctl.cli.main.main`).
    """
    import gc

    ctx = click.get_current_context()
    app = ctx.find_object(AppContext)
    if app is not None:
        app.invocation.leaves_at_once = True

    from exportctl.aws.released import count_released_from_zero

    count_released_from_zero()
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(before[0], before[1], _NO_FULL_COLLECTIONS)

    def restore() -> None:
        # The process ends here, unless the command was run in-process (tests).
        gc.set_threshold(*before)
        gc.unfreeze()

    ctx.call_on_close(restore)


def _background_sandbox_gone() -> str | None:
    """The environment points at a background sandbox (``--detach`` set it): what is
    said when its process is gone (None while it runs), at once, not after every
    call's retries as a network error."""
    from exportctl.sandbox.background import gone_here

    pid = gone_here()
    if pid is None:
        return None
    return (
        f"the background sandbox AWS_ENDPOINT_URL points at (pid {pid}) is gone: "
        '`eval "$(exportctl sandbox --stop)"` unsets what --detach set, '
        '`eval "$(exportctl sandbox --detach)"` starts another'
    )


def notice_line(message: str) -> Text:
    """A notice as stderr says it; a live view prints it above itself the same way."""
    from rich.text import Text

    return Text(f"exportctl: notice: {message}", style="yellow")


def error_line(message: str) -> Text:
    """An error as stderr says it, cut to its longest; a live view prints it the same way."""
    from rich.text import Text

    from exportctl.domain.errors import MAX_MESSAGE, clip

    return Text(f"exportctl: error: {clip(message, MAX_MESSAGE)}", style="red")
