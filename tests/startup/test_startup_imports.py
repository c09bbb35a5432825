"""Help, version, completion scripts and every Tab press start light.

boto3 and botocore take most of a cold start; none of these paths needs them, and
rich is kept out of them too. Checked in a fresh interpreter each time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exportctl.cli.commands import COMMANDS
from exportctl.ops import refcache

HEAVY = {"boto3", "botocore", "s3transfer", "urllib3"}
OURS = ["completion", "list", "status"]


def imported(*args: str, **env: str) -> set[str]:
    return run(*args, **env)[0]


def run(*args: str, **env: str) -> tuple[set[str], str]:
    """Top-level names of the modules `exportctl ARGS` imports (via -X importtime), stdout."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exportctl", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "exportctl" in names
    return names, done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["-h"],
        *([name, "--help"] for name in COMMANDS),
        ["start", "personalize", "--help"],
    ],
    ids=str,
)
def test_help_and_version_never_import_boto3(args: list[str]) -> None:
    assert not imported(*args) & HEAVY


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["completion", "bash"],
        ["completion", "zsh"],
        ["completion", "fish"],
        *([name, "--help"] for name in OURS),
    ],
    ids=str,
)
def test_our_light_paths_leave_rich_out_too(args: list[str]) -> None:
    assert not imported(*args) & (HEAVY | {"rich", "jmespath"})


# What laying out help loads (shutil brings bz2, lzma, zlib and fnmatch with it).
HELP_LAYOUT = {"shutil", "textwrap"}


def test_version_and_a_tab_press_lay_out_no_help() -> None:
    assert not imported("--version") & HELP_LAYOUT
    assert "shutil" not in imported(**bash_request(""))


def test_the_command_list_imports_no_command() -> None:
    """`exportctl --help` names every command from its summary, loading none of them;
    the services it names come from their specs (the services' data, not the engine)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exportctl", "--help"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    ours = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
        and line.rsplit("|", 1)[1].strip().startswith("exportctl")
    }
    specs = {
        "exportctl.services",
        "exportctl.services.spec",
        "exportctl.services.outputs",
        "exportctl.services.searches",
        "exportctl.services.starts",
        "exportctl.services.specs",
        "exportctl.domain",
        "exportctl.domain.errors",
        "exportctl.domain.jobkey",
        "exportctl.domain.model",
        "exportctl.domain.naming",
        "exportctl.domain.printable",
        "exportctl.domain.timeutil",
        "exportctl.domain.version",
    }
    assert ours - specs == {
        "exportctl",
        "exportctl.cli",
        "exportctl.cli.commands",
        "exportctl.cli.examples",
        "exportctl.cli.globalopts",
        "exportctl.cli.helpformat",
        "exportctl.cli.invocation",
        "exportctl.cli.main",
        "exportctl.cli.root",
        "exportctl.cli.servicehelp",
        "exportctl.cli.stderr",
        "exportctl.cli.stdout",
        "exportctl.cli.suggestions",
        "exportctl.ops",
        "exportctl.ops.interrupts",
    }
    for name in COMMANDS:
        assert f"\n  {name} " in done.stdout


def test_each_summary_is_its_commands_own_first_line() -> None:
    import click

    from exportctl.cli.commands import SUMMARIES
    from exportctl.cli.root import cli

    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(cli, info_name="exportctl")
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        assert SUMMARIES[name] == command.get_short_help_str(limit=10_000), name
    # Then the list is click's own, at any width.
    for width in (40, 80, 200):
        ours, theirs = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
        cli.format_commands(ctx, ours)
        click.Group.format_commands(cli, ctx, theirs)
        assert ours.getvalue() == theirs.getvalue()


def bash_request(*words: str) -> dict[str, str]:
    return {
        "_EXPORTCTL_COMPLETE": "bash_complete",
        "COMP_WORDS": " ".join(["exportctl", *words]),
        "COMP_CWORD": str(len(words)),
    }


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (("",), "status"),
        (("status", ""), "discovery:us-east-1:export-1"),
        (("status", "disc"), "discovery:us-east-1:export-1"),
        (("list", "--service", ""), "personalize"),
        (("list", "--output", ""), "ndjson"),
        (("list", "--fields", "ref,"), "ref,state"),
        (("--profile", ""), "dev"),
        (("list", "--region", "eu-"), "eu-west-1"),
        (("wait", "x", "--until", ""), "terminal"),
        (("start", "dynamodb", "--format", ""), "ION"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_tab_presses_import_neither_boto3_nor_rich(
    words: tuple[str, ...], offered: str, tmp_path: Path
) -> None:
    refcache.remember([refcache.CachedRef("discovery:us-east-1:export-1")])
    (tmp_path / "config").write_text("[profile dev]\n")
    modules, out = run(**bash_request(*words), AWS_CONFIG_FILE=str(tmp_path / "config"))
    assert f"plain,{offered}" in out.splitlines()
    assert not modules & (HEAVY | {"rich"})


def test_every_command_completes_without_boto3() -> None:
    """Option names and arguments of every command, others' included, in one interpreter."""
    code = (
        "import sys\n"
        "from click.shell_completion import BashComplete\n"
        "from exportctl.cli.commands import COMMANDS\n"
        "from exportctl.cli.root import cli\n"
        "shell = BashComplete(cli, {}, 'exportctl', '_EXPORTCTL_COMPLETE')\n"
        "for name in COMMANDS:\n"
        "    shell.get_completions([name], '--')\n"
        "    shell.get_completions([name], '')\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    modules = {m.split(".")[0] for m in done.stdout.split()}
    assert "exportctl" in modules
    assert not modules & HEAVY


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--service", "discovery", "--json"],
        ["list", "--service", "personalize"],
        ["list", "-o", "ndjson"],
        ["status", "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"],
        ["status", "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf", "--json"],
    ],
    ids=" ".join,
)
def test_reading_jobs_needs_botocore_alone(args: list[str], tmp_path: Path) -> None:
    # boto3 adds resources and managed transfers, which reading jobs never uses.
    modules = imported("--sandbox", *args, XDG_CACHE_HOME=str(tmp_path))
    assert "botocore" in modules
    assert not modules & {"boto3", "s3transfer"}


