"""The command tree's root: global options, lazy subcommands, exit codes."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from exportctl import __version__
from exportctl.cli import servicehelp
from exportctl.cli.examples import epilog, write_globals_note
from exportctl.cli.invocation import Invocation
from exportctl.cli.servicehelp import Described
from exportctl.cli.suggestions import SuggestingGroup

if TYPE_CHECKING:
    from exportctl.cli.context import AppContext

# name -> "module:attribute"; a command's module is imported only when it runs
# (or when --help lists the commands), so start-up stays light.
COMMANDS: dict[str, str] = {
    "backups": "exportctl.cli.backups:backups",
    "completion": "exportctl.cli.completion:completion",
    "download": "exportctl.cli.download:download",
    "list": "exportctl.cli.listing:list_jobs",
    "rerun": "exportctl.cli.rerun:rerun",
    "sandbox": "exportctl.cli.sandbox:sandbox",
    "start": "exportctl.cli.start:start",
    "status": "exportctl.cli.status:status",
    "wait": "exportctl.cli.wait:wait",
    "watch": "exportctl.cli.watch:watch",
}


class _Summaries(Mapping[str, str]):
    """Command -> its summary; one that names services is made from their specs when read."""

    def __init__(self, given: Mapping[str, str | Callable[[], str]]) -> None:
        self._given = given

    def __getitem__(self, name: str) -> str:
        summary = self._given[name]
        return summary if isinstance(summary, str) else summary()

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


# What `exportctl --help` says of each command, so that listing them imports none
# of their modules. A test keeps each equal to its command's own first line.
SUMMARIES: Mapping[str, str] = _Summaries({
    "backups": servicehelp.backups_summary,
    "completion": "Print the completion script for SHELL.",
    "download": "Fetch what a COMPLETED export job exported into DEST.",
    "list": "List export jobs, every service by default, queried concurrently.",
    "rerun": "Start a new export job with the parameters of job REF (typically one that failed).",
    "sandbox": servicehelp.sandbox_summary,
    "start": "Start an export job: `exportctl start SERVICE --help` lists each service's options.",
    "status": "Show export jobs by reference: an ARN, a compact ref from `list`, or an id.",
    "wait": "Wait until export jobs are COMPLETED (or --until another state).",
    "watch": "Watch export jobs: those running, and those that ended in the last --keep.",
})  # fmt: skip


class LazyGroup(Described, SuggestingGroup):
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
        if complete_var or "_EXPORTCTL_COMPLETE" in os.environ:
            # A Tab press: click answers it with exportctl's shell classes.
            from exportctl.cli.completion import register

            register()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            _usage_failure(exc)
        except OutputError as exc:
            # --help, --version or a completion request written to a full disk.
            sys.exit(_output_failed(exc))
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("exportctl: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) and not isinstance(code, bool) else 0)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            # `exportctl --help | head -1`: --help and --version print from here.
            _reader_gone()

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

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        _accept_global_options(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Every failure becomes one line on stderr and a documented exit code."""
        from exportctl.domain.errors import ExitCode, ExportctlError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except ExportctlError as exc:
            _fail(ctx, exc.message)
            ctx.exit(int(exc.exit_code))
        except KeyboardInterrupt as exc:
            from exportctl.domain.errors import Interrupted
            from exportctl.ops import interrupts

            detail = f": {exc.detail}" if isinstance(exc, Interrupted) else ""
            click.echo(f"exportctl: {interrupts.word()}{detail}", err=True)
            ctx.exit(interrupts.exit_code())
        except BrokenPipeError:
            # Before click's own handler, which would make it exit status 1.
            _reader_gone()
        except OutputError as exc:
            ctx.exit(_output_failed(exc))
        except Exception as exc:
            if type(exc).__module__.startswith("botocore."):
                # botocore refusing what the user gave (a malformed config file),
                # wherever it was first read.
                from exportctl.domain.errors import translate

                known: ExportctlError | None = None
                with contextlib.suppress(Exception):
                    known = translate(exc)
                if known is not None:
                    _fail(ctx, known.message)
                    ctx.exit(int(known.exit_code))
            _fail(ctx, f"unexpected error: {type(exc).__name__}: {exc} (--debug shows where)")
            ctx.exit(int(ExitCode.INTERNAL))
        finally:
            _run_cleanups(_app(ctx))


_SUBCOMMAND_GLOBALS = (
    "profile",
    "region",
    "org_role",
    "accounts",
    "endpoint_url",
    "sandbox",
    "debug",
    "no_color",
)
# Options that say which accounts and regions a command spans (repeatable, or A,B).
_TARGET_OPTIONS = ("profile", "region", "org_role", "accounts")


