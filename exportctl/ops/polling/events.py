"""What a round of `wait` or `watch` tells its caller, who alone prints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from exportctl.domain.model import ExportJob
from exportctl.ops.polling.outcome import Tracked


@dataclass(frozen=True)
class Event:
    """Something worth telling: kind is seen, changed, met, missed, gone, retrying or
    round; for a watch also ended (a job first seen already ended, after the first
    round: it ran between two)."""

    kind: str
    tracked: Tracked | None = None
    before: ExportJob | None = None
    message: str | None = None
    delay: float | None = None
    calls: dict[tuple[str, str], int] = field(default_factory=dict)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def gist(message: str) -> str:
    """What a problem's message says, its counts aside ("tried 3 times over 4 s" and
    "tried 4 times over 9 s" are one problem): told once while it lasts."""
    return _NUMBER.sub("#", message)
