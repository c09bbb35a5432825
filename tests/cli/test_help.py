"""Every command's help fits the terminal, says global options may follow the command
(and they may), and ends with examples that run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from exportctl.cli.commands import COMMANDS
from exportctl.cli.examples import globals_note
from exportctl.cli.helpformat import MIN_COLUMNS, HelpContext
from exportctl.cli.root import cli
from exportctl.services import all_specs

# Their help shows shell lines (eval "$(...)") rather than an Examples section.
WITHOUT_EXAMPLES = {"sandbox", "completion"}
PATHS: list[tuple[str, ...]] = [
    (),
    *((name,) for name in COMMANDS),
    *(("start", spec.name) for spec in all_specs() if spec.create),
]
WITH_EXAMPLES = [path for path in PATHS if not set(path) & WITHOUT_EXAMPLES]
SUBSTITUTION = re.compile(r"\$\(([^)]*)\)")
GLOBALS = ["--profile", "--region", "--org-role", "--accounts", "--endpoint-url", "--sandbox",
           "--debug", "--no-color"]  # fmt: skip


def _command(path: tuple[str, ...]) -> click.Command:
    ctx, command = click.Context(cli), cli
    for word in path:
        assert isinstance(command, click.Group)
        found = command.get_command(ctx, word)
        assert found is not None, path
        ctx, command = click.Context(found, parent=ctx), found
    return command


def _help(path: tuple[str, ...], columns: int = 80) -> str:
    """The help as a terminal of ``columns`` shows it. CliRunner forces click's width
    to 80 whatever COLUMNS says; the help's own width for a terminal is this one
    (test_help_is_laid_out_at_the_terminals_width)."""
    result = CliRunner().invoke(
        cli,
        [*path, "--help"],
        env={"COLUMNS": str(columns)},
        terminal_width=max(min(columns, 80), MIN_COLUMNS) - 2,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def _examples(path: tuple[str, ...]) -> list[str]:
    """The help's examples, each on one line (a trailing backslash goes on)."""
    _, found, section = _help(path).partition("  Examples:\n")
    assert found, f"no examples in {' '.join(path) or 'exportctl'} --help"
    examples = [""]
    for line in section.split("\n\n")[0].splitlines():
        examples[-1] += line.strip().removesuffix("\\")
        if not line.endswith("\\"):
            examples.append("")
    return examples[:-1]


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_no_help_line_is_wider_than_the_terminal(path: tuple[str, ...], columns: int) -> None:
    wide = [line for line in _help(path, columns).splitlines() if len(line) > columns]
    assert not wide


# A line ending inside a hyphenated word (`backup-` then `search`, `DATASET-YYYYMMDD-`
# then `HHMMSS-XXXX`): the value or name reads as two, and copied, is two.
BROKEN_AT_HYPHEN = re.compile(r"[A-Za-z]-\n\s*[A-Za-z]")


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_no_help_line_breaks_inside_a_hyphenated_word(path: tuple[str, ...], columns: int) -> None:
    broken = [m.group(0) for m in BROKEN_AT_HYPHEN.finditer(_help(path, columns))]
    assert not broken


@pytest.mark.parametrize(
    ("columns", "width"),
    [("100", 78), ("80", 78), ("52", 50), ("40", 38), (str(MIN_COLUMNS), MIN_COLUMNS - 2),
     ("20", MIN_COLUMNS - 2), ("0", 78), ("abc", 78)],
)  # fmt: skip
def test_help_is_laid_out_at_the_terminals_width(
    columns: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # click's own help is never narrower than 50 columns: on a 40-column terminal,
    # the terminal wrapped each long line again. A COLUMNS that is no width counts
    # as unset (off a terminal: 80 columns).
    monkeypatch.setenv("COLUMNS", columns)
    assert HelpContext(cli).make_formatter().width == width


# Narrower than click's own least width (50 columns).
NARROW = [52, 40, MIN_COLUMNS]


@pytest.mark.parametrize("columns", NARROW)
@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_no_narrow_help_line_breaks_inside_a_word(path: tuple[str, ...], columns: int) -> None:
    # A word longer than the line (an ARN's template) stands alone on its line rather
    # than end one line and begin the next (`...:REGION:ACCOUNT` then `:search-job/ID`).
    whole = set(_help(path).split())
    narrow = _help(path, columns).split()
    # A command's summary in a list of commands is cut to fit, after a word: `...`.
    assert [word for word in narrow if word not in whole and not word.endswith("...")] == []


@pytest.mark.parametrize("columns", NARROW)
@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_narrow_help_lines_fit_but_for_words_longer_than_a_line(
    path: tuple[str, ...], columns: int
) -> None:
    # Shell lines (the examples, `eval "$(...)"`) are shown as written, the same at
    # every width; an option's names and placeholder are written on one line.
    as_written = set(_help(path).splitlines())
    wide = [
        line
        for line in _help(path, columns).splitlines()
        if len(line) > columns
        and len(line.split()) > 1
        and line not in as_written
        and not line.lstrip().startswith("-")
    ]
    assert wide == []


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_help_says_global_options_may_follow_the_command(path: tuple[str, ...]) -> None:
    paragraphs = [" ".join(p.split()) for p in _help(path).rstrip().split("\n\n")]
    # Every global option, but those the command has one of its own of that name for
    # (`sandbox --accounts N` is the sandbox's).
    own = {o for p in _command(path).params if not getattr(p, "hidden", False) for o in p.opts}
    own = own if path else set()
    note = globals_note([o for o in GLOBALS if o not in own])
    # Last, or just before the examples.
    assert note in paragraphs[-1:] or (note in paragraphs[-2:-1] and path in WITH_EXAMPLES)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "exportctl")
