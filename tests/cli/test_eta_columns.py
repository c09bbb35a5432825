"""--fields eta,eta_basis in the tables people read: the values csv has, not blanks."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from cli_support import Run

APP = "ae7689447ab57a683536c4499d863386"
# 3/12 pieces: an estimate from its pace; FAILING: a basis and no time.
BY_PIECES = f"pinpoint:{APP}/9fe8110102c995f1abef543b5dfce8a9"
FAILING = f"pinpoint:{APP}/ce20c4fd32f640d0032634f087e51b42"


def _paced(text: str) -> str:
    return re.sub(r"\b\d+m\d+s\b", "<elapsed>", text)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("fmt", ["table", "wide"])
def test_status_tables_show_the_estimate_csv_has(run: Run, fmt: str) -> None:
    fields = ["--fields", "ref,eta,eta_basis"]
    rows = list(csv.DictReader(io.StringIO(run("status", BY_PIECES, FAILING, "-o", "csv",
                                               *fields).stdout)))  # fmt: skip
    assert rows[0]["eta"] and rows[1]["eta_basis"]

    result = run("status", BY_PIECES, FAILING, "-o", fmt, *fields)

    assert result.exit_code == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split()[:2] == ["REF", "ETA"] and "ETA_BASIS" in header
    # The basis says how long the pieces took until now: a second may pass between
    # the two reads.
    assert _paced(rows[0]["eta_basis"]) in _paced(lines[0])
    assert _paced(rows[1]["eta_basis"]) in _paced(lines[1])
    # Read a moment later, from the same pace: the same time within seconds, local
    # in the table (as every time people read), UTC in csv.
    shown = datetime.fromisoformat(" ".join(lines[0].split()[1:3])).astimezone()
    assert abs((shown - _when(rows[0]["eta"])).total_seconds()) < 30


@pytest.mark.parametrize("command", ["status", "wait"])
def test_help_lists_the_estimate_fields(run: Run, command: str) -> None:
    result = run(command, "--help")

    assert result.exit_code == 0
    assert "eta," in result.stdout and "eta_basis" in result.stdout
