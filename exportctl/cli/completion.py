"""`exportctl completion SHELL`: the shell completion script, from click's command tree.

The scripts under completions/ are this command's output, kept in the
repository for packagers; `make completions` regenerates them.
"""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_EXPORTCTL_COMPLETE"
PROG_NAME = "exportctl"


def script(root: click.Command, shell: str) -> str:
    """The completion script click generates for ``shell``."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - SHELLS lists only the shells click knows
        raise click.BadParameter(f"no completion for {shell}")
    source = cls(root, {}, PROG_NAME, COMPLETE_VAR).source()
    return source if source.endswith("\n") else source + "\n"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash:  eval "$(exportctl completion bash)"             (in ~/.bashrc)
    zsh:   eval "$(exportctl completion zsh)"              (in ~/.zshrc, after compinit)
    fish:  exportctl completion fish > ~/.config/fish/completions/exportctl.fish

    Completion reads local files only and never calls AWS: job references come
    from what `list` and `status` printed last.
    """
    click.echo(script(ctx.find_root().command, shell), nl=False)
