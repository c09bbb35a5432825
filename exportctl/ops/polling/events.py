"""What a round of `wait` or `watch` tells its caller, who alone prints."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from exportctl.domain.model import ExportJob
from exportctl.ops.polling.outcome import Tracked


@dataclass(frozen=True)
class Event:
    """Something worth telling: kind is seen, changed, met, missed, gone, retrying or
    round; for a watch also ended (a job first seen already ended, after the first
    round: it ran between two) and notice (a target out of reach, which `list` says
    as a notice: told once while it lasts, never retried)."""

    kind: str
    tracked: Tracked | None = None
    before: ExportJob | None = None
    message: str | None = None
    delay: float | None = None
    calls: dict[tuple[str, str], int] = field(default_factory=dict)


# What a message names rather than counts, kept as it is: an ARN, an account (12
# digits), a region; every other number is a count.
_NAME_OR_NUMBER = re.compile(
    r"(arn:[^\s;,()]+|(?<![\d.])\d{12}(?![\d.])|\b[a-z]{2}(?:-[a-z]+)+-\d\b)"
    r"|\d+(?:[.,]\d+)*"
)


def gist(message: str) -> str:
    """What a problem's message says, its counts aside ("tried 3 times over 4 s" and
    "tried 4 times over 9 s" are one problem): told once while it lasts. The accounts,
    ARNs and regions it names are kept: two accounts' problems are two problems."""
    return _NAME_OR_NUMBER.sub(lambda m: m.group(1) or "#", message)


class Told:
    """The problems of the rounds so far, each told once while it lasts, whatever its
    counts: ``update`` takes a round's messages and gives those to tell now;
    ``current`` holds the round's, in their latest words."""

    def __init__(self) -> None:
        self._gists: set[str] = set()
        self.current: set[str] = set()

    def update(self, messages: Iterable[str]) -> list[str]:
        said = {gist(message): message for message in messages}
        fresh = [said[key] for key in sorted(said.keys() - self._gists)]
        self._gists = set(said)
        self.current = set(said.values())
        return fresh
