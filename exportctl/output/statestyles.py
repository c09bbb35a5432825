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


# A backup of a search job, by the state its status word gives: one stopped was not
# searched, which is to be seen, not dimmed as a cancelled job is; one whose search
# is being stopped (a doomed word) will not be searched either.
BACKUP_STYLES = {**STATE_STYLES, State.CANCELLED: "bold yellow"}
DOOMED_BACKUP_STYLE = "yellow"
