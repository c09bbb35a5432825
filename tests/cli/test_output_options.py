"""Each command's --fields names its own fields; backups serves one service; no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from exportctl.cli import backups as backups_cli
from exportctl.cli.root import cli
from exportctl.ops import backups


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_fields_help_names_each_commands_own_fields() -> None:
    assert "backup_resource_arn" in _help("backups") and "progress" not in _help("backups")
    assert "skipped_bytes" in _help("download") and "progress" not in _help("download")
    for command in ("list", "status", "wait"):
        text = _help(command)
        assert "progress.completed_pieces" in text and "details.NAME" in text
        assert "backup_resource_arn" not in text


def test_backup_fields_of_the_command_are_those_of_the_record() -> None:
    assert backups_cli.BACKUP_RECORD_FIELDS == backups.RECORD_FIELDS


def test_backups_offers_only_backup_search() -> None:
    text = _help("backups")
    assert "pinpoint" not in text and "personalize" not in text
    result = CliRunner().invoke(cli, ["backups", "-s", "pinpoint", "x"])
    assert result.exit_code == 2 and "backupsearch" in result.output


def test_completion_helpers_import_no_command_module() -> None:
    """exportctl.cli.complete sits below the commands and their output options."""
    source = Path(__file__).parents[2] / "exportctl" / "cli" / "complete.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {m for m in imported if m.startswith("exportctl.cli")}
