"""What the sandbox knows of one emulated service: a record its API module declares
(``WORLD``, next to its handlers, over its world module's content), read by the shared
modules from the catalog (``catalog.py``) so that none of them names a service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from exportctl.sandbox.context import Context
from exportctl.sandbox.errors import ServiceErrors
from exportctl.sandbox.jobs import Job, OutputLocation
from exportctl.sandbox.registry import Registry

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Download:
    """Output the sandbox serves itself, behind a pre-signed-looking URL
    (``/_sandbox/downloads/<job id><suffix>``), once the job is completed."""

    kind: str
    suffix: str
    content_type: str
    archive: Callable[[str], bytes]


@dataclass(frozen=True)
class Bulk:
    """Generated jobs for scale tests: ``keyword`` is the :class:`Sandbox` keyword
    (and, dashes for underscores, the ``exportctl sandbox`` option of ``scale.py``)
    whose count ``grow`` adds, in the world's region. ``first``: right after the
    world's own jobs; else after every world's, in the catalog's ``GROWN_LAST`` order."""

    keyword: str
    grow: Callable[[Registry, str, int], None]
    first: bool = False


@dataclass(frozen=True)
class ServiceWorld:
    """One service as the sandbox emulates it.

    ``name`` is botocore's client name, which the sandbox routes and keys by (and
    so the service's spec ``name`` too). ``handlers`` answer its operations by name;
    ``mutating`` are those that change the world (a dropped answer or a 5xx may
    come after they took effect). ``populate`` adds its seeded jobs in one region
    (its home region alone when ``home_only``). A job of one of ``output_kinds`` in
    the ``completed`` status has output: at its ``_output_uri`` attribute when it
    has one, else where ``output_uri`` says; the sandbox's S3 holds ``job_objects``
    (from the job) or ``objects`` (from the location and key prefix) there.
    ``deferred`` (signing name, protocol) has its model read at its first request.
    ``course``, ``cancelling`` and ``fails`` are README.md's words of its jobs.
    """

    name: str
    errors: ServiceErrors
    handlers: Mapping[str, Handler]
    mutating: frozenset[str]
    completed: str
    output_kinds: tuple[str, ...]
    populate: Callable[[Registry, str], None]
    home_only: bool = False
    output_uri: Callable[[Job, dict[str, Any], str], str] | None = None
    objects: Callable[[OutputLocation, str], dict[str, bytes]] | None = None
    job_objects: Callable[[Job, Callable[[float], float]], dict[str, bytes]] | None = None
    download: Download | None = None
    bulk: Bulk | None = None
    deferred: tuple[str, str] | None = None
    # What README.md says of the service's jobs in the sandbox (tests/readme_sandbox.py),
    # made from the constants the handlers use: where a job a create started ends, and
    # when (``creates.done_after``); how long a cancelled one is in the word its
    # service has for it; what fails a started job, where a destination naming
    # ``denied`` is not all of it.
    course: str = ""
    cancelling: str = ""
    fails: str = ""
