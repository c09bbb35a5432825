"""The README's tables say what the code does, and its examples run as written and
print what it shows under them."""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import readme_outputs
import readme_tables

from exportctl.cli.servicehelp import how_many
from exportctl.domain.errors import ExitCode
from exportctl.services import all_specs

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_state_table_matches_the_adapters() -> None:
    rows = set(re.findall(r"^\| (\w+) \| `([A-Za-z_ ]+)`[^|]* \| (\w+)", README, re.MULTILINE))
    expected = {
        (spec.name, word, state.value)
        for spec in all_specs()
        for word, state in {**spec.statuses, **spec.documented_statuses}.items()
    }
    assert rows == expected


def test_the_state_table_says_which_words_are_doomed() -> None:
    # The prose points to the table for each service's word of a cancel under way.
    rows = re.findall(r"^\| (\w+) \| `([A-Za-z_ ]+)`[^|]* \| \w+, doomed for (\w+)", README, re.M)
    expected = {
        (spec.name, word, state.value)
        for spec in all_specs()
        for word, states in spec.doomed.items()
        for state in states
    }
    assert set(rows) == expected


def test_every_generated_part_is_marked_somewhere() -> None:
    marked = {
        name
        for document in ("README.md", *readme_tables.DOCS)
        for name, _ in readme_tables.MARKED.findall((ROOT / document).read_text(encoding="utf-8"))
    }
    assert marked == set(readme_tables.TABLES), "a table lost its marks"


@pytest.mark.parametrize("document", ["README.md", *readme_tables.DOCS])
def test_the_tables_of_the_services_are_what_their_specs_say(document: str) -> None:
    """The tables README.md and docs/ show of the services (the services, list's
    scopes, start, download, IAM...), and their sentences that name services one by
    one, are made from the specs by `make readme` (tests/readme_tables.py)."""
    text = (ROOT / document).read_text(encoding="utf-8")
    made = readme_tables.render(text)
    if made != text:
        diff = difflib.unified_diff(
            text.splitlines(), made.splitlines(), document, "from the specs", lineterm=""
        )
        pytest.fail(
            "\n".join(diff) + f"\n{document} is not what the specs say: run `make readme`",
            pytrace=False,
        )


@pytest.mark.parametrize("document", ["README.md", *readme_tables.DOCS])
def test_no_generated_part_repeats_the_words_written_before_it(document: str) -> None:
    # A sentence's hand-written start and its generated part can say the same words
    # ("Discovery answers only in <mark>Discovery answers</mark> only in ...").
    text = (ROOT / document).read_text(encoding="utf-8")
    repeated = []
    for mark in readme_tables.MARKED.finditer(text):
        made = re.sub(r"<[^>]*>|[`*]", "", mark.group(2)).split()[:2]
        before = re.sub(r"<[^>]*>|[`*]", "", text[max(0, mark.start() - 200) : mark.start()])
        words = before.split()[-8:]
        if len(made) == 2 and any(words[i : i + 2] == made for i in range(len(words) - 1)):
            repeated.append(f"{mark.group(1)}: {' '.join(made)!r}")
    assert not repeated, f"{document}: said twice before and in " + "; ".join(repeated)


# How many services there are, where the prose says it: "of eight AWS services", "the
# eight services", "eight export APIs" (not "the four services Backup Search, ...").
COUNTED = re.compile(
    r"\bof (\w+) AWS services\b|\bthe (\w+) services\b(?! [A-Z])|\b(\w+) export (?:APIs|services)\b"
)
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@pytest.mark.parametrize(
    "document", ["README.md", "docs/API.md", "docs/SANDBOX.md", "docs/ARCHITECTURE.md"]
)
def test_the_prose_says_how_many_services_there_are(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    wanted = how_many()
    wrong = [
        f"{document}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)!r}"
        for match in COUNTED.finditer(text)
        if (word := next(filter(None, match.groups()))) in NUMBERS and word != wanted
    ]
    assert not wrong, f"there are {wanted} services (the specs): " + "; ".join(wrong)


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


def _reference_examples() -> tuple[list[str], list[str]]:
    """The references of the example column of README.md's table of references, and
    its commands (a bare id with --service)."""
    section = README.partition("\n## References\n")[2].partition("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    cells = [row.split(" | ")[-1] for row in rows]
    quoted = [word for cell in cells for word in re.findall(r"`([^`]+)`", cell)]
    commands = [word for word in quoted if word.startswith("exportctl ")]
    refs = [word for word in quoted if ":" in word and not word.startswith("exportctl ")]
    return refs, commands


def test_every_example_of_the_references_table_finds_its_job_in_the_sandbox() -> None:
    # The table showed ids cut with '…' and ids of jobs the sandbox no longer seeded.
    refs, commands = _reference_examples()
    assert len(refs) >= len(all_specs()) and commands
    with readme_outputs.fixed_time():
        found = readme_outputs.run(
            readme_outputs.Example(f"exportctl --sandbox status --json {' '.join(refs)}", 0)
        )
        assert found.exit_code == 0, found.output
        assert [job["ref"] for job in json.loads(found.stdout)] != []
        for command in commands:
            outcome = readme_outputs.run(
                readme_outputs.Example(command.replace("exportctl ", "exportctl --sandbox ", 1), 0)
            )
            assert outcome.exit_code == 0, f"{command}: {outcome.output}"


def test_what_the_readme_says_of_the_sandbox_is_what_its_records_say(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its timings, cancels and scale options were written by hand beside the records:
    # the Discovery tasks --discovery-tasks serves were not said to be finished.
    from exportctl.sandbox import catalog
    from exportctl.sandbox.scale import SCALE_OPTIONS

    flat = " ".join(README.split())
    for world in catalog.WORLDS:
        for said in (world.course, world.cancelling, world.fails):
            assert said in flat, world.name
    for name, said in SCALE_OPTIONS:
        assert f"| `--{name} N` | {said[:1].lower()}{said[1:-1]} |" in README
    # A record's new words are the README's at the next `make readme`.
    rds = dataclasses.replace(catalog.BY_NAME["rds"], course="ARCHIVED after 7 s")
    monkeypatch.setitem(catalog.BY_NAME, "rds", rds)
    assert "DynamoDB COMPLETED after 90 s; RDS ARCHIVED after 7 s;" in readme_tables.render(README)
