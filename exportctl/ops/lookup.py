"""One thing named by id, looked for in every (credential set, region) a command
spans: asked everywhere at once, and the one rule of what the answers make of it,
for export jobs by reference (:class:`exportctl.ops.core.Board`) and search jobs
(`backups`) alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from exportctl.domain.errors import ExportctlError, NotFoundError
from exportctl.ops.credentials import Reach
from exportctl.ops.notfound import out_of_reach

LOOKUP_CONCURRENCY = 16

Ask = TypeVar("Ask")
Answer = TypeVar("Answer")
Found = TypeVar("Found")
Place = tuple[Reach, str]
Failure = tuple[Reach, str, ExportctlError]


def ask_everywhere(asks: Sequence[Ask], ask: Callable[[Ask], Answer]) -> list[Answer]:
    """``ask`` of each of ``asks``, a few at once, the answers in their order."""
    if not asks:
        return []
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    # Each call runs in a copy of the caller's context: a wait's deadline bounds its
    # calls in every account and region (exportctl.aws.deadlines).
    calls = [(contextvars.copy_context(), one) for one in asks]
    with ThreadPoolExecutor(max_workers=min(LOOKUP_CONCURRENCY, len(asks))) as pool:
        return list(pool.map(lambda call: call[0].run(ask, call[1]), calls))


def pick(
    found: Sequence[Found],
    failures: Sequence[Failure],
    *,
    several: Callable[[Sequence[Found]], ExportctlError],
    missing: Callable[[list[Place], list[Failure]], ExportctlError],
) -> Found | ExportctlError:
    """What was found of one id (each thing once) where it was looked for: the one
    found; ``several`` when more than one was (the same id in several accounts or
    regions: which one a command acts on is not for exportctl to guess); ``missing``
    (the places that said "not found", those not read) when none was, unless a
    failure says more than "not found": one that kept more than some places out of
    reach while the others answered."""
    if len(found) == 1:
        return found[0]
    if found:
        return several(found)
    places = [(r, region) for r, region, a in failures if isinstance(a, NotFoundError)]
    unread = [(r, region, a) for r, region, a in failures if not isinstance(a, NotFoundError)]
    if not unread or (places and out_of_reach(unread)):
        return missing(places, unread)
    return unread[0][2]
