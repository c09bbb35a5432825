"""What one run of the console script is told about how it should end."""

from __future__ import annotations


class Invocation:
    """Set by the command while it runs, read by the console script once it has ended.

    Each run has its own: a command run in-process (click's test runner, a host
    program) leaves no trace that a later run would act on.
    """

    __slots__ = ("ends_process", "leaves_at_once")

    def __init__(self) -> None:
        # A command that reached AWS (list and status, download, wait...), once it
        # has written all it had to: the console script skips the interpreter's
        # teardown (exportctl.cli.main.main).
        self.leaves_at_once = False
        # The process ends with the command (the console script's run): what the
        # command made needs no closing, the process's end closes it.
        self.ends_process = False
