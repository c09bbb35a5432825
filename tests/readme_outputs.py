"""The outputs README.md shows under its examples, written from real runs.

``make readme`` (``python tests/readme_outputs.py``) runs the README's examples and
writes what each printed below it, and writes the tables of the services from their
specs (``readme_tables``), in README.md and docs/; ``--check`` writes nothing and
exits 1 with a diff when either shows anything else. tests/cli/test_readme.py checks each
example as it runs it, with what is here.

The convention in README.md: in a ``console`` block, a line ``$ exportctl ...`` (a
trailing backslash goes on to the next line) is followed by what the command
prints, stdout and stderr as a terminal shows them, up to the next ``$`` line or
the end of the block; a ``$ echo $?`` line after it is followed by its exit code.
Both are written here. A command that ends in ``| head -N`` shows the first N
lines of its stdout, then its stderr; no other pipe or redirection is run. A block
right after a ``<!-- illustrative -->`` line (``<!-- illustrative: why -->``) keeps
what is written in it: its outputs are not made here, and its commands do not run
(``sh`` blocks hold commands without their output; their ``--sandbox`` ones run).
A command without ``--sandbox`` in a console block must fail before it would
call AWS (a usage error): nothing here has credentials.

So that an output is the same on every run, each command runs in-process in a
home folder of its own (a fresh sandbox world, no AWS configuration but the
README's ``ini`` files) and

- at 100 columns (``COLUMNS=100``), off a terminal: no live view, no escape codes;
- in UTC, on a clock that starts at :data:`START` and that only sleeping moves,
  the sandbox's with it; a sleep takes no time, so a ``wait`` waits as written
  without the seconds it would take;
- with the jitter of polling and the random part of generated names seeded, and
  one thread a pool, so that results that come back together (a round of
  ``wait``, the files of ``download``) are printed in the order they were asked for;
- with the sandbox's port, a free one each time, written ``PORT``, and the home
  folder ``~``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import random
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import readme_tables
from click.testing import CliRunner

from exportctl.cli.root import cli
from exportctl.domain import timeutil
from exportctl.ops import workers
from exportctl.ops.polling.timing import TIMING
from exportctl.ops.start import request as start_request
from exportctl.sandbox import embedded
from exportctl.sandbox.clock import SandboxClock

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COLUMNS = 100
# When the sandbox starts, for every example.
START = datetime(2026, 11, 23, 15, 4, tzinfo=timezone.utc).timestamp()
SEED = 7

FENCE = re.compile(r"^( *)```(\w*)\s*$")
ILLUSTRATIVE = re.compile(r"^<!-- illustrative(:.*)? -->$")
HEAD = re.compile(r"^head -(?:n ?)?(\d+)$")
PORT = re.compile(r"127\.0\.0\.1:\d+")
CLOSED_PORT = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Example:
    """A command of the README that runs, and what the README shows of it.

    ``output`` is the index of the first line of its output in the README, ``shown``
    those lines (None: not written here); ``code`` the index of the line under its
    ``$ echo $?``, if there is one, whose exit code is ``exit_code`` (else 0).
    """

    command: str
    line: int
    exit_code: int = 0
    shown: tuple[str, ...] | None = None
    output: int = 0
    code: int | None = None
    # The block's own indentation (inside a list item).
    indent: str = ""

    @property
    def words(self) -> list[str]:
        return shlex.split(self.command, comments=True)

    @property
    def env(self) -> dict[str, str]:
        """The VAR=value words before the command."""
        env: dict[str, str] = {}
        for word in self.words:
            if "=" not in word or word.startswith("-"):
                break
            name, _, value = word.partition("=")
            env[name] = value
        return env

    @property
    def args(self) -> list[str]:
        """The arguments after `exportctl`, up to a pipe or a redirection."""
        words = self.words[len(self.env) :]
        assert words and words[0] == "exportctl", self.command
        args: list[str] = []
        for word in words[1:]:
            if word in ("|", ">", ">>", "&&", ";"):
                break
            args.append(word)
        return args

    @property
    def rest(self) -> str:
        """What comes after the arguments: ``| head -3``, say."""
        return " ".join(self.words[len(self.env) + 1 + len(self.args) :])

    @property
    def sandbox(self) -> bool:
        return "--sandbox" in self.words or self.env.get("EXPORTCTL_SANDBOX") == "1"

    @property
    def generated(self) -> bool:
        return self.shown is not None


@dataclass(frozen=True)
class Block:
    kind: str
    # Indexes of its first line inside the fences and of its closing fence.
    start: int
    end: int
    illustrative: bool
    indent: str


def blocks(lines: Sequence[str]) -> Iterator[Block]:
    """The fenced blocks, each with whether an illustrative mark comes right before it."""
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = opening.group(1)
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        marked = index > 0 and ILLUSTRATIVE.match(lines[index - 1].strip()) is not None
        yield Block(opening.group(2), index + 1, end, marked, indent)
        index = end + 1


def _command(lines: Sequence[str], index: int, prefix: str) -> tuple[str, int]:
    """The command starting at ``lines[index]`` with its continued lines; the index of
    the line after it."""
    command = lines[index].strip().removeprefix(prefix)
    index += 1
    while command.endswith("\\") and index < len(lines):
        command = command[:-1] + " " + lines[index].strip()
        index += 1
    return command, index


def _runs(command: str) -> bool:
    words = shlex.split(command, comments=True)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)
    return bool(words) and words[0] == "exportctl"


def examples(text: str) -> list[Example]:
    """The README's commands that run: the ``exportctl --sandbox`` ones of its sh and
    console blocks, and every ``exportctl`` one of a console block whose output is
    written here (see the module's docstring)."""
    lines = text.splitlines()
    found: list[Example] = []
    for block in blocks(lines):
        # The block as if it were not indented; the indexes stay those of the README.
        plain = list(lines)
        plain[block.start : block.end] = [
            line.removeprefix(block.indent) for line in lines[block.start : block.end]
        ]
        if block.kind == "sh" or (block.kind == "console" and block.illustrative):
            found += _unwritten(plain, block)
        elif block.kind == "console":
            found += _written(plain, block)
    return found


def _unwritten(lines: Sequence[str], block: Block) -> Iterator[Example]:
    prefix = "$ " if block.kind == "console" else ""
    index = block.start
    while index < block.end:
        line = lines[index].strip()
        if block.kind == "console" and not line.startswith("$ "):
            index += 1
            continue
        if not line or line.startswith("#"):
            index += 1
            continue
        command, after = _command(lines[: block.end], index, prefix)
        if _runs(command) and Example(command, index + 1).sandbox:
            code = _exit_code(lines, block, after)
            yield Example(command, index + 1, exit_code=code[0] if code else 0)
        index = after


def _exit_code(lines: Sequence[str], block: Block, index: int) -> tuple[int, int] | None:
    """The exit code under the ``$ echo $?`` that follows the command, and its index."""
    while index < block.end and not lines[index].startswith("$ "):
        index += 1
    if index + 1 < block.end and lines[index].strip() == "$ echo $?":
        return int(lines[index + 1]), index + 1
    return None


def _written(lines: Sequence[str], block: Block) -> Iterator[Example]:
    index = block.start
    while index < block.end:
        if not lines[index].startswith("$ "):
            index += 1
            continue
        command, after = _command(lines[: block.end], index, "$ ")
        if not _runs(command):
            index = after
            continue
        end = after
        while end < block.end and not lines[end].startswith("$ "):
            end += 1
        shown = _trimmed(lines[after:end])
        code = _exit_code(lines, block, after)
        yield Example(
            command,
            index + 1,
            exit_code=code[0] if code else 0,
            shown=tuple(shown),
            output=after,
            code=code[1] if code else None,
            indent=block.indent,
        )
        index = end


def _trimmed(lines: Sequence[str]) -> list[str]:
    shown = [line.rstrip() for line in lines]
    while shown and not shown[-1]:
        shown.pop()
    return shown


# -- running them ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    output: str
    stdout: str
    stderr: str
    exit_code: int
    # The home folder it ran in, written ~.
    home: str


class SleeplessTime:
    """The commands' clock and sleep, the wall clock and the embedded sandbox's clock:
    sleeping moves them all at once and takes no time."""

    def __init__(self) -> None:
        self.origin = self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds

    def wall(self) -> float:
        return START + self.now - self.origin

    def scaled_clock(self, speed: float) -> SandboxClock:
        return SandboxClock(lambda: self.now * speed, wall=self.wall())


class SeededSecrets:
    """The random part of generated names and tokens, the same every run."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)

    def token_hex(self, nbytes: int) -> str:
        return self.rng.randbytes(nbytes).hex()


def _one_thread(original: Callable[..., None]) -> Callable[..., None]:
    def init(self: workers.Workers[object], size: int, name: str = "exportctl-worker") -> None:
        original(self, 1, name)

    return init


@contextlib.contextmanager
def fixed_time() -> Iterator[SleeplessTime]:
    """Everything an output could take from when or how it was made, fixed (see the
    module's docstring), until the end of the ``with``."""
    fake = SleeplessTime()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(TIMING, "clock", fake.clock)
            patch.setattr(TIMING, "sleep", fake.sleep)
            patch.setattr(TIMING, "rng", lambda: random.Random(SEED))
            patch.setattr(timeutil, "wall_clock", fake.wall)
            patch.setattr(embedded, "scaled_clock", fake.scaled_clock)
            patch.setattr(start_request, "secrets", SeededSecrets())
            patch.setattr(workers.Workers, "__init__", _one_thread(workers.Workers.__init__))
            patch.setenv("TZ", "UTC")
            time.tzset()
            yield fake
    finally:
        # TZ as it was.
        time.tzset()


def run(example: Example) -> Outcome:
    """``example`` in-process, in the environment and home folder of the caller, inside
    :func:`fixed_time`."""
    env = {"COLUMNS": str(COLUMNS), **example.env}
    if not example.sandbox:
        # Meant to fail before any call; should one be made all the same, it goes
        # nowhere (a closed port), whatever credentials the README's files hold.
        env.update(AWS_ENDPOINT_URL=CLOSED_PORT, AWS_MAX_ATTEMPTS="1")
    result = CliRunner().invoke(
        cli, example.args, prog_name="exportctl", env=env, catch_exceptions=False
    )
    home = os.environ["HOME"]
    return Outcome(result.output, result.stdout, result.stderr, result.exit_code, home)


def shown(example: Example, outcome: Outcome) -> list[str]:
    """The lines the README shows under ``example``, which printed ``outcome``."""
    if not example.rest:
        text = outcome.output
    elif match := HEAD.match(example.rest.removeprefix("|").strip()):
        kept = outcome.stdout.splitlines()[: int(match.group(1))]
        text = "\n".join([*kept, *outcome.stderr.splitlines()])
    else:
        raise ValueError(
            f"README.md:{example.line}: {example.rest!r}: only `| head -N` is run; "
            "mark the block <!-- illustrative --> or show the command in an sh block"
        )
    text = PORT.sub("127.0.0.1:PORT", text).replace(outcome.home.rstrip("/"), "~")
    return _trimmed(text.splitlines())


def difference(example: Example, outcome: Outcome) -> str:
    """A diff of what the README shows under ``example`` and what ``outcome`` makes
    it; empty when they agree."""
    assert example.shown is not None
    expected = [*shown(example, outcome)]
    written = [*example.shown]
    if example.code is not None:
        expected.append(f"$? {outcome.exit_code}")
        written.append(f"$? {example.exit_code}")
    return "\n".join(
        difflib.unified_diff(
            written,
            expected,
            f"README.md:{example.line}",
            f"$ {example.command}",
            lineterm="",
        )
    )


def rewrite(text: str, outcomes: Sequence[tuple[Example, Outcome]]) -> str:
    """``text`` with the outputs of ``outcomes`` written in."""
    lines = text.splitlines()
    # From the last: each rewrite keeps the indexes of those above it.
    for example, outcome in sorted(outcomes, key=lambda pair: -pair[0].output):
        assert example.shown is not None
        indent = example.indent
        if example.code is not None:
            lines[example.code] = f"{indent}{outcome.exit_code}"
        count = len(example.shown)
        # Blank lines after the output stay where they are.
        lines[example.output : example.output + count] = [
            f"{indent}{line}" if line else "" for line in shown(example, outcome)
        ]
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def aws_files(text: str) -> dict[str, str]:
    """The files of the README's ini blocks, each after a `# ~/PATH` line, by their
    path in the home folder: its examples run with them, as for a reader who wrote them."""
    files: dict[str, list[str]] = {}
    for body in re.findall(r"```ini\n(.*?)```", text, re.DOTALL):
        lines: list[str] | None = None
        for line in body.splitlines():
            if line.startswith("# ~/"):
                lines = files.setdefault(line.removeprefix("# ~/").strip(), [])
            elif lines is not None:
                lines.append(line)
    return {path: "\n".join(lines).strip() + "\n" for path, lines in files.items()}


def write_aws_files(home: Path, text: str) -> None:
    for name, content in aws_files(text).items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(content, encoding="utf-8")


# -- make readme ----------------------------------------------------------------------


@contextlib.contextmanager
def _fresh_home(text: str) -> Iterator[None]:
    """A home folder and a working folder of their own, in the environment every test
    starts from (tests/conftest.py), the README's AWS files in it."""
    from conftest import known_environment

    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        home, work = Path(folder, "home"), Path(folder, "work")
        home.mkdir()
        work.mkdir()
        wanted = known_environment(home)
        for name in list(os.environ):
            if name not in wanted:
                patch.delenv(name)
        for name, value in wanted.items():
            patch.setenv(name, value)
        patch.chdir(work)
        write_aws_files(home, text)
        yield


def generate(text: str) -> str:
    """``text`` with every written output and every table of the services
    (``readme_tables``) made again."""
    text = readme_tables.render(text)
    outcomes: list[tuple[Example, Outcome]] = []
    for example in examples(text):
        if not example.generated:
            continue
        with _fresh_home(text), fixed_time():
            outcome = run(example)
        if example.code is None and outcome.exit_code != 0:
            # An unexpected failure is told here rather than written in.
            raise SystemExit(
                f"README.md:{example.line}: exit {outcome.exit_code} (add `$ echo $?` "
                "below it if that is meant):\n" + "\n".join(shown(example, outcome))
            )
        outcomes.append((example, outcome))
    return rewrite(text, outcomes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a diff if README.md or docs/ differ",
    )
    args = parser.parse_args(argv)
    # docs/ hold generated parts too (readme_tables.DOCS), without examples to run.
    made = {README: generate(README.read_text(encoding="utf-8"))}
    for name in readme_tables.DOCS:
        made[ROOT / name] = readme_tables.render((ROOT / name).read_text(encoding="utf-8"))
    stale = {path: text for path, text in made.items() if path.read_text(encoding="utf-8") != text}
    if not stale:
        print("README.md and docs/: every output and every part the specs make is as shown")
        return 0
    if args.check:
        for path, text in stale.items():
            name = str(path.relative_to(ROOT))
            sys.stdout.writelines(
                difflib.unified_diff(
                    path.read_text(encoding="utf-8").splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    name,
                    f"{name}, made again",
                )
            )
        print(
            "README.md or docs/ differ from what the commands print and the specs say: "
            "run `make readme`"
        )
        return 1
    for path, text in stale.items():
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
