"""The console script (`exportctl`, `python -m exportctl`): the signals it heeds set
before the command line is imported.

A Ctrl-C while click and the command line are imported (a Tab press given up at
once) would otherwise meet Python's own handler and print a traceback into the
prompt; SIGTERM, SIGHUP and SIGQUIT would kill the process by their default action
instead of giving their exit codes. Set in ``main()``, not on import, so that a
program that imports exportctl keeps its own handlers.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType

# The C module that `signal` wraps: `signal` (enum, functools, collections) and
# `types` (and typing's TYPE_CHECKING) take longer to import in a fresh interpreter
# than the rest of the start before this point, a time a signal would meet Python's
# own handler in.
_signal = __import__("_signal")

# Those exportctl.ops.interrupts handles, the same way once the command runs.
_HANDLED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT")


def _leave(signum: int, frame: FrameType | None) -> None:
    # Nothing is written, started or held yet: nothing to say or undo.
    os._exit(128 + signum)


def main() -> None:
    """The console script's entry point (pyproject's ``[project.scripts]``)."""
    for name in _HANDLED:
        signum = getattr(_signal, name, None)
        # One the parent ignores stays ignored (`nohup` and SIGHUP; a background job
        # of a shell without job control and SIGINT): the user asked not to hear it.
        if signum is not None and _signal.getsignal(signum) != _signal.SIG_IGN:
            _signal.signal(signum, _leave)
    from exportctl.cli.main import main as run
    from exportctl.ops import interrupts

    try:
        # Its first act hands the signals to exportctl.ops.interrupts.
        run()
    except KeyboardInterrupt:
        # Raised before the command line could hear it (its first lines): nothing
        # was said or done yet, so nothing is said, as when the imports were cut.
        sys.exit(interrupts.exit_code())


if __name__ == "__main__":
    main()
