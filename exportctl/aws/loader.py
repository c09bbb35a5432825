"""botocore's data loader, told about one service without listing them all.

Before it reads a service's model, botocore's loader checks that the service is
known by listing every service folder of its data (about 450, each opened to look
for the model): twice per client (the API model, then the endpoint rules), 15-20
ms of every start. The loader here answers ``name in known`` by looking at that
one service's folders, in the same search paths and by the same rule; the full
list is still made, by botocore, for anything else asked of it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

import botocore.session
from botocore.loaders import Loader, create_loader

from exportctl.aws import endpointindex, prunedmodels


class KnownServices(Sequence[str]):
    """What ``Loader.list_available_services(type_name)`` returns, listed on demand."""

    def __init__(self, loader: Loader, type_name: str, listing: Callable[[str], list[str]]) -> None:
        self._loader = loader
        self._type_name = type_name
        self._listing = listing
        self._all: list[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._all is not None or not isinstance(name, str) or not name or os.sep in name:
            return name in self._listed()
        exists = self._loader.file_loader.exists
        for place in self._loader.search_paths:
            folder = os.path.join(place, name)
            if not os.path.isdir(folder):
                continue
            for version in os.listdir(folder):
                if exists(os.path.join(folder, version, self._type_name)):
                    return True
        return False

    def _listed(self) -> list[str]:
        if self._all is None:
            self._all = self._listing(self._type_name)
        return self._all

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._listed()[index]

    def __len__(self) -> int:
        return len(self._listed())

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed())

    def __eq__(self, other: object) -> bool:
        return self._listed() == other

    __hash__ = None  # type: ignore[assignment]


class ServiceLoader(Loader):  # type: ignore[misc]
    """botocore's loader, but for the check that one service is known and for its
    endpoint data, decoded a service at a time (:mod:`exportctl.aws.endpointindex`).

    Given ``operations`` (botocore service name -> the operations called), the API
    models of those services hold those operations alone
    (:mod:`exportctl.aws.prunedmodels`, kept in the cache), read through ``source``,
    the loader of the whole models, which decodes each file once for both."""

    def list_available_services(self, type_name: str) -> KnownServices:
        return KnownServices(self, type_name, super().list_available_services)

    def __init__(
        self,
        *args: Any,
        operations: Mapping[str, frozenset[str]] | None = None,
        source: ServiceLoader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Read once, as botocore's own loader keeps what it read: the sessions that
        # share this loader resolve with one copy of the endpoint data.
        self._endpoints: tuple[Any, str] | None = None
        self._operations = dict(operations or {})
        self._source = source
        self._pruned: dict[tuple[str, str | None, frozenset[str]], Any] = {}

    def load_data_with_path(self, name: str) -> tuple[Any, str]:
        if self._source is not None:
            return self._source.load_data_with_path(name)
        whole = functools.partial(super().load_data_with_path, name)
        if name != endpointindex.NAME:
            loaded: tuple[Any, str] = whole()
            return loaded
        if self._endpoints is None:
            self._endpoints = endpointindex.load(self.search_paths, whole)
        return self._endpoints

    def load_service_model(
        self, service_name: str, type_name: str, api_version: str | None = None
    ) -> Any:
        called = self._operations.get(service_name)
        if type_name != "service-2" or not called or self._source is None:
            return super().load_service_model(service_name, type_name, api_version)
        return self._source.pruned_model(service_name, api_version, called)

    def pruned_model(self, service: str, api_version: str | None, called: frozenset[str]) -> Any:
        """The API model of ``service`` with the operations ``called`` alone, read once
        for every loader that prunes through this one (a command's clients and the
        embedded sandbox's routing call the same operations)."""
        key = (service, api_version, called)
        if key not in self._pruned:
            self._pruned[key] = prunedmodels.load(self, service, "service-2", api_version, called)
        return self._pruned[key]


Pruning = frozenset[tuple[str, frozenset[str]]]
Loaders = dict[tuple[tuple[str, ...], Pruning | None], ServiceLoader]


def use_service_loader(
    session: Any,
    loaders: Loaders | None = None,
    operations: Mapping[str, frozenset[str]] | None = None,
) -> None:
    """Give ``session`` the loader above, on the search paths its own would use, its
    clients made with ``operations`` alone where given (see :class:`ServiceLoader`).

    ``loaders`` are those of the sessions made before (one per account or profile a
    command reaches; :data:`exportctl.aws.clients.PROCESS_LOADERS`, every command of
    the process): a session whose search paths one of them has shares it, so a
    service's model and endpoint rules are read and decoded once, not once a session
    (about 6 ms of every client of a new session)."""
    # The folders that exist: a loader finds nothing in one that does not, and the
    # commands of a process that differ only by those (~/.aws/models of another
    # home) read the same data.
    paths = tuple(p for p in session.get_component("data_loader").search_paths if os.path.isdir(p))
    loaders = {} if loaders is None else loaders
    whole = loaders.get((paths, None)) or loaders.setdefault((paths, None), _loader(paths))
    loader = whole
    if operations:
        pruning = frozenset(operations.items())
        loader = loaders.get((paths, pruning)) or loaders.setdefault(
            (paths, pruning), _loader(paths, operations=operations, source=whole)
        )
    session.register_component("data_loader", loader)


def _loader(paths: tuple[str, ...], **kwargs: Any) -> ServiceLoader:
    return ServiceLoader(
        extra_search_paths=list(paths), include_default_search_paths=False, **kwargs
    )


def models_session() -> botocore.session.Session:
    """A botocore session for reading API models alone: botocore's loader on
    AWS_DATA_PATH, as botocore makes it, but without the AWS config file's
    ``data_path``, so that neither a profile (AWS_PROFILE naming none) nor a config
    file that does not parse stops what uses neither (a start's checks, a sandbox)."""
    session = botocore.session.get_session()
    session.register_component("data_loader", create_loader(os.environ.get("AWS_DATA_PATH")))
    return session
