"""Every usage error, click's own included, is one `exportctl: error:` line and exit 2.

The installed command runs a command nothing like any (click's own error) and a bad
reference (exportctl's), exit 2 as the OS sees it; the other usage errors, variants
of the same one style, run in-process.
"""

from __future__ import annotations

import pytest
from e2e_support import exportctl, in_process

pytestmark = pytest.mark.e2e


def one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("exportctl: error: "), stderr
    assert "Usage:" not in stderr and "Error:" not in stderr and "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("typed", "meant"), [("lst", "list"), ("wiat", "wait"), ("stauts", "status")]
)
def test_a_mistyped_command_suggests_the_nearest(typed: str, meant: str) -> None:
    done = in_process(None, typed)
    assert done.returncode == 2 and done.stdout == ""
    line = one_error_line(done.stderr)
    assert f"no such command {typed!r}" in line and f"did you mean {meant!r}?" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        # A prefix names every command or option it begins...
        (["st"], "no such command 'st'; did you mean 'start' or 'status'? "),
        (["list", "--s"], "'--service', '--status', '--since', '--search-job' or '--sandbox'? "),
        (["list", "--servic", "rds"], "no such option '--servic'; did you mean '--service'? "),
        # ...else the closest, never --help; a global option after the command too.
        (["start", "dynamodb", "--tabel", "x"], "'--tabel'; did you mean '--table'? "),
        (["list", "--sandbx"], "no such option '--sandbx'; did you mean '--sandbox'? "),
        # A global option the letters begin, before an own option merely close.
        (["list", "--sandb"], "no such option '--sandb'; did you mean '--sandbox'? "),
        (["status", "--vers"], "no such option '--vers'; did you mean '--version'? "),
        (["start", "aurra"], "no such command 'aurra'; did you mean 'aurora'? "),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_one_rule_suggests_commands_and_options_in_one_style(args: list[str], says: str) -> None:
    done = in_process(None, *args)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert says in line and "Did you mean" not in line and "--help'?" not in line


def test_a_command_nothing_like_any_is_not_guessed() -> None:
    done = exportctl(None, "frobnicate")
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "no such command 'frobnicate'" in line and "did you mean" not in line
    assert "exportctl --help" in line


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["list", "--bogus"], "no such option '--bogus' (see 'exportctl list --help')"),
        (["list", "--limt", "3"], "did you mean '--limit'?"),
        (["--bogus", "list"], "no such option '--bogus' (see 'exportctl --help')"),
        (["status"], "missing argument 'REF...' (see 'exportctl status --help')"),
        (["list", "--status", "bogus"], "invalid value for '--status': 'bogus' is not one of"),
        (["list", "--limit"], "option '--limit' requires an argument"),
        (["completion", "tcsh"], "'tcsh' is not one of 'bash', 'zsh', 'fish'"),
        (["list", "--since", "yesterday-ish"], "invalid value for '--since'"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_click_usage_errors_speak_in_the_one_style(args: list[str], says: str) -> None:
    done = in_process(None, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert says in one_error_line(done.stderr)


def test_our_own_usage_errors_share_the_style() -> None:
    done = exportctl(None, "status", "nonsense")
    assert done.returncode == 2
    assert "bad reference 'nonsense'" in one_error_line(done.stderr)
