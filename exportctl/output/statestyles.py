"""How each state of a job looks: the same colour in every table and panel."""

from __future__ import annotations

from rich.text import Text

from exportctl.domain.model import State

STATE_STYLES = {
    State.PENDING: "yellow",
    State.RUNNING: "cyan",
    State.COMPLETED: "green",
    State.FAILED: "bold red",
    # Stopped on request: ended, but not a failure to call attention to.
    State.CANCELLED: "dim",
    State.UNKNOWN: "magenta",
}


def state_text(state: State) -> Text:
    return Text(state.value, style=STATE_STYLES[state])
