"""The command tree's root: the group, its global options, and how its commands
are found (the command table), accept the global options after them, and end."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import CompletionItem

from exportctl.cli import servicehelp
from exportctl.cli.commands import COMMANDS, SUMMARIES
from exportctl.cli.examples import epilog
from exportctl.cli.globalopts import SUBCOMMAND_GLOBALS, GlobalsCommand, GlobalsGroup
from exportctl.cli.invocation import Invocation
from exportctl.cli.servicehelp import Described
from exportctl.cli.suggestions import SuggestingGroup
from exportctl.domain.version import __version__

if TYPE_CHECKING:
    from exportctl.cli.context import AppContext


def _short_options_split(args: list[str]) -> list[str]:
    """``-o=json`` as ``-o json``: click reads a short option's value from right after
    it, ``=json`` here, where ``--output=json`` has it without the ``=``."""
    out: list[str] = []
    for at, arg in enumerate(args):
        if arg == "--":
            out.extend(args[at:])
            break
        if len(arg) > 2 and arg[0] == "-" and arg[1].isalpha() and arg[2] == "=":
            out.extend((arg[:2], arg[3:]))
        else:
            out.append(arg)
    return out


class LazyGroup(Described, GlobalsGroup, SuggestingGroup):
    """Imports a command's module only when that command is used or listed."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """click's standalone mode, with exportctl's one error style and exit codes."""
        # What click reads to tell a Tab press from a command.
        completing = bool(os.environ.get(complete_var or "_EXPORTCTL_COMPLETE"))
        if completing:
            # A Tab press: click answers it with exportctl's shell classes.
            from exportctl.cli.completion import register

            register()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except (Exception, KeyboardInterrupt) as exc:
            if completing and isinstance(exc, KeyboardInterrupt):
                # A Tab press given up with Ctrl-C: what is said would land in the prompt.
                from exportctl.ops.interrupts import exit_code

                sys.exit(exit_code())
            from exportctl.cli.errorhandler import run_errors

            failed = run_errors().handle(exc)
            if failed is None:
                raise
            sys.exit(failed)
        sys.exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if parent is None:
            args = _short_options_split(args)
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError as exc:
            # `exportctl --help | head -1`: --help and --version print from here.
            from exportctl.cli.errorhandler import ClosedPipeHandler

            sys.exit(ClosedPipeHandler().say(exc))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of commands, their lines taken from :data:`SUMMARIES`."""
        listed = [
            self.commands.get(name) or click.Command(name, help=SUMMARIES[name])
            for name in self.list_commands(ctx)
        ]
        shown = [c for c in listed if not c.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(str(c.name)) for c in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(str(c.name), c.get_short_help_str(limit)) for c in shown])

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """click's completions, the commands' short help taken from :data:`SUMMARIES`:
        click would import every command's module to read it, at each Tab press."""
        items = [
            CompletionItem(name, help=command.get_short_help_str())
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
            for command in [self.commands.get(name) or click.Command(name, help=SUMMARIES[name])]
            if not command.hidden
        ]
        # The group's own options, as click's Group adds them after its commands.
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def find_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Every failure becomes one line on stderr and a documented exit code."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            from exportctl.cli.errorhandler import command_errors

            app = _app(ctx)
            debug = bool(app and app.debug) or _env_flag("EXPORTCTL_DEBUG")
            failed = command_errors(debug=debug).handle(exc)
            if failed is None:
                raise
            ctx.exit(failed)
        finally:
            _run_cleanups(_app(ctx))


# Options that say which accounts and regions a command spans (repeatable, or A,B).
_TARGET_OPTIONS = ("profile", "region", "org_role", "accounts")


def _accept_global_options(command: click.Command) -> None:
    """Let global options come after the subcommand too, as in the AWS CLI, and its
    help say so; a group's subcommands (`start SERVICE`) too. Every command of the
    tree is a :class:`GlobalsCommand` (a group, a :class:`GlobalsGroup`)."""
    if not isinstance(command, GlobalsCommand):
        raise TypeError(f"{command.name}: a command of the tree must be a GlobalsCommand")
    if command.globals_accepted is not None:
        return
    taken = {p.name for p in command.params}
    accepted: list[str] = []
    for param in cli.params:
        if param.name in SUBCOMMAND_GLOBALS and param.name not in taken:
            assert isinstance(param, click.Option)
            accepted.append(max(param.opts, key=len))
            command.params.append(
                click.Option(
                    param.opts,
                    is_flag=param.is_flag,
                    multiple=param.multiple,
                    default=None,
                    expose_value=False,
                    hidden=True,
                    callback=_override_global,
                    shell_complete=_GLOBAL_COMPLETERS.get(str(param.name)),
                    help=param.help,
                )
            )
    if not {"-V", "--version"} & {opt for p in command.params for opt in getattr(p, "opts", ())}:
        # As --help, which every command has: the root's, a hidden copy (its help's
        # note names the options that reach the command, which --version does not).
        version = next(p for p in cli.params if p.name == "version")
        command.params.append(
            click.Option(version.opts, is_flag=True, expose_value=False, is_eager=True,
                         hidden=True, callback=version.callback, help=version.help)
        )  # fmt: skip
    command.globals_accepted = accepted
    if isinstance(command, GlobalsGroup):
        command.accepting = _accept_global_options


