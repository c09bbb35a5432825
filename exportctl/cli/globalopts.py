"""The global options a command takes after its name too (``list --region x``), as in
the AWS CLI: what every command and group of the tree is made of, so that the root
can let each take them (``root._accept_global_options``) through click's own
methods, overridden here, its help say so and its completion offer them last."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from exportctl.cli.examples import write_globals_note
from exportctl.cli.helpformat import HelpContext

# The root's options a command takes after its name as well.
SUBCOMMAND_GLOBALS = ("profile", "region", "org_role", "accounts", "endpoint_url", "sandbox",
                      "debug", "no_color")  # fmt: skip


class GlobalsCommand(click.Command):
    """A command that takes the global options after its name. ``globals_accepted``:
    those it takes, as its help names them; None until the root has added them (its
    hidden copies) to its parameters."""

    context_class: type[click.Context] = HelpContext  # its help, as the root's, whole at hyphens
    globals_accepted: Sequence[str] | None = None

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """One sentence before its examples, naming the global options it has none
        of its own for."""
        if self.globals_accepted is not None:
            write_globals_note(formatter, self.globals_accepted)
        super().format_epilog(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The command's completions; when none of its own options matches, the global
        options it accepts too. Offered beside them, they would bury the command's own
        (`list --s` is --service, --since, --status, not --sandbox): they are hidden
        copies, and a user who types past the command's options still finds them."""
        items = super().shell_complete(ctx, incomplete)
        if self.globals_accepted is None or items or not incomplete.startswith("-"):
            return items
        return [
            CompletionItem(name, help=param.help)
            for param in ctx.command.get_params(ctx)
            if isinstance(param, click.Option)
            and param.hidden
            and param.name in (*SUBCOMMAND_GLOBALS, "version")
            # As click does for the command's own: a flag given once is not offered again.
            and (
                param.multiple
                or ctx.get_parameter_source(str(param.name)) is not ParameterSource.COMMANDLINE
            )
            for name in param.opts
            if name.startswith(incomplete)
        ]


class GlobalsGroup(GlobalsCommand, click.Group):
    """A group that takes them, whose subcommands (`start SERVICE`) take them too,
    each made ready by ``accepting`` (the root's) as it is looked up: a group finds
    its commands in :meth:`find_command`, not ``get_command``."""

    accepting: Callable[[click.Command], None] | None = None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.find_command(ctx, cmd_name)
        if command is not None and self.accepting is not None:
            self.accepting(command)
        return command

    def find_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand of that name, as click's ``get_command`` gives it."""
        return super().get_command(ctx, cmd_name)
