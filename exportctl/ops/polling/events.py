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
    round: it ran between two)."""

    kind: str
    tracked: Tracked | None = None
    before: ExportJob | None = None
    message: str | None = None
    delay: float | None = None
    calls: dict[tuple[str, str], int] = field(default_factory=dict)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# What a message names rather than counts: an account (12 digits), an ARN, a region.
_NAMES = re.compile(r"arn:[^\s;,()]+|(?<![\d.])\d{12}(?![\d.])|\b[a-z]{2}(?:-[a-z]+)+-\d\b")


def gist(message: str) -> str:
    """What a problem's message says, its counts aside ("tried 3 times over 4 s" and
    "tried 4 times over 9 s" are one problem): told once while it lasts. The accounts,
    ARNs and regions it names are kept: two accounts' problems are two problems."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\0{len(kept) - 1}\0"

    counted = _NUMBER.sub("#", _NAMES.sub(keep, message))
    return re.sub("\0#\0", lambda _: kept.pop(0), counted)


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
