"""The name a mistyped one was probably meant to be: of a command, at the top and
under `start`, and of an option. One rule for both (:func:`nearest`)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from exportctl.cli.globalopts import SUBCOMMAND_GLOBALS


def nearest(typed: str, known: Sequence[str]) -> list[str]:
    """Those ``typed`` begins (`st`: start and status), else the closest ones (`wiat`:
    wait); none when nothing is near."""
    import difflib

    begun = [name for name in known if name.startswith(typed)]
    if begun:
        return begun
    scored = [(difflib.SequenceMatcher(None, name, typed).ratio(), name) for name in known]
    best = max((score for score, _ in scored), default=0.0)
    return [name for score, name in scored if score == best] if best >= 0.6 else []


def did_you_mean(typed: str, known: Sequence[str]) -> str:
    """``; did you mean 'a' or 'b'?``, or nothing."""
    near = [repr(name) for name in nearest(typed, known)]
    if not near:
        return ""
    listed = near[0] if len(near) == 1 else f"{', '.join(near[:-1])} or {near[-1]}"
    return f"; did you mean {listed}?"


def no_such_command(name: str, commands: Sequence[str]) -> str:
    """The error of an unknown subcommand, with the nearest known ones when there are."""
    from exportctl.domain.errors import quoted

    return f"no such command {quoted(name)}{did_you_mean(name.lower(), commands)}"


def no_such_option(name: str, ctx: click.Context | None) -> str:
    """The error of an unknown option, with the nearest of the command's own, else of
    the global options it takes after it; never --help."""
    from exportctl.domain.errors import quoted

    own: list[str] = []
    others: list[str] = []
    for param in ctx.command.get_params(ctx) if ctx is not None else ():
        if not isinstance(param, click.Option) or "--help" in param.opts:
            continue
        if not param.hidden:
            own.extend(param.opts)
        elif param.name in (*SUBCOMMAND_GLOBALS, "version"):
            others.extend(param.opts)
    # The names typed letters begin come first wherever they are (`--sandb`: the
    # global --sandbox, not the command's own --json, which is merely close).
    begun = [option for option in (*own, *others) if option.startswith(name)]
    hint = did_you_mean(name, begun or own) or did_you_mean(name, others)
    return f"no such option {quoted(name)}{hint}"


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
