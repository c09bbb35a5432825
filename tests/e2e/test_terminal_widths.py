"""The installed command on a real terminal 80, 100, 120 and 200 columns wide.

Its stdout and stderr are a pseudo-terminal whose window has that size, as in a
terminal emulator: nothing sets COLUMNS or LINES, the command finds the width
itself. What it writes is read until it exits, and read back without its colours.
Each width has a home of its own, so a sandbox world of its own, fresh: Pinpoint's
FAILING job is still failing (it fails 35 scenario seconds in).
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from e2e_support import Screen, on_terminal

pytestmark = pytest.mark.e2e

WIDTHS = (80, 100, 120, 200)
APP = "ae7689447ab57a683536c4499d863386"
# The scenario's jobs (its seed makes the same ids in every world).
FAILING = f"pinpoint:{APP}/ce20c4fd32f640d0032634f087e51b42"
BY_PIECES = f"pinpoint:{APP}/9fe8110102c995f1abef543b5dfce8a9"
BACKUP_RUNNING = "backupsearch:f3ab3cc2-d0b6-48d5-a7e4-1ba4ea5ee874"
BACKUP_FAILED = (
    "arn:aws:backup-search:us-east-1:123456789012:search-export-job/"
    "48c801be-f750-410c-a751-3064d6d59291"
)
# A header's names: cells two spaces or more apart (a name may hold one space).
_NAME = re.compile(r"\S+(?: \S+)*")


@dataclass(frozen=True)
class AtWidth:
    listed: Screen  # list
    panel: Screen  # status BACKUP_FAILED
    estimates: Screen  # status ... --fields ref,state,eta
    waited: Screen  # wait FAILING BY_PIECES, its change lines above its live table


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory, warm_cache: Path) -> dict[int, AtWidth]:
    """What four commands print at each width, run in that order in one fresh home;
    the widths side by side, as four terminals would be."""

    def at_width(width: int) -> AtWidth:
        home = tmp_path_factory.mktemp(f"home-{width}")
        # botocore's endpoint data already indexed, as for every other test.
        shutil.copytree(warm_cache, home / ".cache")
        # Every job: the failed ones, FAILING among those still going, and the
        # completed ones, whose durations the estimates below are made from. On a
        # scenario clock that all but stands still, however long a loaded machine
        # takes to run them: the scenario is where these tests expect it.
        still = {"EXPORTCTL_SANDBOX_SPEED": "0.01"}
        listed = on_terminal(width, home, "--sandbox", "list", **still)
        panel = on_terminal(width, home, "--sandbox", "status", BACKUP_FAILED, **still)
        estimates = on_terminal(width, home, "--sandbox", "status", BY_PIECES, BACKUP_RUNNING,
                                 FAILING, "--fields", "ref,state,eta", **still)  # fmt: skip
        # Until both end: FAILING fails 35 scenario seconds in, BY_PIECES completes 40
        # seconds in, here on a clock 3 times faster than real time: slow enough that
        # the command's own start, seconds on a loaded machine (at 5 times, a start of
        # 8 s under a load of 18 found both ended), leaves both running at its first
        # round.
        waited = on_terminal(width, home, "--sandbox", "wait", FAILING, BY_PIECES,
                              "--interval", "1s", EXPORTCTL_SANDBOX_SPEED="3")  # fmt: skip
        return AtWidth(listed, panel, estimates, waited)

    with ThreadPoolExecutor(len(WIDTHS)) as pool:
        return dict(zip(WIDTHS, pool.map(at_width, WIDTHS), strict=True))


def _job_id(ref: str) -> str:
    """The job's own id, whichever form its reference takes (ARN, compact, by name)."""
    return ref.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _columns(header: str) -> list[tuple[str, int]]:
    return [(m.group(), m.start()) for m in _NAME.finditer(header)]


def _cells(line: str, columns: list[tuple[str, int]]) -> dict[str, str]:
    ends = [start for _, start in columns[1:]] + [len(line)]
    return {name: line[start:end].strip() for (name, start), end in zip(columns, ends, strict=True)}


def _table(lines: list[str]) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    """Each row of a jobs table: its job's id, its cells by header, and its lines.
    Side by side, a row is a line; stacked, the reference's line and the one below it."""
    top = next(i for i, line in enumerate(lines) if line.split()[:1] in (["REF"], ["SERVICE"]))
    if lines[top] == "REF":
        columns = _columns(lines[top + 1])
        body = lines[top + 2 :]
        for ref, below in zip(body[::2], body[1::2], strict=True):
            yield _job_id(ref.strip()), {"REF": ref.strip(), **_cells(below, columns)}, [ref, below]
        return
    columns = _columns(lines[top])
    for line in lines[top + 1 :]:
        cells = _cells(line, columns)
        yield _job_id(cells["REF"]), cells, [line]


def test_tables_fit_each_width_and_a_failing_job_keeps_its_vendor_word(
    screens: dict[int, AtWidth],
) -> None:
    for width, at in screens.items():
        assert at.listed.code == 0, at.listed.text
        rows = {job: (cells, lines) for job, cells, lines in _table(at.listed.lines)}
        cells, lines = rows[_job_id(FAILING)]
        # RUNNING alone would read as a healthy job: the vendor's word stays.
        assert cells["STATE"] == "RUNNING (FAILING)", (width, lines)
        for cells, lines in rows.values():
            # A reference is never cut; only a line of its own may be wider than the terminal.
            assert "…" not in cells["REF"] and " " not in cells["REF"], (width, lines)
            assert all(len(line) <= width for line in lines if line.strip() != cells["REF"])


