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

from exportctl.api.aclient import AsyncClient as AsyncClient
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
from exportctl.ops.download.records import Summary

# What download returns, under a name that says so outside the download package.
DownloadSummary = Summary
