"""The README's tables say what the code does, and its sandbox examples run as written."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from exportctl import polling
from exportctl.adapters import all_specs
from exportctl.cli.main import cli
from exportctl.errors import ExitCode
from exportctl.sandbox import embedded
from exportctl.sandbox.clock import SandboxClock

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_state_table_matches_the_adapters() -> None:
    rows = set(re.findall(r"^\| (\w+) \| `([A-Z_ ]+)`[^|]* \| (\w+)", README, re.MULTILINE))
    expected = {
        (spec.name, word, state.value)
        for spec in all_specs()
        for word, state in {**spec.statuses, **spec.documented_statuses}.items()
    }
    assert rows == expected


def test_every_exit_code_is_documented() -> None:
    documented = {int(c) for c in re.findall(r"^\| (\d+) \| ", README, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


@dataclass(frozen=True)
class Example:
    command: str
    exit_code: int

    @property
    def args(self) -> list[str]:
        """The arguments after `exportctl`, up to a pipe or a redirection."""
        words = shlex.split(self.command, comments=True)
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)
        assert words and words[0] == "exportctl", self.command
        args: list[str] = []
        for word in words[1:]:
            if word in ("|", ">", ">>", "&&", ";"):
                break
            args.append(word)
        return args

    @property
    def env(self) -> dict[str, str]:
        words = shlex.split(self.command, comments=True)
        env = {}
        for word in words:
            if "=" not in word or word.startswith("-"):
                break
            name, _, value = word.partition("=")
            env[name] = value
        return env


def _commands(kind: str, body: str) -> list[str]:
    lines = [line.strip() for line in body.splitlines()]
    commands: list[str] = []
    for index, line in enumerate(lines):
        if kind == "console":
            if not line.startswith("$ "):
                continue
            command = line[2:]
        else:
            if not line or line.startswith("#"):
                continue
            command = line
        rest = iter(lines[index + 1 :])
        while command.endswith("\\"):
            command = command[:-1] + " " + next(rest).strip()
        commands.append(command)
    return commands


def readme_examples() -> list[Example]:
    """Every command of the README's console and sh blocks that runs on the sandbox.

    A console example followed by `$ echo $?` is expected to exit with the code
    shown under it; every other one with 0.
    """
    examples: list[Example] = []
    for kind, body in re.findall(r"```(console|sh)\n(.*?)```", README, re.DOTALL):
        lines = [line.strip() for line in body.splitlines()]
        for command in _commands(kind, body):
            words = shlex.split(command, comments=True)
            if "exportctl" not in words or not (
                "--sandbox" in words or "EXPORTCTL_SANDBOX=1" in words
            ):
                continue
            code = 0
            if kind == "console":
                start = lines.index(f"$ {command}") if f"$ {command}" in lines else -1
                following = [x for x in lines[start + 1 :] if x.startswith("$ ")]
                if start >= 0 and following and following[0] == "$ echo $?":
                    code = int(lines[lines.index("$ echo $?", start) + 1])
            examples.append(Example(command, code))
    return examples


EXAMPLES = readme_examples()


def readme_aws_files() -> dict[str, str]:
    """The files of the README's ini blocks, each after a `# ~/PATH` line, by their
    path in the home folder: its examples run with them, as for a reader who wrote them."""
    files: dict[str, list[str]] = {}
    for body in re.findall(r"```ini\n(.*?)```", README, re.DOTALL):
        lines: list[str] | None = None
        for line in body.splitlines():
            if line.startswith("# ~/"):
                lines = files.setdefault(line.removeprefix("# ~/").strip(), [])
            elif lines is not None:
                lines.append(line)
    return {path: "\n".join(lines).strip() + "\n" for path, lines in files.items()}


AWS_FILES = readme_aws_files()


def test_the_readme_shows_the_aws_files_of_its_profile_examples() -> None:
    assert set(AWS_FILES) == {".aws/credentials", ".aws/config"}
    assert "AKIASANDBOXEXAMPLE02" in AWS_FILES[".aws/credentials"]


def test_the_readme_has_sandbox_examples_and_the_two_first_commands() -> None:
    assert len(EXAMPLES) >= 15
    first_steps = {c for kind, body in re.findall(r"```(sh)\n(.*?)```", README, re.DOTALL)
                   for c in _commands(kind, body)}  # fmt: skip
    assert {"make demo", "make test"} <= {c.split("#")[0].strip() for c in first_steps}


class SleeplessTime:
    """The commands' clock and sleep, and the embedded sandbox's clock: sleeping
    moves them all at once and takes no time, so a `wait` example waits as written
    (its intervals, its timeout) without the seconds it would take."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds

    def scaled_clock(self, speed: float) -> SandboxClock:
        return SandboxClock(lambda: self.now * speed)


@pytest.fixture
def sleepless(monkeypatch: pytest.MonkeyPatch) -> SleeplessTime:
    fake = SleeplessTime()
    monkeypatch.setattr(polling.TIMING, "clock", fake.clock)
    monkeypatch.setattr(polling.TIMING, "sleep", fake.sleep)
    monkeypatch.setattr(embedded, "scaled_clock", fake.scaled_clock)
    return fake


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.command[:70] for e in EXAMPLES])
def test_every_sandbox_example_of_the_readme_runs(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sleepless: SleeplessTime
) -> None:
    monkeypatch.chdir(tmp_path)
    home = Path(os.environ["HOME"])
    for name, text in AWS_FILES.items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(text, encoding="utf-8")
    # The sandbox's jobs finish within its first minute; its clock runs faster here.
    env = {**example.env, "EXPORTCTL_SANDBOX_SPEED": "30"}
    if example.args[-1:] == ["watch"] or "watch" in example.args:
        code = _interrupted(example.args, env)
    else:
        result = CliRunner().invoke(cli, example.args, env=env, catch_exceptions=False)
        code = result.exit_code
        assert code == example.exit_code, result.output
    assert code == example.exit_code


def _interrupted(args: list[str], env: dict[str, str]) -> int:
    """Runs until it prints its first line, then Ctrl-C, as a watch is ended."""
    process = subprocess.Popen(
        [sys.executable, "-m", "exportctl", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline(), "no output before Ctrl-C"
        process.send_signal(signal.SIGINT)
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