def test_global_options_follow_the_command_as_its_help_says(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--sandbox", "--debug", "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", WITH_EXAMPLES, ids=lambda p: " ".join(p) or "exportctl")
def test_help_ends_with_examples(path: tuple[str, ...]) -> None:
    shown = _help(path)
    assert shown.rstrip().split("\n\n")[-1].lstrip().startswith("Examples:")
    assert 2 <= len(_examples(path)) <= 3


def _run(words: list[str]) -> str:
    result = CliRunner().invoke(cli, words, catch_exceptions=False)
    assert result.exit_code == 0, (words, result.output)
    return result.output


def _argv(example: str) -> list[str]:
    """The words the shell would pass, each $(...) run first as the shell would."""
    text = SUBSTITUTION.sub(
        lambda match: " ".join(_run(shlex.split(match.group(1))[1:]).split()), example
    )
    return shlex.split(text.removeprefix("exportctl "))


def _parses(args: list[str]) -> None:
    """Parse as click would before running, down to the last subcommand."""
    command: click.Command = cli
    name, parent = "exportctl", None
    while True:
        try:
            ctx = command.make_context(name, args, parent=parent)
        except click.exceptions.Exit as exc:
            assert exc.exit_code == 0
            return
        if not isinstance(command, click.Group):
            return
        found, sub, args = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        assert sub is not None and found is not None
        command, name, parent = sub, found, ctx


def test_every_example_runs_against_the_sandbox_or_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    examples = {example for path in WITH_EXAMPLES for example in _examples(path)}
    for example in sorted(examples):
        runs = "--sandbox" in example.split() and " watch" not in example
        if runs:
            _run(_argv(example))
        else:
            # Not against the sandbox, or never ending (watch): parsed only.
            _parses(shlex.split(SUBSTITUTION.sub("REF", example))[1:])


def test_the_exit_codes_in_the_help_name_each_command_the_readme_gives_them() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| 1 |"))
    commands = re.findall(r"`(\w+)`", row)
    said = " ".join(_help(()).split())
    one = said.split("Exit codes: 0 ok, ")[1].split(", 2 usage")[0]
    assert commands and all(f"({command})" in one for command in commands), one


def test_rerun_help_names_the_jobs_that_get_a_fresh_token_as_the_readme_does() -> None:
    import readme_prose

    # By kind of job: EC2's exports of an instance are found by a listing, not a token.
    said = " ".join(_help(("rerun",), columns=10_000).split())
    assert f"The new job gets a fresh {readme_prose.rerun_fresh()}." in said


def test_wait_help_names_each_state_a_status_rules_out_once() -> None:
    from exportctl.cli.servicehelp import in_prose_order

    said = " ".join(_help(("wait",), columns=10_000).split())
    doomed = [(spec, status) for spec in in_prose_order() for status in spec.doomed]
    assert doomed
    # "..., or for COMPLETED: A FAILING, B CANCELING and CANCELLING": the state once,
    # each service once, each status once.
    assert said.count("for COMPLETED") == 1, said
    for _, status in doomed:
        assert said.count(f" {status}") == 1, status
    _, _, ruled = said.partition("(ended otherwise, or for COMPLETED: ")
    for spec in {spec for spec, _ in doomed}:
        assert ruled.split(")")[0].count(spec.short_title) == 1, spec.short_title


README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
# A command's section, or the global options'; the sections between them are of neither.
SECTION = re.compile(r"^##+ (?:`exportctl (\w+)`|(Global options)|.*)$", re.MULTILINE)
# `--limit N`, `--service/-s NAME`, `--since DURATION\|DATE` in a table's first cell:
# a placeholder is upper case or a range (`0..1`), where `--service/-s backupsearch`
# shows a value.
PLACEHOLDER = re.compile(r"`(--[\w-]+)(?:/-\w)? ((?:[A-Z0-9][\w.,]*)(?:\\\|[A-Z][\w.,]*)*)`")


def _readme_placeholders() -> list[tuple[str, str, str]]:
    """(command, option, placeholder) for each option README's tables give one to; the
    command "" for the global options."""
    found = []
    marks = list(SECTION.finditer(README))
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        command = mark.group(1) or ("" if mark.group(2) else None)
        if command is None:
            continue
        body = README[mark.end() : after.start() if after else len(README)]
        for row in re.findall(r"^\| ([^|]*(?:\\\|[^|]*)*) \|", body, re.MULTILINE):
            for option, placeholder in PLACEHOLDER.findall(row):
                found.append((command, option, placeholder.replace("\\|", "|")))
    return found


@pytest.mark.parametrize(("command", "option", "placeholder"), _readme_placeholders())
def test_the_help_shows_each_option_with_the_placeholder_the_readme_gives_it(
    command: str, option: str, placeholder: str
) -> None:
    path = (command,) if command else ()
    ctx = click.Context(_command(path))
    shown = {
        # "-s, --service NAME": what follows the last of its names.
        opt: record[0].split(", ")[-1].partition(" ")[2]
        for param in ctx.command.get_params(ctx)
        if isinstance(param, click.Option) and not param.hidden and not param.is_flag
        for record in [param.get_help_record(ctx)]
        if record is not None
        for opt in param.opts
    }
    assert option in shown, f"{' '.join(['exportctl', *path])} has no {option}"
    assert shown[option] == placeholder