def test_a_shell_pointed_at_a_background_sandbox_loads_none_of_its_server(
    tmp_path: Path,
) -> None:
    """Where `eval "$(exportctl sandbox --detach)"` set the environment, each command
    checks that the sandbox's process still runs: that check is the pid, not the
    server's code (tens of milliseconds a command)."""
    from exportctl.sandbox.background import PID_VARIABLE
    from exportctl.sandbox.server import Sandbox

    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "exportctl", "list", "--json"],
            capture_output=True,
            text=True,
            env={
                **os.environ,
                **sandbox.env(),
                PID_VARIABLE: str(os.getpid()),
                "XDG_CACHE_HOME": str(tmp_path),
            },
            check=False,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    assert "exportctl.sandbox.background" in modules  # the check ran
    assert not {m for m in modules if m.startswith("exportctl.sandbox.")} - {
        "exportctl.sandbox.background"
    }


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_tab_press_after_exportctl_imports_no_command(shell: str) -> None:
    """The commands are offered, with their short help (zsh and fish show it), from
    their summaries, as `exportctl --help` lists them: no command's module imported."""
    import click

    from exportctl.cli.commands import SUMMARIES

    env = {
        **os.environ,
        "_EXPORTCTL_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": "exportctl ",
        # fish sends the word being typed, the others its place.
        "COMP_CWORD": "" if shell == "fish" else "1",
    }
    # The modules loaded when it ends (importtime's lines stop short of those a
    # completion loads, once click has taken over stderr).
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write(' '.join(sys.modules)))\n"
        "from exportctl.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ours = {name for name in done.stderr.split() if name.startswith("exportctl")}
    # The completion command's module holds the shell classes every Tab press uses.
    commands = {target.partition(":")[0] for target in COMMANDS.values()}
    commands.discard("exportctl.cli.completion")
    assert not ours & commands, sorted(ours & commands)
    for name in COMMANDS:
        assert name in done.stdout
        if shell != "bash":
            short = click.Command(name, help=SUMMARIES[name]).get_short_help_str()
            assert short in done.stdout, (name, short, done.stdout)
