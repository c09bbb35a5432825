"""The parents a listing is given by id (Pinpoint's applications, by
``--application-id``, or a reference's): one the service says does not exist hides
no job of the others, so it is said once they are read whole, by its id, as a
:class:`ParentNotFound` (no listing cut short)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from exportctl.domain.errors import ExportctlError, NotFoundError, ParentNotFound, clip
from exportctl.domain.jobkey import JobKey
from exportctl.services.spec import ServiceSpec

# A parent (its id, its item) and what its listing gives a page at a time.
P = TypeVar("P", bound=tuple[str, Any])
R = TypeVar("R")


class GivenParents:
    """The parents given by id (``ids``; None: they are listed, so they exist)."""

    def __init__(self, spec: ServiceSpec, ids: Sequence[str] | None) -> None:
        self.spec = spec
        self.ids = ids
        self.missing: list[str] = []

    def noting(self, pages_of: Callable[[P], Iterator[R]]) -> Callable[[P], Iterator[R]]:
        """``pages_of``, a parent given by id that is not found at its first page noted
        (what that answer can only mean), not raised: the others go on."""
        if self.ids is None:
            return pages_of

        def noted(parent: P) -> Iterator[R]:
            read = False
            try:
                for page in pages_of(parent):
                    read = True
                    yield page
            except NotFoundError:
                if read:
                    raise
                self.missing.append(parent[0])

        return noted

    def said(self) -> None:
        """Raise what was noted, the parents in the order given."""
        if self.missing:
            assert self.ids is not None and self.spec.fan_out is not None
            gone = [i for i in dict.fromkeys(self.ids) if i in self.missing]
            noun = self.spec.fan_out.noun + ("s" if len(gone) > 1 else "")
            named = ", ".join(map(clip, gone))
            raise ParentNotFound(
                f"{self.spec.title}: {noun} {named} not found", service=self.spec.name
            )


def parent_pages(
    spec: ServiceSpec, parent: str, pages_of: Callable[[dict[str, Any]], Iterator[R]]
) -> Iterator[R]:
    """The pages of one parent's listing (``pages_of`` the request), the parent given
    by id: one the service says does not exist is a :class:`ParentNotFound`."""
    assert spec.fan_out is not None
    request = {spec.fan_out.param: parent}
    given = GivenParents(spec, [parent])
    yield from given.noting(lambda _: pages_of(request))((parent, None))
    given.said()


def check_parent(
    spec: ServiceSpec, key: JobKey, pages_of: Callable[[dict[str, Any]], Iterator[R]]
) -> None:
    """After the job ``key`` names was not found: raise :class:`ParentNotFound` when its
    parent, which the reference names, is what does not exist. One call, the first
    page of the parent's listing; a parent that cannot be read leaves the job's own
    answer standing."""
    if spec.fan_out is None or not key.parent:
        return
    try:
        next(parent_pages(spec, key.parent, pages_of), None)
    except ParentNotFound:
        raise
    except ExportctlError:
        return
