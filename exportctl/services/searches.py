"""What ``backups`` reads of a search job and of each backup it looked at, as a spec
declares it (``SearchJobs.members``, ``SearchJobs.states``): the members of the
answers, the counts of how far a search got, and what its status words mean.

Named tuples, not dataclasses: every command that names the services loads the
spec making them, and a dataclass costs ten times as much to define (~0.6 ms).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from exportctl.domain.model import State


class Count(NamedTuple):
    """One count of how far a search got: ``done``, a member of the search job's
    progress; ``total``, of its scope's summary, where it has one."""

    what: str
    done: str
    total: str | None = None


class BackupMembers(NamedTuple):
    """Where each field of a backup is in an item of the backups' listing."""

    status: str
    resource_type: str
    backup_resource_arn: str
    source_resource_arn: str
    backup_creation_time: str
    index_creation_time: str
    message: str


class SearchMembers(NamedTuple):
    """Where each field of a search job is in the answer of its get, and of a backup
    in an item of its backups' listing."""

    id: str
    status: str
    arn: str
    name: str
    message: str
    created: str
    completed: str
    # How far it got, and what it has to search: the members the counts are read in.
    progress: str
    scope_summary: str
    backup: BackupMembers
    counts: tuple[Count, ...] = ()

    def own(self) -> frozenset[str]:
        """The members read into fields of their own: the others are the details."""
        named = (self.id, self.status, self.arn, self.name, self.message, self.created)
        return frozenset((*named, self.completed, self.progress, self.scope_summary))


class SearchStates(NamedTuple):
    """The status words of a search job and of its backups (one set of words) as
    states, as ``ServiceSpec.statuses``; a word none maps is UNKNOWN. ``doomed``, as
    ``ServiceSpec.doomed``: words of a search still running that can no longer
    reach those states (one being stopped)."""

    statuses: Mapping[str, State]
    doomed: Mapping[str, frozenset[State]] = MappingProxyType({})

    def state_of(self, status: str | None) -> State:
        return self.statuses.get(status or "") or State.UNKNOWN
