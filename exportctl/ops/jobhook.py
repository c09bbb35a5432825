"""A command run for each job that ends (`wait --exec`, `watch --exec`).

The command is the user's own shell command line, run by ``/bin/sh -c`` as written.
The job reaches it only through the environment (``EXPORTCTL_REF``,
``EXPORTCTL_STATE``, ``EXPORTCTL_STATUS``, ``EXPORTCTL_SERVICE`` and the whole record as
JSON in ``EXPORTCTL_JOB``), never through the command's text: whatever a job's id,
name or message holds (quotes, ``$(...)``), no shell reads it as code. The
command's stdout goes to exportctl's stderr, so that what exportctl writes on
stdout stays what it promises (JSON lines with ``-o ndjson``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exportctl.domain.model import ExportJob


@dataclass(frozen=True)
class HookRun:
    """How one run went: its exit status, or why it could not start."""

    ref: str
    status: int | None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.status != 0


def hook_environment(job: ExportJob, record: Mapping[str, Any]) -> dict[str, str]:
    return {
        "EXPORTCTL_REF": job.ref,
        "EXPORTCTL_SERVICE": job.service,
        "EXPORTCTL_STATE": job.state.value,
        "EXPORTCTL_STATUS": job.status or "",
        "EXPORTCTL_JOB": json.dumps(record, ensure_ascii=False, default=str),
    }


def run_hook(command: str, job: ExportJob, record: Mapping[str, Any]) -> HookRun:
    """Run ``command`` for ``job`` and wait for it."""
    env = {**os.environ, **hook_environment(job, record)}
    try:
        stderr: int | None = sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        stderr = None  # a stream without a file (a test's): its output is copied to it
    try:
        done = subprocess.run(
            ["/bin/sh", "-c", command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stderr if stderr is not None else subprocess.PIPE,
            stderr=None if stderr is not None else subprocess.STDOUT,
            check=False,
        )
    except OSError as exc:
        return HookRun(job.ref, None, exc.strerror or str(exc))
    if stderr is None and done.stdout:
        sys.stderr.write(done.stdout.decode(errors="replace"))
    return HookRun(job.ref, done.returncode)
