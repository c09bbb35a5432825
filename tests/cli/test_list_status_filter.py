"""``list --status`` sends the states to the services whose listing filters by status,
and prints, in every format, byte for byte what the whole listing filtered here
prints."""

from __future__ import annotations

import json
import time

import pytest
from cli_support import Run

from exportctl.domain import timeutil
from exportctl.services import statusfilter

FORMATS = ("table", "wide", "json", "ndjson", "csv", "text")
# Written as the pages arrive: the services' pages interleave as their calls end,
# today as before, so each service's lines keep their order, not their neighbours.
STREAMED = {"ndjson", "csv", "text"}


def _unfiltered(spec: object, states: object) -> dict[str, object]:
    return {}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "options",
    [
        ("--status", "failed"),
        ("--status", "running", "--status", "cancelled"),
        ("--status", "completed", "--limit", "3"),
        ("--status", "failed", "--status", "unknown"),
    ],
    ids=lambda o: "-".join(o),
)
def test_the_same_output_from_fewer_calls(
    run: Run, monkeypatch: pytest.MonkeyPatch, fmt: str, options: tuple[str, ...]
) -> None:
    # One moment for both runs: the tables' "ago" stays put.
    moment = time.time()
    monkeypatch.setattr(timeutil, "wall_clock", lambda: moment)
    run.sandbox.faults.page_size = 1
    args = ("list", *options, "-o", fmt)

    sent = run(*args, region="eu-west-1")
    calls = sum(run.sandbox.calls.values())
    run.sandbox.reset_calls()
    with monkeypatch.context() as m:
        m.setattr(statusfilter, "request", _unfiltered)
        whole = run(*args, region="eu-west-1")
    all_calls = sum(run.sandbox.calls.values())

    assert (sent.exit_code, sent.stderr) == (whole.exit_code, whole.stderr)
    assert sent.stdout.strip()
    if fmt in STREAMED:
        assert _by_service(fmt, sent.stdout) == _by_service(fmt, whole.stdout)
        assert sorted(sent.stdout.splitlines()) == sorted(whole.stdout.splitlines())
    else:
        assert sent.stdout == whole.stdout
    if "unknown" in options:
        assert calls == all_calls
    else:
        assert calls < all_calls


def _by_service(fmt: str, out: str) -> dict[str, list[str]]:
    """Each service's lines in the order written (csv's header under "")."""
    lines: dict[str, list[str]] = {}
    for n, line in enumerate(out.splitlines()):
        if fmt == "ndjson":
            service = json.loads(line)["service"]
        elif fmt == "csv":
            service = line.partition(",")[0] if n else ""
        else:
            service = line.partition("\t")[0]
        lines.setdefault(service, []).append(line)
    return lines
