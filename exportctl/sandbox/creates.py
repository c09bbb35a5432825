"""What the create/start operations share: new jobs that run their course on the sandbox clock.

Each request is checked against the operation's input shape (the rules the service
enforces: required members, patterns, lengths, enums) and answered with the
service's own validation error when it breaks one. A created job then follows its
service's timeline (in its API module), in scenario seconds from its creation. It
fails when its destination names ``denied`` (or what else its service says), the
way an export fails when the role may not write there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.context import Context
from exportctl.sandbox.jobs import Phase


def denied(where: str) -> bool:
    return "denied" in where.lower()


def check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    shape = ctx.model.operation_model(operation).input_shape
    found = problems(shape, params) if shape is not None else []
    if found:
        raise ctx.errors.invalid_input(summary(found))


def done_after(timeline: tuple[tuple[Any, ...], ...]) -> str:
    """Where a timeline of (seconds after now, status, ...) steps ends, and when, in the
    words of README.md (``ServiceWorld.course``): ``ACTIVE after 60 s``."""
    seconds, status = timeline[-1][:2]
    return f"{status} after {seconds:g} s"


def phases(
    ctx: Context,
    timeline: tuple[tuple[float, str], ...],
    fields: Callable[[str, float], dict[str, Any]],
) -> list[Phase]:
    """A new job's phases: ``timeline``'s (seconds after now, status), each with its
    ``fields``."""
    now = ctx.elapsed
    return [Phase(now + after, status, fields(status, now + after)) for after, status in timeline]
