"""The name a mistyped one was probably meant to be."""

from __future__ import annotations

from collections.abc import Sequence

import click


def no_such_command(name: str, commands: Sequence[str]) -> str:
    """The error of an unknown subcommand, with the nearest known one when there is one."""
    import difflib

    from exportctl.domain.errors import quoted

    near = difflib.get_close_matches(name.lower(), list(commands), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"no such command {quoted(name)}{hint}"


class SuggestingGroup(click.Group):
    """A group whose unknown subcommand is a usage error naming the nearest one."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if (
            name
            and not ctx.resilient_parsing
            and not name.startswith("-")
            and self.get_command(ctx, name) is None
        ):
            ctx.fail(no_such_command(name, self.list_commands(ctx)))
        return super().resolve_command(ctx, args)
