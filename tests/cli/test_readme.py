"""The README's tables say what the code does, and its examples run as written and
print what it shows under them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import readme_outputs

from exportctl.domain.errors import ExitCode
from exportctl.services import all_specs

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_state_table_matches_the_adapters() -> None:
    rows = set(re.findall(r"^\| (\w+) \| `([A-Za-z_ ]+)`[^|]* \| (\w+)", README, re.MULTILINE))
    expected = {
        (spec.name, word, state.value)
        for spec in all_specs()
        for word, state in {**spec.statuses, **spec.documented_statuses}.items()
    }
    assert rows == expected


def test_every_exit_code_is_documented() -> None:
    documented = {int(c) for c in re.findall(r"^\| (\d+) \| ", README, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


EXAMPLES = readme_outputs.examples(README)
AWS_FILES = readme_outputs.aws_files(README)


def test_the_readme_shows_the_aws_files_of_its_profile_examples() -> None:
    assert set(AWS_FILES) == {".aws/credentials", ".aws/config"}
    assert "AKIASANDBOXEXAMPLE02" in AWS_FILES[".aws/credentials"]


def test_the_readme_has_sandbox_examples_and_the_two_first_commands() -> None:
    assert len([e for e in EXAMPLES if e.sandbox]) >= 15
    assert len([e for e in EXAMPLES if e.generated]) >= 15
    first_steps = {
        line.split("#")[0].strip()
        for body in re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
        for line in body.splitlines()
    }
    assert {"make demo", "make test"} <= first_steps


def test_writing_the_outputs_the_readme_shows_changes_nothing() -> None:
    """The rewrite `make readme` makes, given the outputs the README shows, is the
    README itself: each output is read from where it is written."""
    shown = [(example, _outcome(example)) for example in EXAMPLES if example.generated]
    assert readme_outputs.rewrite(README, shown) == README


def _outcome(example: readme_outputs.Example) -> readme_outputs.Outcome:
    assert example.shown is not None
    text = "\n".join(example.shown)
    return readme_outputs.Outcome(text, text, "", example.exit_code, "/nowhere")


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"README.md:{e.line} {e.command[:60]}" for e in EXAMPLES]
)
def test_every_example_of_the_readme_runs_and_prints_what_it_shows(
    example: readme_outputs.Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example once: its exit code, and what it prints where the README shows it
    (`make readme` writes it). A watch runs until its first line, then Ctrl-C."""
    monkeypatch.chdir(tmp_path)
    readme_outputs.write_aws_files(Path(os.environ["HOME"]), README)
    if "watch" in example.args:
        assert not example.generated, "a watch runs on the real clock: mark it illustrative"
        assert _interrupted(example.args, example.env) == example.exit_code
        return
    with readme_outputs.fixed_time():
        outcome = readme_outputs.run(example)
    if example.generated and (difference := readme_outputs.difference(example, outcome)):
        pytest.fail(f"{difference}\n`make readme` writes what it printed", pytrace=False)
    assert outcome.exit_code == example.exit_code, outcome.output


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
