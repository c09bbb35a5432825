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
