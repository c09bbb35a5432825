"""Change lines above a live view come as the answers do, not at the round's end."""

from __future__ import annotations

import io
import json
import re
import time
from typing import Any

from rich.console import Console

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.conditions import parse_until
from exportctl.ops.jobs import GET_CONCURRENCY, Jobs
from exportctl.ops.polling.events import Event
from exportctl.ops.polling.schedule import Backoff
from exportctl.ops.polling.waiter import Waiter
from exportctl.output.display import Display
from exportctl.output.live import WaitView
from exportctl.sandbox import Faults, Sandbox
from exportctl.services.refs import JobKey

# Bounds a wait for what never comes without the fix; never reached with it.
PATIENCE = 10.0
# What the tasks are: one round decides them.
_ENDED = {"COMPLETED", "FAILED", "CANCELLED"}


def test_a_line_is_printed_when_its_answer_comes_not_with_the_next_one() -> None:
    # The calls of a round take a while each: the first GET_CONCURRENCY answers come
    # together, the last job's call is sent after them.
    with Sandbox(port=0, clock=lambda: 0.0, logs_tasks=30, faults=Faults(latency=0.3)) as sb:
        ended = [j["id"] for j in sb.jobs("logs", "us-east-1") if j["status"] in _ENDED]
        tasks = ended[: GET_CONCURRENCY + 1]
        assert len(tasks) == GET_CONCURRENCY + 1
        *first, last = tasks
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=200, height=50,
                          color_system=None)  # fmt: skip

        def printed(task: str) -> bool:
            # A change line (its time, then the reference), not the table's row.
            return re.search(rf"\d\d:\d\d:\d\d  logs:{task}\b", buffer.getvalue()) is not None

        # What the screen held when the last job's answer was sent, which waits
        # (at most PATIENCE) for the lines of the answers before it.
        shown: list[str] = []
        answer = sb.dispatch

        def dispatch(method: str, path: str, headers: Any, body: bytes) -> Any:
            response = answer(method, path, headers, body)
            if body and json.loads(body).get("taskId") == last:
                given_up = time.monotonic() + PATIENCE
                while not all(map(printed, first)) and time.monotonic() < given_up:
                    time.sleep(0.02)
                shown.append(buffer.getvalue())
            return response

        sb.dispatch = dispatch  # type: ignore[method-assign]
        settings = AwsSettings(
            endpoint_url=sb.url, region=sb.region, access_key="x", secret_key="x", max_attempts=1
        )
        targets = [(f"logs:{t}", JobKey("logs", t, "us-east-1")) for t in tasks]
        # A round that would end (and print what it held) only long after PATIENCE.
        backoff = Backoff(interval=10 * PATIENCE, cap=10 * PATIENCE)
        waiter = Waiter(Jobs(Clients(settings)), targets, parse_until("terminal"), backoff=backoff)
        display = Display(console, WaitView(waiter, "us-east-1"), "us-east-1")

        def on_event(event: Event) -> None:
            if event.kind == "round":
                display.flush()
            else:
                display.event(event)

        waiter.on_event = on_event
        with display:
            assert display.is_live
            result = waiter.run()

    assert result.exit_code in (0, 1)
    assert len(shown) == 1
    lines = re.findall(r"\d\d:\d\d:\d\d  (logs:\S+)", shown[0])
    # Every earlier answer's line was on screen before the last answer was sent.
    assert sorted(lines) == sorted(f"logs:{t}" for t in first)
    # And in the end each job's line once, none lost.
    out = buffer.getvalue()
    for task in tasks:
        assert len(re.findall(rf"\d\d:\d\d:\d\d  logs:{task}\b", out)) == 1, task
