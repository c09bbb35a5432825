"""What `wait --until` waits for: a normalised state, or a service's own word.

* ``COMPLETED`` (the default), ``FAILED``, ``CANCELLED``: the normalised state, for
  every service (``CANCELLED`` for those that can cancel: what ``cancel --wait`` waits for).
* ``TERMINAL``: any of them.
* A vendor word of a terminal state (``ACTIVE``, ``CREATE FAILED``,
  ``SUCCEEDED``...): for jobs of a service that has the word, that exact status; for
  jobs of the other services, the normalised state the word stands for (``ACTIVE``
  is ``COMPLETED`` for a Discovery task). A word that belongs to none of the
  services of the jobs waited on is a usage error, since it says nothing about them.

Words are matched case-insensitively, with spaces, underscores and hyphens alike
(``create-failed`` is ``CREATE FAILED``). A job that reaches a terminal state that
does not meet the condition never will: it is decided at once. So is a job still
running in a status its service declares doomed for every state the condition
wants (``ServiceSpec.doomed``: a Pinpoint job FAILING will not be COMPLETED).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from exportctl.domain.errors import UsageError, quoted
from exportctl.domain.model import ExportJob, State
from exportctl.services.forms import Named, flag

NORMALISED: Mapping[str, frozenset[State]] = {
    "COMPLETED": frozenset({State.COMPLETED}),
    "FAILED": frozenset({State.FAILED}),
    "CANCELLED": frozenset({State.CANCELLED}),
    "TERMINAL": frozenset({State.COMPLETED, State.FAILED, State.CANCELLED}),
}


def fold(word: str) -> str:
    """A status word as words are compared: any case, spaces, underscores and hyphens alike."""
    return re.sub(r"[\s_-]+", " ", word.strip()).upper()


def vendor_words() -> dict[str, dict[str, tuple[str, State]]]:
    """Folded word -> service -> (the status as the service spells it, its state).

    Only words of terminal states: waiting for a passing state could miss it.
    """
    from exportctl.services import all_specs

    words: dict[str, dict[str, tuple[str, State]]] = {}
    for spec in all_specs():
        for status, state in {**spec.documented_statuses, **spec.statuses}.items():
            if state.terminal:
                words.setdefault(fold(status), {})[spec.name] = (status, state)
    return words


def accepted_words(services: Iterable[str] = ()) -> list[str]:
    """The --until words, those of the jobs of ``services`` alone where given (a
    status of another service's jobs is refused for them)."""
    from exportctl.services import all_specs

    asked = set(services)
    specs = [spec for spec in all_specs() if not asked or spec.name in asked]
    # CANCELLED is offered once some service can cancel: until then no job reaches it.
    cancelled = ["CANCELLED"] if any(spec.cancel for spec in specs) else []
    offered = ["COMPLETED", "FAILED", *cancelled, "terminal"]
    # Words are said once as they are compared: a service's `completed` is COMPLETED.
    seen = {fold(word) for word in offered}
    for status in sorted(
        {
            status
            for by_service in vendor_words().values()
            for name, (status, _) in by_service.items()
            if not asked or name in asked
        }
    ):
        if fold(status) not in seen:
            seen.add(fold(status))
            offered.append(status)
    return offered


@dataclass(frozen=True)
class Until:
    """A condition on a job: ``states`` for every service, or ``statuses`` where given."""

    word: str
    states: frozenset[State]
    # service -> the vendor statuses that meet the condition for its jobs.
    statuses: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def met(self, job: ExportJob) -> bool:
        wanted = self.statuses.get(job.service)
        if wanted is not None:
            return job.status in wanted
        return job.state in self.states

    def missed(self, job: ExportJob) -> bool:
        """The job can no longer meet the condition: it ended otherwise, or it is
        in a status that its service says leads to none of the states wanted."""
        if job.terminal:
            return not self.met(job)
        from exportctl.services import spec_for

        spec = spec_for(job.service)
        wanted = self.statuses.get(job.service)
        targets = self.states if wanted is None else {spec.state_of(s) for s in wanted}
        return bool(targets) and not any(spec.can_reach(job.status, t) for t in targets)

    def describe(self) -> str:
        return self.word


def parse_until(word: str, services: Iterable[str] = (), named: Named = flag) -> Until:
    """The condition a --until word names, for jobs of ``services``; ``named``: how
    the caller's user gives --until, in messages (the API: ``until``)."""
    until = named("until")
    folded = fold(word)
    if folded in NORMALISED:
        return Until(folded if folded != "TERMINAL" else "terminal", NORMALISED[folded])
    by_service = vendor_words().get(folded)
    if not by_service:
        raise UsageError(
            f"unknown {until} word {quoted(word)}: use one of "
            f"{', '.join(accepted_words(services))} "
            "(case does not matter)"
        )
    asked = set(services)
    if asked and not asked & set(by_service):
        from exportctl.services import spec_for

        owners = ", ".join(spec_for(s).title for s in sorted(by_service))
        states = "/".join(sorted({state.value for _, state in by_service.values()}))
        raise UsageError(
            f"{until} {word!r} is a status of {owners}, and none of the jobs given is: "
            f"use {until} {states}"
        )
    return Until(
        word=next(iter(by_service.values()))[0],
        states=frozenset(state for _, state in by_service.values()),
        statuses={name: frozenset({status}) for name, (status, _) in by_service.items()},
    )
