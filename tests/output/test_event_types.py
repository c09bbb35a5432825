"""Which event lines a change makes, for a wait and for a watch."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from exportctl.domain.model import ExportJob, State
from exportctl.ops.polling.events import Event
from exportctl.ops.polling.outcome import Tracked
from exportctl.output.eventlines import event_types
from exportctl.services.refs import JobKey


def job(state: State) -> ExportJob:
    return ExportJob(
        service="logs", ref="logs:us-east-1:t-1", id="t-1", region="us-east-1",
        state=state, status=state.value, created=datetime(2026, 12, 1, tzinfo=timezone.utc),
    )  # fmt: skip


def event(kind: str, state: State) -> Event:
    return Event(kind, Tracked("t-1", JobKey("logs", "t-1", "us-east-1"), job(state)))


@pytest.mark.parametrize(
    ("kind", "state", "wait", "watch"),
    [
        ("seen", State.RUNNING, ["ADDED"], ["ADDED"]),
        ("changed", State.RUNNING, ["MODIFIED"], ["MODIFIED"]),
        # A watch ends a job when it reaches an ended state; a wait when it decides.
        ("changed", State.COMPLETED, ["MODIFIED"], ["MODIFIED", "ENDED"]),
        ("met", State.COMPLETED, ["ENDED"], []),
        ("missed", State.RUNNING, ["ENDED"], []),
        # Gone, it can no longer meet a wait's condition: the wait is done with it.
        ("gone", State.RUNNING, ["DELETED", "ENDED"], ["DELETED"]),
        # First seen already ended, after a watch's first round: it ended watched.
        ("ended", State.FAILED, [], ["ENDED"]),
        ("round", State.RUNNING, [], []),
    ],
)
def test_event_types(kind: str, state: State, wait: list[str], watch: list[str]) -> None:
    made = event(kind, state)
    assert list(event_types(made, ends_on_decision=True)) == wait
    assert list(event_types(made, ends_on_decision=False)) == watch


def test_a_watch_ends_a_job_once_whatever_ended_state_it_moves_to() -> None:
    moved = Event(
        "changed",
        Tracked("t-1", JobKey("logs", "t-1", "us-east-1"), job(State.CANCELLED)),
        before=job(State.FAILED),
    )
    assert list(event_types(moved, ends_on_decision=False)) == ["MODIFIED"]
