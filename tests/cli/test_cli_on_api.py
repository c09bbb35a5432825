"""The commands are built on the Python API: they reach AWS through their client
(``app.client``), never through the core's engines themselves, so that what a
command does and what a program does with the API cannot drift apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

import exportctl
from exportctl.cli.root import cli
from exportctl.services.refs import accepted_forms

CLI = Path(exportctl.__file__).parent / "cli"

# The core's ways to AWS, each behind a method of the API's client.
ENGINES = {
    "Board",
    "Fanout",
    "SearchBackups",
    "Starter",
    "Waiter",
    "Watcher",
    "cancel",
    "cancel_many",
    "connect",
    "fetch_job",
}


def _uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # Names imported for annotations alone: the engine the API hands out, typed.
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("exportctl.ops"):
            found += [
                f"{path.name}:{node.lineno}: imports {alias.name} from {node.module}"
                for alias in node.names
                if alias.name in ENGINES
                and not (path.name == "context.py" and alias.name in ("connect", "Board"))
            ]
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "jobs"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in ("app", "self")
        ):
            found.append(
                f"{path.name}:{node.lineno}: calls the core: {node.value.value.id}.jobs.{node.attr}"
            )
        elif isinstance(node, ast.Attribute) and node.attr == "clients":
            # botocore's clients and the settings they hold: what a command needs of
            # them (its regions, its estimates) the API's client answers.
            found.append(
                f"{path.name}:{node.lineno}: reads the core's clients: {ast.unparse(node)}"
            )
    return found


def test_no_command_reaches_the_core_but_through_the_api_client() -> None:
    found = [use for path in sorted(CLI.glob("*.py")) for use in _uses(path)]
    assert not found, "\n".join(found)


def test_the_check_sees_a_command_that_calls_the_core(tmp_path: Path) -> None:
    # What the check above says of status written against the core.
    text = (CLI / "status.py").read_text(encoding="utf-8")
    probe = tmp_path / "status.py"
    probe.write_text(
        text.replace("app.client.get_many(refs, service=service)", "app.jobs.get_many(keys)")
        + "\nfrom exportctl.ops.polling.waiter import Waiter\n"
        + "\nregion = app.jobs.clients.home_region\n"
        + "\nregion = app.client.board().clients.home_region\n",
        encoding="utf-8",
    )
    assert _uses(CLI / "status.py") == []
    said = "\n".join(_uses(probe))
    assert len(said.splitlines()) == 4, said
    assert "calls the core: app.jobs.get_many" in said
    assert "imports Waiter" in said
    assert "calls the core: app.jobs.clients" in said
    assert "reads the core's clients: app.client.board().clients" in said


@pytest.mark.parametrize("command", ["status", "cancel", "download", "rerun", "wait"])
def test_a_bad_reference_is_said_before_the_client_connects(command: str) -> None:
    # A mistyped --region fails when the client connects: the reference, checked
    # first, is what is said, as it was when the commands called the core.
    result = CliRunner().invoke(cli, ["--region", "us-est-1", command, "nope"])
    assert result.exit_code == 2
    assert result.stderr.startswith("exportctl: error: bad reference 'nope'"), result.stderr
    # The command line's --service, where the API says its keyword (service).
    assert result.stderr == (
        "exportctl: error: bad reference 'nope': a bare id needs --service; accepted forms: "
        f"{accepted_forms()}\n"
    )
    assert "; ID with --service; " in result.stderr
