"""The width tables are fitted to, as COLUMNS says it off a terminal."""

from __future__ import annotations

import os

import pytest

from exportctl.output.console import make_console, table_width


@pytest.mark.parametrize(
    ("columns", "width"),
    [("120", 120), (" 100 ", 100), ("", None), ("abc", None), ("-5", None), ("0", None)],
)
def test_columns_off_a_terminal_is_the_width_where_it_is_one(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int | None
) -> None:
    # Under pytest stdout is no terminal: unfitted unless COLUMNS gives a width.
    monkeypatch.setenv("COLUMNS", columns)
    assert table_width(make_console()) == width


def _on_a_terminal(
    env: dict[str, str], columns: int = 80, rows: int = 24, *, stderr: bool = False
) -> str:
    """What a fresh console says of its table width and height, stdout a terminal
    ``columns`` x ``rows`` (a pty), with ``env``; with ``stderr``, the console of
    stderr, stderr the terminal and stdout the pipe it is said on."""
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    code = (
        "from exportctl.output.console import make_console, table_width\n"
        f"import sys; c = make_console(stderr={stderr})\n"
        f"sys.{'stdout' if stderr else 'stderr'}.write(f'{{table_width(c)}} {{c.height}}')\n"
    )
    main, secondary = pty.openpty()
    try:
        fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        done = subprocess.run(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE if stderr else secondary,
            stderr=secondary if stderr else subprocess.PIPE,
            env=env,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        os.close(main)
        os.close(secondary)
    return done.stdout if stderr else done.stderr


def test_a_dumb_terminal_takes_its_width_from_columns_too() -> None:
    # Emacs' shell: a terminal, TERM=dumb and COLUMNS set.
    width, _ = _on_a_terminal({**os.environ, "TERM": "dumb", "COLUMNS": "200"}).split()
    assert width == "200"


@pytest.mark.parametrize(("columns", "rows"), [(150, 40), (60, 20)])
def test_a_dumb_terminal_without_columns_takes_the_terminal_s_size(columns: int, rows: int) -> None:
    # TERM=dumb and no COLUMNS: rich would say 80x25 whatever the terminal's size.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    assert _on_a_terminal({**env, "TERM": "dumb"}, columns, rows) == f"{columns} {rows}"


@pytest.mark.parametrize("stderr", [False, True])
@pytest.mark.parametrize(
    ("variables", "size"),
    [
        ({"COLUMNS": "0"}, "100 30"),
        ({"COLUMNS": "00", "LINES": "0"}, "100 30"),
        ({"COLUMNS": "abc", "LINES": "-3"}, "100 30"),
        ({"LINES": "0"}, "100 30"),
        ({"COLUMNS": "0", "TERM": "dumb"}, "100 30"),
        ({"COLUMNS": "120", "LINES": "40"}, "120 40"),
    ],
)
def test_a_terminal_with_columns_or_lines_no_size_takes_the_terminal_s_size(
    variables: dict[str, str], size: str, stderr: bool
) -> None:
    # COLUMNS=0 counts as unset, as the README says: rich, reading it itself, would
    # draw at width 0, which prints nothing at all (error lines included).
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERM")}
    assert _on_a_terminal({**env, **variables}, 100, 30, stderr=stderr) == size
