"""The console script: one run of the command tree, from the signals it heeds to the
status it leaves with."""

from __future__ import annotations

import getpass
import os
import sys
import warnings

from exportctl.cli import stderr, stdout
from exportctl.cli.invocation import Invocation
from exportctl.cli.root import cli

# On import, not in main(): its exit hook is then among the last to run (interrupts.written).
from exportctl.ops import interrupts


def main(argv: list[str] | None = None) -> None:
    """The console script; signals end the command (see exportctl.ops.interrupts)."""
    interrupts.install()
    # A role's mfa_serial with no terminal: botocore's prompt falls back to stdin, and
    # Python warns of it with a line of its own source before the command's one error
    # line (the EOF it meets is said as exit 4).
    warnings.filterwarnings("ignore", category=getpass.GetPassWarning)
    stdout.guard()
    stderr.guard()
    invocation = Invocation()
    invocation.ends_process = True
    if argv is None:
        argv = [_as_text(arg) for arg in sys.argv[1:]]
    try:
        try:
            cli.main(args=argv, prog_name="exportctl", obj=invocation)
        finally:
            # A signal from here on ends the process with its code, once what the
            # command wrote is out, instead of being raised into its last writes.
            interrupts.ended()
    except KeyboardInterrupt:
        # Raised in the moment before: the command could not have heard it.
        stdout.leave(interrupts.exit_code())
    except SystemExit as exc:
        if interrupts.received is not None and interrupts.late() is None:
            # Stopped by a signal, the command has said what it had to: leave now, without
            # waiting at exit for anything still running in the background.
            stdout.leave(exc.code if isinstance(exc.code, int) else interrupts.exit_code())
        code = 0 if exc.code is None else exc.code
        if isinstance(code, int):
            # Flushed here, not by the interpreter at exit, which would only say
            # "Exception ignored" and exit 120 should stdout refuse the rest.
            finished = stdout.finish(code)
            interrupts.written()
            if invocation.leaves_at_once:
                # The command has written and closed all it had to; tearing the
                # interpreter down would only free every object one by one.
                stdout.leave(finished)
            if finished != code:
                raise SystemExit(finished) from None
        raise


def _as_text(arg: str) -> str:
    """An argument as the user typed it: in a C or POSIX locale Python reads argv as
    ASCII, keeping other bytes as surrogates no request can encode (`café` would
    fail deep in botocore); UTF-8 bytes are read as UTF-8, anything else kept."""
    if arg.isascii():
        return arg
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeError:
        return arg
