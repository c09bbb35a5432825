"""State shared by the commands of one invocation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from exportctl.aws.clients import AwsSettings
from exportctl.cli.invocation import Invocation

if TYPE_CHECKING:
    from rich.console import Console

    from exportctl.domain.errors import ExportctlError
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
    _out: Console | None = None
    _err: Console | None = None

    def set_targets(self, **given: str | Sequence[str] | None) -> None:
        """Record which regions and accounts were asked for; one region and one
        profile are plain settings, as they always were."""
        for name, value in given.items():
            if value is None or value == ():
                continue
            self.targets[name] = (value,) if isinstance(value, str) else tuple(value)
        regions, accounts = self.spans()
        self.settings = dataclasses.replace(
            self.settings,
            region=regions.single or (regions.names[0] if regions.names else None),
            profile=accounts.profiles[0] if accounts.profiles else None,
        )

    def spans(self) -> tuple[Regions, Accounts]:
        from exportctl.ops.credentials import Accounts, Regions

        org_role = self.targets.get("org_role", ())
        return (
            Regions.parse(self.targets.get("region", ())),
            Accounts.parse(
                self.targets.get("profile", ()),
                org_role[-1] if org_role else None,
                self.targets.get("accounts", ()),
            ),
        )

    @property
    def many_regions(self) -> bool:
        return self.spans()[0].many

    @property
    def many_accounts(self) -> bool:
        return self.spans()[1].many

    @property
    def jobs(self) -> Board:
        if self._jobs is None:
            from exportctl.aws.clients import Clients
            from exportctl.ops.core import Board

            self._check_region()

            endpoints = {}
            embedded = None
            if self.sandbox:
                from exportctl.sandbox.embedded import Embedded

                embedded = Embedded(self.settings)
                self.cleanups.append(embedded.stop)
                self.settings = embedded.settings
                endpoints["s3"] = embedded.s3_url
            regions, accounts = self.spans()
            if regions.every and not self.settings.region:
                # sts and organizations need a region: the environment's (a known one:
                # default_region checks it), else us-east-1.
                probe = Clients(self.settings)
                configured = probe.session.get_config_variable("region")
                self.settings = dataclasses.replace(
                    self.settings, region=probe.default_region if configured else "us-east-1"
                )

            base = Clients(self.settings, endpoints)

            def make(settings: AwsSettings) -> Clients:
                if embedded is not None:
                    # Each profile of --profile a,b reaches the sandbox with its own keys.
                    settings = embedded.settings_for(settings)
                return Clients(settings, endpoints, loaders=base.loaders)

            self._jobs = Board(
                base,
                regions=regions,
                accounts=accounts,
                make_clients=make,
            )
        return self._jobs

    def _check_region(self) -> None:
        """A mistyped --region is a usage error, not an empty listing. (A region from
        the environment or the profile is checked where it is read: Clients.default_region.)"""
        from exportctl.aws.regions import check_regions

        # "all" stands for every region where the service is offered.
        check_regions(self.spans()[0].names)

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
        self.err.print(
            f"exportctl: notice: {message}", style="yellow", markup=False, soft_wrap=True
        )

    def error(self, message: str) -> None:
        from exportctl.domain.errors import MAX_MESSAGE, clip

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

    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(before[0], before[1], _NO_FULL_COLLECTIONS)

    def restore() -> None:
        # The process ends here, unless the command was run in-process (tests).
        gc.set_threshold(*before)
        gc.unfreeze()

    ctx.call_on_close(restore)
