"""How `wait` and `watch` show what happens: a live view on a terminal (above it, one
line per change in the scrollback); elsewhere, the lines alone."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.control import Control
from rich.live import Live
from rich.text import Text

from exportctl.domain.timeutil import now
from exportctl.ops import interrupts
from exportctl.output.columns import STACK_INDENT
from exportctl.output.console import Escaped, on_terminal
from exportctl.output.live import EtaText, event_parts

if TYPE_CHECKING:
    from exportctl.ops.polling.events import Event


class _Live(Live):
    """rich's live view, whose refreshes (4 a second, on rich's own thread) first
    print the lines held above it: a line waits for the next refresh, not for the
    answer that comes next (the round's slowest call, seconds later)."""

    def __init__(self, renderable: RenderableType, held: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(renderable, **kwargs)
        self._held = held

    def refresh(self) -> None:
        self._held()
        super().refresh()

    def suspend(self) -> None:
        """Stops drawing, its last frame whole and the cursor shown on the line below,
        where a shell's lines go. Nothing done when the refresh holds the view and
        waits for the terminal this thread was writing to when the signal came."""
        if not self._lock.acquire(timeout=_TAKEN):
            return
        try:
            self.stop()
        finally:
            self._lock.release()


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
        self.live: _Live | None = None
        # Lines for the scrollback above a live view, printed together: each print
        # renders the whole view again (a wait on 800 jobs drew 2-6 lines a second).
        self._lines: list[Text] = []
        self._printed_at = 0.0
        # Held lines are printed by this thread and by the live view's refreshes: one
        # batch at a time, in the order they came.
        self._lock = threading.Lock()
        self._forget_cursor: Callable[[], None] | None = None
        self._forget_suspend: Callable[[], None] | None = None

    @property
    def is_live(self) -> bool:
        return self.live is not None

    def __enter__(self) -> Display:
        if self.view is not None and on_terminal(self.console):
            self.live = self._started(self.view)
            # The view hid the cursor: a second Ctrl-C, which leaves at once, shows it.
            show = _cursor_shown(self.console)
            if show is not None:
                self._forget_cursor = interrupts.before_forced_exit(show)
            # Ctrl-Z: the shell's prompt on a line of its own, with the cursor; after
            # fg, the view drawn anew below the shell's lines, not over them.
            self._forget_suspend = interrupts.on_suspend(lambda: self._suspend(show), self._resume)
        return self

    def _started(self, view: RenderableType, refresh: bool = False) -> _Live:
        live = _Live(
            Escaped(view),
            self._print_held,
            console=self.console,
            refresh_per_second=4,
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        live.start(refresh=refresh)
        return live

    def _suspend(self, show: Callable[[], None] | None) -> None:
        if self.live is not None:
            self.live.suspend()
        # Straight to the terminal as well: what the view printed may wait in the
        # console's buffer behind a print the signal came in the middle of.
        if show is not None:
            show()

    def _resume(self) -> None:
        live = self.live
        if live is not None and not live.is_started and self.view is not None:
            # A live view of its own: the old one would move up over the shell's
            # lines to redraw the frame it drew last.
            self.live = self._started(self.view, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.flush()
            # Also on Ctrl-C: the cursor comes back and the last frame stays.
            self.live.stop()
            self.live = None
            if self._forget_cursor is not None:
                self._forget_cursor()
                self._forget_cursor = None
        if self._forget_suspend is not None:
            self._forget_suspend()
            self._forget_suspend = None

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
        # the time beside the reference would fold its line, the time goes below: at
        # the left edge, with the other lines' times, unless the reference alone is
        # folded (whose next part starts there): then indented.
        lead = " " * STACK_INDENT
        if head.cell_len > width and head.plain.startswith(f"{stamp}  "):
            head = head[len(stamp) + 2 :]
            lead = f"{lead if head.cell_len > width else ''}{stamp}  "
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
        with self._lock:
            self._lines.append(line)
            quiet = time.monotonic() - self._printed_at >= _BURST
        # A line after a quiet spell at once; a burst (a round's first check of many
        # jobs) a few times a second, at the live view's next refresh.
        if quiet:
            self.flush()

    def flush(self) -> None:
        """Prints the lines held back above the live view, in one go."""
        live = self.live
        if live is None:
            return
        with self._lock:
            if not self._lines:
                return
            self._print_lines()
            live.refresh()

    def _print_held(self) -> None:
        # On the refresh's thread. The lock taken: the one who holds it is printing them
        # (this thread's flush, which refreshes the view too, or the command's).
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._lines:
                self._print_lines()
        finally:
            self._lock.release()

    def _print_lines(self) -> None:
        lines, self._lines = self._lines, []
        self.console.print(*lines, sep="\n", soft_wrap=True)
        self._printed_at = time.monotonic()


def _cursor_shown(console: Console) -> Callable[[], None] | None:
    """What shows the cursor again from a signal handler: rich's own sequence written
    straight to the terminal, past the stream a thread may be writing to. None when
    the console hid nothing, or writes to no file descriptor."""
    if not console.is_terminal:
        return None
    try:
        fd = console.file.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    sequence = Control.show_cursor(True).segment.text.encode()

    def show() -> None:
        os.write(fd, sequence)

    return show


# How long a Ctrl-Z waits for the live view's refresh to end before it stops without
# closing the view: a refresh takes milliseconds unless it waits for this thread.
_TAKEN = 0.2

# How long lines above a live view gather before they are printed together: the
# live view's refresh, 4 a second, prints what gathered since.
_BURST = 0.25
