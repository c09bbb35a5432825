"""exportctl's Python API, between the core (``ops``) and the command line: what
:mod:`exportctl` re-exports (its ``__all__`` is the list of what is public).

- :mod:`exportctl.api.client`: :class:`Client`, the commands as methods;
- :mod:`exportctl.api.aclient`: :class:`AsyncClient`, the same as coroutines;
- :mod:`exportctl.api.errors`: the errors it raises, each carrying the jobs concerned;
- :mod:`exportctl.api.listing`, :mod:`exportctl.api.waiting`, :mod:`exportctl.api.options`:
  a listing as an iterator, a wait's set-up and outcome (and its rounds on an event
  loop), the values the methods take.
"""

from __future__ import annotations

import typing

if typing.TYPE_CHECKING:
    from exportctl.api.aclient import AsyncClient as AsyncClient
    from exportctl.api.backups import Backups as Backups
    from exportctl.api.client import Client as Client
    from exportctl.api.errors import ApiError as ApiError
    from exportctl.api.errors import BadInput as BadInput
    from exportctl.api.errors import JobFailed as JobFailed
    from exportctl.api.errors import JobNotFound as JobNotFound
    from exportctl.api.errors import LocalFailure as LocalFailure
    from exportctl.api.errors import RequestRefused as RequestRefused
    from exportctl.api.errors import Unreachable as Unreachable
    from exportctl.api.errors import WaitTimeout as WaitTimeout
    from exportctl.api.listing import Listing as Listing
    from exportctl.domain.errors import ExportctlError as ExportctlError
    from exportctl.domain.model import ExportJob as ExportJob
    from exportctl.domain.model import State as State
    from exportctl.ops.download.records import Reporter, Summary
    from exportctl.ops.estimates import Estimate as Estimate
    from exportctl.ops.estimates import Estimator as Estimator
    from exportctl.ops.start.request import StartPlan as StartPlan
    from exportctl.ops.start.starter import Started as Started

    DownloadProgress = Reporter
    DownloadSummary = Summary

# Where each name lives, imported on first use: the command line imports
# exportctl.api.client alone, and an asyncio it does not use would cost every
# command its start. DownloadSummary and DownloadProgress are what download returns
# and what its progress= is told, under names that say so outside the download package.
_HOMES = {
    "AsyncClient": ("exportctl.api.aclient", "AsyncClient"),
    "Backups": ("exportctl.api.backups", "Backups"),
    "Client": ("exportctl.api.client", "Client"),
    "ApiError": ("exportctl.api.errors", "ApiError"),
    "BadInput": ("exportctl.api.errors", "BadInput"),
    "JobFailed": ("exportctl.api.errors", "JobFailed"),
    "JobNotFound": ("exportctl.api.errors", "JobNotFound"),
    "LocalFailure": ("exportctl.api.errors", "LocalFailure"),
    "RequestRefused": ("exportctl.api.errors", "RequestRefused"),
    "Unreachable": ("exportctl.api.errors", "Unreachable"),
    "WaitTimeout": ("exportctl.api.errors", "WaitTimeout"),
    "Listing": ("exportctl.api.listing", "Listing"),
    "ExportctlError": ("exportctl.domain.errors", "ExportctlError"),
    "ExportJob": ("exportctl.domain.model", "ExportJob"),
    "State": ("exportctl.domain.model", "State"),
    "DownloadProgress": ("exportctl.ops.download.records", "Reporter"),
    "DownloadSummary": ("exportctl.ops.download.records", "Summary"),
    "Estimate": ("exportctl.ops.estimates", "Estimate"),
    "Estimator": ("exportctl.ops.estimates", "Estimator"),
    "StartPlan": ("exportctl.ops.start.request", "StartPlan"),
    "Started": ("exportctl.ops.start.starter", "Started"),
}


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home[0]), home[1])
    globals()[name] = value
    return value
