"""exportctl: one face for the export jobs of eight AWS services.

The command line is ``exportctl``; the Python API is this package's, documented in
docs/API.md. :data:`__all__` is the one list of what is public: every name in it is
imported from :mod:`exportctl.api` on first use, so that ``import exportctl`` (and
with it ``exportctl --help``) loads neither botocore nor the core.
"""

from __future__ import annotations

from exportctl.domain.version import __version__

# Not typing's: the console script imports this package before it can hear Ctrl-C
# (exportctl.__main__), and typing alone takes longer than the rest of that.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from exportctl.api import (
        ApiError,
        AsyncClient,
        Backups,
        BadInput,
        Client,
        DownloadProgress,
        DownloadSummary,
        Estimate,
        Estimator,
        ExportctlError,
        ExportJob,
        JobFailed,
        JobNotFound,
        Listing,
        LocalFailure,
        RequestRefused,
        Started,
        StartPlan,
        State,
        Unreachable,
        WaitTimeout,
    )

__all__ = [
    "ApiError",
    "AsyncClient",
    "Backups",
    "BadInput",
    "Client",
    "DownloadProgress",
    "DownloadSummary",
    "Estimate",
    "Estimator",
    "ExportJob",
    "ExportctlError",
    "JobFailed",
    "JobNotFound",
    "Listing",
    "LocalFailure",
    "RequestRefused",
    "StartPlan",
    "Started",
    "State",
    "Unreachable",
    "WaitTimeout",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from exportctl import api

    value = getattr(api, name)
    # Looked up once: the next use finds it in the module, not here.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