def _accept_global_options(command: click.Command) -> None:
    """Let global options come after the subcommand too, as in the AWS CLI, and its
    help say so; a group's subcommands (`start SERVICE`) too."""
    if getattr(command, "_exportctl_globals", False):
        return
    taken = {p.name for p in command.params}
    for param in cli.params:
        if param.name in _SUBCOMMAND_GLOBALS and param.name not in taken:
            assert isinstance(param, click.Option)
            command.params.append(
                click.Option(
                    param.opts,
                    is_flag=param.is_flag,
                    multiple=param.multiple,
                    default=None,
                    expose_value=False,
                    hidden=True,
                    callback=_override_global,
                    shell_complete=getattr(param, "_custom_shell_complete", None),
                    help=param.help,
                )
            )
    command.shell_complete = _with_globals_last(command.shell_complete)  # type: ignore[method-assign,assignment]
    _say_globals_may_follow(command)
    if isinstance(command, click.Group):
        command.get_command = _accepting_global_options(command.get_command)  # type: ignore[method-assign,assignment]
    command._exportctl_globals = True  # type: ignore[attr-defined]


def _say_globals_may_follow(command: click.Command) -> None:
    """The help says so where this makes it true: one sentence, the same for every
    command, before its examples."""
    own = command.format_epilog

    def format_epilog(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        write_globals_note(formatter)
        own(ctx, formatter)

    command.format_epilog = format_epilog  # type: ignore[method-assign]


def _accepting_global_options(
    own: Callable[[click.Context, str], click.Command | None],
) -> Callable[[click.Context, str], click.Command | None]:
    def get_command(ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = own(ctx, cmd_name)
        if command is not None:
            _accept_global_options(command)
        return command

    return get_command


def _with_globals_last(
    own: Callable[[click.Context, str], list[CompletionItem]],
) -> Callable[[click.Context, str], list[CompletionItem]]:
    """The command's completions; when none of its own options matches, the global
    options it accepts too. Offered beside them, they would bury the command's own
    (`list --s` is --service, --since, --status, not --sandbox): they are hidden
    copies, and a user who types past the command's options still finds them."""

    def complete(ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        items = own(ctx, incomplete)
        if items or not incomplete.startswith("-"):
            return items
        return [
            CompletionItem(name, help=param.help)
            for param in ctx.command.get_params(ctx)
            if isinstance(param, click.Option)
            and param.hidden
            and param.name in _SUBCOMMAND_GLOBALS
            # As click does for the command's own: a flag given once is not offered again.
            and (
                param.multiple
                or ctx.get_parameter_source(str(param.name)) is not ParameterSource.COMMANDLINE
            )
            for name in param.opts
            if name.startswith(incomplete)
        ]

    return complete


def _override_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False or value == ():
        return
    app = _app(ctx)
    if app is None:
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


def _complete_profile(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from exportctl.cli.complete import complete_profile

    return complete_profile(ctx, param, incomplete)


def _complete_region(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from exportctl.cli.complete import complete_region

    return complete_region(ctx, param, incomplete)


def _fail(ctx: click.Context, message: str) -> None:
    app = _app(ctx)
    if (app and app.debug) or _env_flag("EXPORTCTL_DEBUG"):
        import traceback

        traceback.print_exc()
    from exportctl.domain.errors import MAX_MESSAGE, clip

    click.echo(f"exportctl: error: {clip(message, MAX_MESSAGE)}", err=True)


def _usage_failure(exc: click.ClickException) -> NoReturn:
    """click's own errors (unknown option, missing argument, bad choice) in our one style."""
    if type(exc).__name__ == "NoArgsIsHelpError":
        # `exportctl` alone: the help itself, as click prints it.
        exc.show()
        sys.exit(exc.exit_code)
    message = " ".join(exc.format_message().split()).removesuffix(".")
    message = message.replace(". Did you mean", "; did you mean")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    click.echo(f"exportctl: error: {message}", err=True)
    sys.exit(exc.exit_code)


def _reader_gone() -> NoReturn:
    """The reader of stdout went away: stop at once, quietly, with one status for
    every command; never 0, which would tell `wait ... | head` the jobs were done."""
    from exportctl.domain.errors import ExitCode

    _discard_stdout()
    sys.exit(int(ExitCode.CLOSED_PIPE))


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _about() -> str:
    return f"""One face for the export jobs of {servicehelp.titles()}.

    Exit codes: 0 ok, 1 a job ended in another state (wait), 2 usage or bad input,
    3 job not found, 4 credentials refused or access denied, 5 other AWS or network
    error or a broken answer, 73 a local file or stdout could not be written (a
    full disk), 124 timeout (wait), 130 interrupted (Ctrl-C), 141 stdout closed
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
    shell_complete=_complete_profile,
    help="AWS profile (default: AWS_PROFILE; environment keys beat AWS_PROFILE, not "
    "--profile); several (a,b or repeated) read each one's account.",
)
@click.option(
    "--region",
    multiple=True,
    shell_complete=_complete_region,
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
_say_globals_may_follow(cli)


def _run_cleanups(app: AppContext | None) -> None:
    while app is not None and app.cleanups:
        # A failing cleanup must not hide the command's outcome.
        with contextlib.suppress(Exception):
            app.cleanups.pop()()


def main(argv: list[str] | None = None) -> None:
    """The console script; signals end the command (see exportctl.ops.interrupts)."""
    from exportctl.ops import interrupts

    interrupts.install()
    _guard_stdout()
    invocation = Invocation()
    try:
        cli.main(args=argv, prog_name="exportctl", obj=invocation)
    except SystemExit as exc:
        if interrupts.received is not None:
            # Stopped by a signal, the command has said what it had to: leave now, without
            # waiting at exit for anything still running in the background.
            _leave(exc.code if isinstance(exc.code, int) else interrupts.exit_code())
        code = 0 if exc.code is None else exc.code
        if isinstance(code, int) and invocation.leaves_at_once:
            # list and status have written and closed all they had to; tearing the
            # interpreter down would only free every object one by one.
            _leave(code)
        if isinstance(code, int):
            # Flushed here, not by the interpreter at exit, which would only say
            # "Exception ignored" and exit 120 should stdout refuse the rest.
            finished = _finish_output(code)
            if finished != code:
                raise SystemExit(finished) from None
        raise


class OutputError(OSError):
    """stdout refused what was written for another reason than its reader leaving
    (a full disk, an I/O error): told apart from every other OSError a command may
    meet, it is the command's end with :data:`ExitCode.LOCAL`."""


class _Stdout(io.BufferedWriter):
    """stdout's buffer: what it cannot write is an :class:`OutputError` (a closed pipe
    stays BrokenPipeError); ``whole`` flushes each write."""

    def __init__(self, raw: io.RawIOBase, buffer_size: int, *, whole: bool) -> None:
        super().__init__(raw, buffer_size)
        self._whole = whole

    def write(self, data: Any) -> int:
        try:
            written = super().write(data)
            if self._whole:
                super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc
        return written

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc


def _guard_stdout() -> None:
    """stdout with the buffer above beneath its text layer.

    Under ``python -u`` or PYTHONUNBUFFERED, stdout's text layer writes straight to
    the file descriptor and takes a short write for a whole one: when the reader of a
    pipe leaves in the middle of a table written at once, the rest is dropped without
    an error and the command ends 0. A buffered writer beneath it writes all or raises
    BrokenPipeError, which every command turns into the closed-pipe status. Buffered or
    not, a full disk raises :class:`OutputError` wherever the command writes."""
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper):
        return
    buffer = stream.buffer
    if isinstance(buffer, io.RawIOBase):
        raw, whole = buffer, True
    elif (
        isinstance(buffer, io.BufferedWriter)
        and not isinstance(buffer, _Stdout)
        and isinstance(buffer.raw, io.FileIO)
    ):
        # Nothing is written yet; should a caller have, it goes out first.
        stream.flush()
        raw, whole = buffer.raw, False
    else:
        return
    try:
        # The size open() gives a file's buffer: the device's block size (none on Windows).
        size = getattr(os.fstat(raw.fileno()), "st_blksize", 0)
    except (OSError, ValueError):
        size = 0
    sys.stdout = io.TextIOWrapper(
        _Stdout(raw, size if size > 1 else io.DEFAULT_BUFFER_SIZE, whole=whole),
        encoding=stream.encoding,
        errors=stream.errors,
        # As Python's own stdout: "\n" where that is the line end, translated elsewhere.
        newline=None,
        line_buffering=stream.line_buffering,
        write_through=whole or stream.write_through,
    )


def _finish_output(code: int) -> int:
    """``code`` once what stdout holds is out: the closed-pipe status when its reader
    is gone by then, :data:`ExitCode.LOCAL` (and one line on stderr) when it cannot
    take it, as when the disk is full."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        from exportctl.domain.errors import ExitCode

        _discard_stdout()
        return int(ExitCode.CLOSED_PIPE)
    except OSError as exc:
        return _output_failed(exc, code)
    try:
        duplicate = os.dup(sys.stdout.fileno())
    except (OSError, ValueError):
        # No file beneath (output captured in memory) or no descriptor left to check with.
        return code
    try:
        # Some file systems (NFS) report a failed write only when the file is closed:
        # closing a duplicate asks, and leaves stdout open.
        os.close(duplicate)
    except OSError as exc:
        return _output_failed(exc, code)
    return code


def _output_failed(exc: OSError, code: int = 0) -> int:
    """Say once that stdout refused the output; the command's code if it already
    failed, else :data:`ExitCode.LOCAL`."""
    from exportctl.domain.errors import ExitCode, local_reason

    with contextlib.suppress(Exception):
        click.echo(f"exportctl: error: cannot write to stdout: {local_reason(exc)}", err=True)
    _discard_stdout()
    return code or int(ExitCode.LOCAL)


def _discard_stdout() -> None:
    """What stdout still holds goes nowhere, instead of failing again at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _leave(code: int) -> NoReturn:
    """Exit with ``code`` once stdout and stderr are flushed, skipping the interpreter's
    teardown; a reader of stdout gone by then makes it the closed-pipe status, a
    stdout that cannot take what it holds :data:`ExitCode.LOCAL`."""
    code = _finish_output(code)
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)