def _override_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False or value == ():
        return
    app = _app(ctx)
    if app is None:
        # A Tab press, which runs no callback of the root: kept for what completion
        # offers by them (the references that find their job in the line's region).
        from exportctl.cli.complete import GIVEN_AFTER

        ctx.meta.setdefault(GIVEN_AFTER, {})[str(param.name)] = value
        return
    if param.name in _TARGET_OPTIONS:
        app.set_targets(**{str(param.name): value})
    elif param.name in ("debug", "sandbox", "no_color"):
        setattr(app, str(param.name), True)
    else:
        import dataclasses

        app.settings = dataclasses.replace(app.settings, **{str(param.name): value})


def _app(ctx: click.Context) -> AppContext | None:
    """The invocation's state, once the group's callback has made it. Its module is
    imported there, not here: --help and --version never need it."""
    context = sys.modules.get("exportctl.cli.context")
    if context is None:
        return None
    app: AppContext | None = ctx.find_object(context.AppContext)
    return app


def _completing(name: str) -> Callable[[click.Context, click.Parameter, str], Any]:
    """``cli.complete``'s ``name``, imported at a Tab press, not with the root."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        from exportctl.cli import complete

        return getattr(complete, name)(ctx, param, incomplete)

    return complete


# The global options' completers, the root's and their copies' under each command.
_GLOBAL_COMPLETERS = {
    "profile": _completing("complete_profile"),
    "region": _completing("complete_region"),
}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _about() -> str:
    return f"""One face for the export jobs of {servicehelp.titles()}.

    Exit codes: 0 ok, 1 a job ended in another state (wait), is not COMPLETED
    (download) or had already ended otherwise than CANCELLED (cancel), 2 usage or
    bad input, 3 job not
    found, 4 credentials refused or access denied, 5 other AWS or network error or
    a broken answer, 70 an internal error (a bug: --debug shows where), 73 a local
    file or stdout could not be written (a full disk), 124 timeout (wait), 129 hung
    up (SIGHUP), 130 interrupted (Ctrl-C), 131 quit (Ctrl-\\), 141 stdout closed
    (| head), 143 terminated (SIGTERM).
    """


@click.group(
    cls=LazyGroup,
    describe=_about,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=epilog(
        "exportctl --sandbox list --status failed",
        "exportctl --sandbox status --json $(exportctl \\\n"
        "    --sandbox list --limit 1 -o text --fields ref)",
        "exportctl list --sandbox --since 1d -o json",
    ),
)
@click.option(
    "--profile",
    # AWS_PROFILE is left to botocore, as in the AWS CLI: a profile named with
    # --profile beats keys in the environment, one from AWS_PROFILE does not.
    multiple=True,
    metavar="NAME",
    shell_complete=_GLOBAL_COMPLETERS["profile"],
    help="AWS profile (default: AWS_PROFILE; environment keys beat AWS_PROFILE, not "
    "--profile); several (a,b or repeated) read each one's account.",
)
@click.option(
    "--region",
    multiple=True,
    metavar="NAME",
    shell_complete=_GLOBAL_COMPLETERS["region"],
    help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's); "
    "several (a,b or repeated), or 'all' where each service is offered.",
)
@click.option(
    "--org-role",
    metavar="NAME",
    help="Every ACTIVE account of the AWS Organization, through the role NAME in each.",
)
@click.option(
    "--accounts",
    multiple=True,
    metavar="ID,ID",
    help="With --org-role: only these accounts (repeatable).",
)
@click.option(
    "--endpoint-url",
    metavar="URL",
    help="Send every call to this URL (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> work too).",
)
@click.option(
    "--sandbox",
    is_flag=True,
    envvar="EXPORTCTL_SANDBOX",
    help="Run against the embedded sandbox: no AWS account needed (EXPORTCTL_SANDBOX=1).",
)
@click.option("--debug", is_flag=True, help="Tracebacks and API call counts on stderr.")
@click.option("--no-color", is_flag=True, help="No colour (NO_COLOR works too).")
@click.version_option(__version__, "--version", "-V", prog_name="exportctl")
@click.pass_context
def cli(
    ctx: click.Context,
    profile: tuple[str, ...],
    region: tuple[str, ...],
    org_role: str | None,
    accounts: tuple[str, ...],
    endpoint_url: str | None,
    sandbox: bool,
    debug: bool,
    no_color: bool,
) -> None:
    """The global options: made into the invocation's state (its help is _about's)."""
    from exportctl.aws.clients import AwsSettings
    from exportctl.cli.context import AppContext

    app = AppContext(
        settings=AwsSettings(endpoint_url=endpoint_url),
        invocation=ctx.obj if isinstance(ctx.obj, Invocation) else Invocation(),
        debug=debug or _env_flag("EXPORTCTL_DEBUG"),
        no_color=no_color,
        sandbox=sandbox,
    )
    app.set_targets(profile=profile, region=region, org_role=org_role, accounts=accounts)
    ctx.obj = app


# Its subcommands accept them after them (_accept_global_options); the top help says so too.
cli.globals_accepted = [max(p.opts, key=len) for p in cli.params if p.name in SUBCOMMAND_GLOBALS]
cli.accepting = _accept_global_options


def _run_cleanups(app: AppContext | None) -> None:
    while app is not None and app.cleanups:
        # A failing cleanup must not hide the command's outcome.
        with contextlib.suppress(Exception):
            app.cleanups.pop()()
