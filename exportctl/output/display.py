"""How `wait` and `watch` show what happens: a live view on a terminal (above it, one
line per change in the scrollback); elsewhere, the lines alone."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.live import Live
from rich.text import Text

from exportctl.domain.timeutil import now
from exportctl.output.columns import STACK_INDENT
from exportctl.output.console import Escaped, on_terminal
from exportctl.output.live import EtaText, event_parts

if TYPE_CHECKING:
    from exportctl.ops.polling.events import Event


class Display:
    """A live view on a terminal; elsewhere, and in the scrollback, one line per event."""

    def __init__(
        self,
        console: Console,
        view: RenderableType | None,
        default_region: str | None,
        eta: EtaText | None = None,
    ) -> None:
        self.console = console
        self.view = view
        self.default_region = default_region
        self.eta = eta
        self.live: Live | None = None
        # Lines for the scrollback above a live view, printed together: each print
        # renders the whole view again (a wait on 800 jobs drew 2-6 lines a second).
        self._lines: list[Text] = []
        self._printed_at = 0.0

    @property
    def is_live(self) -> bool:
        return self.live is not None

    def __enter__(self) -> Display:
        if self.view is not None and on_terminal(self.console):
            self.live = Live(
                Escaped(self.view),
                console=self.console,
                refresh_per_second=4,
                transient=False,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.flush()
            # Also on Ctrl-C: the cursor comes back and the last frame stays.
            self.live.stop()
            self.live = None

    def event(self, event: Event) -> None:
        reference = now()
        stamp = reference.astimezone().strftime("%H:%M:%S")
        job = event.tracked.job if event.tracked else None
        eta = self.eta(job, reference) if self.eta and job else ""
        parts = event_parts(event, self.default_region, stamp, eta)
        if parts is None:
            return
        head, tail = parts
        line = Text.assemble(head, "  ", tail)
        width = self.console.width
        if not on_terminal(self.console) or line.cell_len <= width:
            self.print(line)
            return
        # As a table row too wide for the terminal: the reference whole on a line of
        # its own, the rest below it, indented and cut to fit rather than folded. When
        # the time beside the reference would fold its line, the time goes below.
        lead = " " * STACK_INDENT
        if head.cell_len > width and head.plain.startswith(f"{stamp}  "):
            head = head[len(stamp) + 2 :]
            lead = f"{stamp}  "
        self.print(head)
        rest = Text.assemble(lead, tail)
        cut = rest.plain.find("  ", len(lead))
        if rest.cell_len > width and cut > 0:
            # The states on one line, what follows them (a message, pieces, the
            # estimate) on the next: cut there, not to its first letter.
            states, more = rest.divide([cut])
            rest = Text.assemble(" " * STACK_INDENT, more[2:])
            states.truncate(width, overflow="ellipsis")
            self.print(states)
        rest.truncate(width, overflow="ellipsis")
        self.print(rest)

    def print(self, line: Text) -> None:
        if self.live is None:
            self.console.print(line, soft_wrap=True)
            return
        self._lines.append(line)
        # A line after a quiet spell at once; a burst (a round's first check of many
        # jobs) a few times a second, and the rest at the round's end (flush).
        if time.monotonic() - self._printed_at >= _BURST:
            self.flush()

    def flush(self) -> None:
        """Prints the lines held back above the live view, in one go."""
        if self.live is None or not self._lines:
            return
        lines, self._lines = self._lines, []
        self.console.print(*lines, sep="\n", soft_wrap=True)
        self.live.refresh()
        self._printed_at = time.monotonic()


# How long lines above a live view gather before they are printed together.
_BURST = 0.25
