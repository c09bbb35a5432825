"""`exportctl completion SHELL`: the shell completion script, from click's command tree.

The scripts under completions/ are this command's output, kept in the
repository for packagers; `make completions` regenerates them.

bash splits the word being completed at the characters of COMP_WORDBREAKS
(``:`` and ``=`` among them), and replaces only the part after the last one;
references are full of colons. So the bash script sends the line itself, and
the answer is cut to that last part, as bash-completion's
``__ltrim_colon_completions`` does. zsh and fish complete whole words: an
answer to ``--opt=VALUE`` keeps its ``--opt=``.
"""

from __future__ import annotations

import os

import click
from click.shell_completion import (
    BashComplete,
    FishComplete,
    ShellComplete,
    ZshComplete,
    add_completion_class,
    split_arg_string,
)

from exportctl.cli.globalopts import GlobalsCommand
from exportctl.cli.paramtypes import Choice

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_EXPORTCTL_COMPLETE"
PROG_NAME = "exportctl"

# bash's default, for a script that does not send its own.
DEFAULT_WORDBREAKS = "\"'><=;|&(:"

# Each answer is a line read as it is, never split or globbed, and put on the line
# escaped (%q), as zsh and fish put it: `details.*` is not a pattern of file names;
# in a word the user opened with a quote it goes as it is. A comma means something
# to bash only between braces, which %q escapes, so it is left as it was typed
# (`--fields ref,state`).
_SOURCE_BASH = """\
%(complete_func)s() {
    local response line type value cur=${COMP_WORDS[COMP_CWORD]}

    response=$(env COMP_LINE="${COMP_LINE:0:COMP_POINT}" \
COMP_WORDBREAKS="$COMP_WORDBREAKS" %(complete_var)s=bash_complete $1)

    while IFS= read -r line; do
        type=${line%%%%,*}
        value=${line#*,}

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            if [[ $cur != [\\"\\']* ]]; then
                printf -v value '%%q' "$value"
                value=${value//\\\\,/,}
            fi
            COMPREPLY+=("$value")
        fi
    done <<< "$response"

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""

# click's, except that a value keeps its commas (`--fields ref,state`).
_SOURCE_FISH = """\
function %(complete_func)s;
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \
COMP_CWORD=(commandline -t) %(prog_name)s);

    for completion in $response;
        set -l metadata (string split -m 1 "," $completion);

        if test $metadata[1] = "dir";
            __fish_complete_directories $metadata[2];
        else if test $metadata[1] = "file";
            __fish_complete_path $metadata[2];
        else if test $metadata[1] = "plain";
            echo $metadata[2];
        end;
    end;
end;

complete --no-files --command %(prog_name)s --arguments \
"(%(complete_func)s)";
"""


class Bash(BashComplete):
    """Reads the line up to the cursor; answers with what replaces bash's last word part."""

    source_template = _SOURCE_BASH

    def get_completion_args(self) -> tuple[list[str], str]:
        line = os.environ.get("COMP_LINE")
        if line is None:
            # A script generated before COMP_LINE was sent still works.
            return super().get_completion_args()
        words = split_arg_string(line)
        # `VAR=value exportctl ...`: the assignments are not arguments.
        while words and _is_assignment(words[0]):
            words.pop(0)
        args = words[1:]
        if not args or (line[-1:].isspace() and not line.endswith("\\ ")):
            return args, ""
        return args[:-1], args[-1]

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        cut = _broken_off(os.environ.get("COMP_LINE"), incomplete)
        out = []
        for item in items:
            if cut and item.type == "plain" and str(item.value).startswith(cut):
                item.value = str(item.value)[len(cut) :]
            out.append(self.format_completion(item))
        return "\n".join(out)


def _is_assignment(word: str) -> bool:
    name, equals, _ = word.partition("=")
    return bool(equals) and name.isidentifier()


def _broken_off(line: str | None, incomplete: str) -> str:
    """The part of ``incomplete`` before bash's last word break: bash keeps it as typed."""
    if line is None or not incomplete:
        return ""
    breaks = os.environ.get("COMP_WORDBREAKS", DEFAULT_WORDBREAKS)
    typed = line.rsplit(None, 1)[-1] if line.strip() else ""
    if any(quote in typed for quote in "'\"\\"):
        # Inside quotes bash does not break the word; an escape makes lengths differ.
        return ""
    at = max((incomplete.rfind(c) for c in breaks if c not in "'\""), default=-1)
    return incomplete[: at + 1]


def _option_typed(incomplete: str) -> str:
    """``--opt=`` when the word completed is ``--opt=VALUE``: click answers with the
    values alone, and zsh and fish replace the whole word with what they are given."""
    name, equals, _ = incomplete.partition("=")
    return name + equals if equals and name.startswith("--") else ""


class WholeWords(ShellComplete):
    """zsh and fish: each answer is the whole word, ``--opt=`` included where typed."""

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        typed = _option_typed(incomplete)
        out = []
        for item in self.get_completions(args, incomplete):
            if typed and item.type == "plain":
                item.value = typed + str(item.value)
            out.append(self.format_completion(item))
        return "\n".join(out)


class Zsh(WholeWords, ZshComplete):
    pass


class Fish(WholeWords, FishComplete):
    source_template = _SOURCE_FISH


CLASSES: dict[str, type[ShellComplete]] = {"bash": Bash, "zsh": Zsh, "fish": Fish}


def register() -> None:
    """Make click answer completion requests with these classes."""
    for name, cls in CLASSES.items():
        add_completion_class(cls, name)


def script(root: click.Command, shell: str) -> str:
    """The completion script for ``shell``."""
    cls = CLASSES.get(shell)
    if cls is None:  # pragma: no cover - SHELLS lists the shells CLASSES has
        raise click.BadParameter(f"no completion for {shell}")
    source = cls(root, {}, PROG_NAME, COMPLETE_VAR).source()
    return source if source.endswith("\n") else source + "\n"


@click.command(cls=GlobalsCommand)
@click.argument("shell", type=Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    bash, in ~/.bashrc; zsh, in ~/.zshrc after compinit; fish, once:

    \b
      eval "$(exportctl completion bash)"
      eval "$(exportctl completion zsh)"
      exportctl completion fish \\
        > ~/.config/fish/completions/exportctl.fish

    Completion reads local files only and never calls AWS: job references come
    from what `list` and `status` printed last.
    """
    click.echo(script(ctx.find_root().command, shell), nl=False)
