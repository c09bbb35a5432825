"""The scripts in completions/ are what the current command tree generates."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from exportctl.cli.completion import SHELLS, script
from exportctl.cli.root import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_script_is_current(shell: str) -> None:
    committed = ROOT / "completions" / f"exportctl.{shell}"
    assert committed.read_text(encoding="utf-8") == script(cli, shell), (
        f"completions/exportctl.{shell} is stale: run `make completions`"
    )


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_command_prints_the_script(shell: str) -> None:
    result = CliRunner().invoke(cli, ["completion", shell])
    assert result.exit_code == 0
    assert result.stdout == script(cli, shell)
    assert "_EXPORTCTL_COMPLETE" in result.stdout


def test_unknown_shell_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["completion", "tcsh"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_makefile_regenerates_every_script() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "completions:" in makefile
    for shell in SHELLS:
        assert f"completion {shell} > completions/exportctl.{shell}" in makefile


def test_bash_takes_each_value_as_it_is_never_as_a_pattern(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    if shutil.which("bash") is None:
        pytest.skip("no bash")
    # Files the answer line `plain,details.*` would match, were it read as a pattern.
    for name in ("plain,details.csv", "plain,details.json"):
        (tmp_path / name).touch()
    line = "exportctl list --fields details."
    program = f"""
shopt -s failglob
{script(cli, "bash")}
PATH="{Path(sys.executable).parent}:$PATH"
COMP_LINE='{line}' COMP_POINT={len(line)}
_exportctl_completion exportctl
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    done = subprocess.run(
        ["bash", "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    # Escaped, as it is put on the command line.
    assert done.stdout.split() == ["details.\\*"], done
    assert done.stderr == ""
