"""Wide characters (CJK, an emoji: two cells each on a terminal) in a job's name and in
its failure message: the installed command's tables line up by the cells a terminal
shows, written to a pipe and to terminals 80 and 200 columns wide.

One sandbox world, kept in one home from a command to the next: a CloudWatch Logs
task named in Japanese, and a Backup Search export that fails quoting its Japanese
destination in its message.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e_support import in_process, on_terminal
from rich.cells import cell_len

pytestmark = pytest.mark.e2e

NAME = "日本語のタスク🚀"
DESTINATION = "s3://exportctl-exports/denied-日本語のエクスポート先/"
SEARCH_JOB = "3e130f7e-b197-4166-ab5e-803b61ba4168"
# The scenario 20 times faster than real time: the export fails a second in.
SPEED = {"EXPORTCTL_SANDBOX_SPEED": "20"}
# A cell: text two spaces or more from the next (a cell may hold one space).
_CELL = re.compile(r"\S+(?: \S+)*")


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``exportctl --sandbox ARGS``, its stdout no terminal (in this process: the
    terminals below are the installed command's)."""
    return in_process(
        None, "--sandbox", *args, HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), **SPEED
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, warm_cache: Path) -> Path:
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(warm_cache, home / ".cache")
    named = _run(home, "start", "logs", "--region", "eu-west-1", "--log-group",
                 "/ecs/checkout-eu", "--start-time", "1d", "--bucket",
                 "exportctl-sandbox-logs-eu-west-1", "--name", NAME)  # fmt: skip
    assert named.returncode == 0, named.stderr
    failing = _run(home, "start", "backupsearch", "--search-job", SEARCH_JOB, "--to", DESTINATION)
    assert failing.returncode == 0, failing.stderr
    # Until it has failed (20 scenario seconds in): its message holds the destination.
    ended = _run(home, "wait", failing.stdout.strip(), "--interval", "1s")
    assert ended.returncode == 1, ended.stderr
    return home


def _starts(line: str) -> list[int]:
    """Where each cell of ``line`` starts, in the cells of a terminal."""
    return [cell_len(line[: m.start()]) for m in _CELL.finditer(line)]


def _assert_lined_up(lines: list[str], named: int) -> None:
    """Each cell after the name, on every line, starts under its header; ``named``
    lines hold the name."""
    header, *rows = lines
    columns = _starts(header)
    # Rows without a name have a cell fewer: those after it line up all the same.
    after = len(columns) - header.split().index("NAME") - 1
    assert sum(NAME in row for row in rows) == named, lines
    for row in rows:
        assert _starts(row)[-after:] == columns[-after:], "\n".join(lines)


def test_a_table_to_a_pipe_pads_a_wide_name_by_its_cells(home: Path) -> None:
    listed = _run(home, "list", "-s", "logs", "--region", "eu-west-1",
                  "--fields", "ref,name,state,status")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    _assert_lined_up(listed.stdout.splitlines(), named=1)

    refs = [line.split()[0] for line in listed.stdout.splitlines()[1:3]]
    shown = _run(home, "status", *refs, "--fields", "ref,name,state")
    assert shown.returncode == 0, shown.stderr
    _assert_lined_up(shown.stdout.splitlines(), named=1)


@pytest.mark.parametrize("width", [80, 200])
def test_a_table_on_a_terminal_pads_a_wide_name_by_its_cells(home: Path, width: int) -> None:
    listed = on_terminal(width, home, "--sandbox", "list", "-s", "logs", "--region",
                         "eu-west-1", "--fields", "ref,name,state,status", **SPEED)  # fmt: skip
    assert listed.code == 0, listed.text
    _assert_lined_up(listed.lines, named=1)


def test_a_wide_message_is_cut_to_the_terminals_width(home: Path) -> None:
    listed = on_terminal(200, home, "--sandbox", "list", "-s", "backupsearch", **SPEED)
    assert listed.code == 0, listed.text
    # Only a reference on a line of its own may be wider than the terminal: a message
    # is cut within it, never folded by it.
    for line in listed.lines:
        assert cell_len(line) <= 200 or " " not in line.strip(), listed.text
    # Cut in the destination's Japanese, not before it.
    [row] = [line for line in listed.lines if "denied-日本語" in line]
    assert row.endswith("…"), listed.text
