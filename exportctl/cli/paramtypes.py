"""click's parameter types, said in exportctl's words: a long value cut as
exportctl's own messages cut theirs."""

from __future__ import annotations

from typing import Any, NoReturn

import click

from exportctl.domain.errors import MAX_QUOTED, clip, quoted


def _clipped(
    kind: click.ParamType[Any],
    exc: click.BadParameter,
    value: Any,
    param: click.Parameter | None,
    ctx: click.Context | None,
) -> NoReturn:
    """click's message about a value, a long one cut as exportctl's own messages cut
    theirs (:func:`quoted`); a value up to MAX_QUOTED is said in click's words."""
    if not (isinstance(value, str) and len(value) > MAX_QUOTED):
        raise exc
    message = exc.message
    if repr(value) in message:
        message = message.replace(repr(value), quoted(value), 1)
    else:
        # Out of range, click names the number it read, unquoted, first.
        number, _, rest = message.partition(" ")
        message = f"{clip(number)} {rest}"
    kind.fail(message, param, ctx)


class ClippedType(click.ParamType):  # type: ignore[type-arg]
    """A type of click's whose message cuts a long value (:func:`_clipped`)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as exc:
            _clipped(self, exc, value, param, ctx)


class Choice(ClippedType, click.Choice):  # type: ignore[type-arg]
    """click's choice, whose message cuts a long value as exportctl's own messages cut
    theirs (:func:`quoted`); a value up to MAX_QUOTED is said in click's words."""
