"""Every way a run fails, as the user reads it: one line on stderr and an exit code.

Modelled on the AWS CLI's ``awscli/errorhandler.py``: a chain of handlers, each for
some exceptions; the first that takes an exception says it and gives the exit code.
Two chains, for the two places a run can fail: :func:`command_errors` for what a
command raises (its context still open, its cleanups still to run), and
:func:`run_errors` for what ends the run around it (click's usage errors, Ctrl-C
while the arguments are read, stdout refusing the help). Imported only on failure.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Sequence
from typing import ClassVar

import click

from exportctl.cli.stdout import OutputError, discard, output_failed
from exportctl.domain.errors import (
    MAX_MESSAGE,
    ExitCode,
    ExportctlError,
    Interrupted,
    clip,
)


class Handler:
    """Says the exceptions of :attr:`handles`, and leaves any other to the next."""

    handles: ClassVar[tuple[type[BaseException], ...]] = ()

    def handle(self, exc: BaseException) -> int | None:
        """The exit code once ``exc`` is said; None when this handler does not say it."""
        return self.say(exc) if isinstance(exc, self.handles) else None

    def say(self, exc: BaseException) -> int | None:
        raise NotImplementedError


class Chain:
    """Handlers asked in turn; the first to take an exception says it."""

    def __init__(self, handlers: Sequence[Handler]) -> None:
        self.handlers = handlers

    def handle(self, exc: BaseException) -> int | None:
        for handler in self.handlers:
            code = handler.handle(exc)
            if code is not None:
                return code
        return None


def fail(message: str, exc: BaseException, *, debug: bool) -> None:
    """The one line of an error; under --debug, the traceback before it."""
    if debug:
        traceback.print_exception(exc)
    click.echo(f"exportctl: error: {clip(message, MAX_MESSAGE)}", err=True)


# -- what a command raises ---------------------------------------------------------


class ExportctlErrorHandler(Handler):
    handles = (ExportctlError,)

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug

    def say(self, exc: BaseException) -> int:
        assert isinstance(exc, ExportctlError)
        for notice in exc.notices:
            click.echo(f"exportctl: notice: {clip(notice.message, MAX_MESSAGE)}", err=True)
        fail(exc.message, exc, debug=self.debug)
        for other in exc.also:
            click.echo(f"exportctl: error: {clip(other.message, MAX_MESSAGE)}", err=True)
        return int(exc.exit_code)


class SignalHandler(Handler):
    """Ctrl-C or SIGTERM during the command: which one it was (exportctl.ops.interrupts),
    and what the command may have done before it."""

    handles = (KeyboardInterrupt,)

    def say(self, exc: BaseException) -> int:
        from exportctl.ops import interrupts

        detail = f": {exc.detail}" if isinstance(exc, Interrupted) and exc.detail else ""
        click.echo(f"exportctl: {interrupts.word()}{detail}", err=True)
        return interrupts.exit_code()


class ClosedPipeHandler(Handler):
    """The reader of stdout went away (`| head`): quietly, with one status for every
    command; never 0, which would tell `wait ... | head` the jobs were done. Before
    click's own handler, which would make it exit status 1."""

    handles = (BrokenPipeError,)

    def say(self, exc: BaseException) -> int:
        discard()
        return int(ExitCode.CLOSED_PIPE)


class OutputErrorHandler(Handler):
    """stdout refused the output (a full disk): also --help, --version or a completion."""

    handles = (OutputError,)

    def say(self, exc: BaseException) -> int:
        assert isinstance(exc, OutputError)
        return output_failed(exc)


class BotocoreHandler(Handler):
    """botocore refusing what the user gave (a malformed config file), wherever it was
    first read; what it cannot translate is left to :class:`UnexpectedErrorHandler`."""

    handles = (Exception,)

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug

    def say(self, exc: BaseException) -> int | None:
        if not type(exc).__module__.startswith("botocore."):
            return None
        from exportctl.aws.translate import translate

        known: ExportctlError | None = None
        with contextlib.suppress(Exception):
            known = translate(exc)
        if known is None:
            return None
        fail(known.message, exc, debug=self.debug)
        return int(known.exit_code)


class UnexpectedErrorHandler(Handler):
    """exportctl's own bug: one line too, the traceback under --debug."""

    handles = (Exception,)

    def __init__(self, *, debug: bool) -> None:
        self.debug = debug

    def say(self, exc: BaseException) -> int:
        fail(
            f"unexpected error: {type(exc).__name__}: {exc} (--debug shows where)",
            exc,
            debug=self.debug,
        )
        return int(ExitCode.INTERNAL)


def command_errors(*, debug: bool) -> Chain:
    """What a command raised; ``debug``: --debug or EXPORTCTL_DEBUG."""
    return Chain(
        [
            ExportctlErrorHandler(debug=debug),
            SignalHandler(),
            ClosedPipeHandler(),
            OutputErrorHandler(),
            BotocoreHandler(debug=debug),
            UnexpectedErrorHandler(debug=debug),
        ]
    )


# -- what ends the run around the command ------------------------------------------


class UsageErrorHandler(Handler):
    """click's own errors (unknown option, missing argument, bad choice) in the one style."""

    handles = (click.ClickException,)

    def say(self, exc: BaseException) -> int:
        assert isinstance(exc, click.ClickException)
        if type(exc).__name__ == "NoArgsIsHelpError":
            # `exportctl` alone: the help itself, as click prints it.
            exc.show()
            return exc.exit_code
        message = exc.format_message()
        if isinstance(exc, click.NoSuchOption):
            # click's suggestions are its own close matches (--help among them, not the
            # options a prefix begins), in its own words: exportctl's, as for a command.
            from exportctl.cli.suggestions import no_such_option

            message = no_such_option(exc.option_name, exc.ctx)
        message = " ".join(message.split()).removesuffix(".")
        message = message.replace(". Did you mean", "; did you mean")
        if message[:1].isupper() and message[1:2].islower():
            message = message[0].lower() + message[1:]
        # Cut as every error line is (AppContext.error): click quotes some values whole
        # (an unknown option, extra arguments).
        message = clip(message, MAX_MESSAGE)
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError) and ctx is not None:
            message += f" (see '{ctx.command_path} --help')"
        click.echo(f"exportctl: error: {message}", err=True)
        return exc.exit_code


class AbortHandler(Handler):
    """Ctrl-C before the command ran (click makes it an Abort)."""

    handles = (click.exceptions.Abort, KeyboardInterrupt)

    def say(self, exc: BaseException) -> int:
        click.echo("exportctl: interrupted", err=True)
        return 130


def run_errors() -> Chain:
    """What ended the run outside a command."""
    return Chain([UsageErrorHandler(), OutputErrorHandler(), AbortHandler()])