def test_a_wider_terminal_never_shows_less_of_a_failed_jobs_message(
    screens: dict[int, AtWidth],
) -> None:
    shown: dict[int, dict[str, str]] = {}
    columns: dict[int, set[str]] = {}
    for width, at in screens.items():
        rows = list(_table(at.listed.lines))
        shown[width] = {
            job: cells["MESSAGE"] for job, cells, _ in rows if cells["STATE"] == "FAILED"
        }
        columns[width] = {name for _, cells, _ in rows for name in cells}
    assert len(shown[80]) >= 3 and all(shown[80].values())
    for narrow, wide in itertools.pairwise(WIDTHS):
        assert shown[wide].keys() == shown[narrow].keys()
        # A column given up (STATUS, CREATED) and back takes back the room the
        # message had taken from it: the message keeps its 30 characters.
        back = columns[wide] - columns[narrow]
        for job, before in shown[narrow].items():
            after = shown[wide][job]
            # The same message, as long or longer: cut later, or whole.
            least = min(len(before), 29) if back else len(before)
            assert len(after) >= least, (narrow, wide, before, after)
            assert before.startswith(after.removesuffix("…")) or after.startswith(
                before.removesuffix("…")
            ), (narrow, wide, before, after)
    # At 200 columns no message is cut to what would fit beside the reference.
    cut = [message for message in shown[200].values() if message.endswith("…")]
    assert cut and all(len(message) > 100 for message in cut), shown[200]


def test_a_panel_keeps_an_arn_whole_on_one_line(screens: dict[int, AtWidth]) -> None:
    for width, at in screens.items():
        panel = at.panel
        assert panel.code == 0, panel.text
        lines = panel.lines
        for label in ("ref", "arn"):
            # In the box, or below it when the box is too narrow for it: never folded.
            [row] = [line for line in lines if line.strip("│ ").startswith(f"{label} ")]
            assert BACKUP_FAILED in row, (width, label, panel.text)
        assert not any(
            BACKUP_FAILED not in line and "search-export-job" in line for line in lines
        ), panel.text
        box = [line for line in lines if line[:1] in ("╭", "│", "╰")]
        assert box and all(len(line) <= width for line in box), (width, panel.text)


def test_the_estimates_table_fills_eta_for_running_jobs(screens: dict[int, AtWidth]) -> None:
    for width, at in screens.items():
        shown = at.estimates
        assert shown.code == 0, shown.text
        header, *rows = shown.lines
        assert header.split() == ["REF", "STATE", "ETA"], shown.text
        etas = {_job_id(line.split()[0]): _cells(line, _columns(header)) for line in rows}
        for ref in (BY_PIECES, BACKUP_RUNNING):
            # By its pace, and by the completed jobs the listing saw.
            cells = etas[_job_id(ref)]
            assert cells["STATE"] == "RUNNING" and cells["ETA"], (width, shown.text)
            datetime.fromisoformat(cells["ETA"].replace("Z", "+00:00"))
        # FAILING can no longer complete: no time is made up for it.
        assert etas[_job_id(FAILING)]["ETA"] == "", (width, shown.text)


def test_wait_refuses_an_option_it_would_ignore(tmp_path: Path, warm_cache: Path) -> None:
    shutil.copytree(warm_cache, tmp_path / ".cache")
    # Without --fields or -o wide, wait prints no table: no header to leave out.
    done = on_terminal(100, tmp_path, "--sandbox", "wait", BY_PIECES, "--no-headers",
                        "--timeout", "1s")  # fmt: skip
    assert done.code == 2, done.text
    assert "--no-headers is for tables of records" in done.text
    assert "Traceback" not in done.text


def test_wait_keeps_its_change_lines_whole(
    screens: dict[int, AtWidth],
) -> None:
    for width, at in screens.items():
        waited = at.waited
        # One job ended in another state than COMPLETED.
        assert waited.code == 1, waited.text
        # The change line of the job that completed is whole (its time, reference and
        # change on one line or stacked, never folded inside a word), as is the
        # reference. (FAILING's word at each width: the listing test above.)
        # (From the running status of its last round before: PROCESSING, or COMPLETING
        # when a round fell in the last seconds.)
        assert re.search(r"RUNNING \((PROCESSING|COMPLETING)\) -> COMPLETED\n", waited.text), (
            width,
            waited.text,
        )
        assert BY_PIECES.split(":", 1)[1] in waited.text
        assert "Traceback" not in waited.text


@pytest.mark.parametrize("columns", ["0", "00"])
def test_columns_that_is_no_width_counts_as_unset_on_a_terminal(
    tmp_path: Path, warm_cache: Path, columns: str
) -> None:
    # rich, reading COLUMNS=0 itself, drew at width 0: nothing at all was printed,
    # not even the error line of a job not found.
    shutil.copytree(warm_cache, tmp_path / ".cache")
    shown = on_terminal(100, tmp_path, "--sandbox", "status", BACKUP_FAILED, COLUMNS=columns,
                        LINES="0")  # fmt: skip
    assert shown.code == 0, shown.text
    # The panel's top edge spans the terminal (an ARN inside may go past it, whole).
    assert len(shown.lines[0]) == 100, shown.text
    missing = on_terminal(100, tmp_path, "--sandbox", "status", "rds:nope", COLUMNS=columns)
    assert missing.code == 3, missing.text
    assert missing.text.startswith("exportctl: error: no Amazon RDS export job nope"), missing.text
