"""Foreground runner, shaped so any command line front end can call it."""

from __future__ import annotations

import shlex
import sys
from typing import TextIO

from exportctl.sandbox.faults import Faults
from exportctl.sandbox.server import Sandbox


def env_lines(sandbox: Sandbox) -> list[str]:
    """``export NAME=value`` lines for a POSIX shell."""
    return [f"export {k}={shlex.quote(v)}" for k, v in sandbox.env().items()]


def build(
    port: int = 0,
    latency: float = 0.0,
    throttle_rate: float = 0.0,
    error_rate: float = 0.0,
    page_size: int | None = None,
    drop_rate: float = 0.0,
    seed: int = 7,
    discovery_tasks: int | None = None,
) -> Sandbox:
    faults = Faults()
    # Going through update() validates ranges the same way the admin endpoint does.
    faults.update(
        {
            "latency": latency,
            "throttle_rate": throttle_rate,
            "error_rate": error_rate,
            "page_size": page_size,
            "drop_rate": drop_rate,
        }
    )
    return Sandbox(port=port, faults=faults, seed=seed, discovery_tasks=discovery_tasks)


def run(sandbox: Sandbox, out: TextIO | None = None) -> None:
    """Start ``sandbox``, print how to point tools at it, serve until Ctrl-C."""
    stream = out or sys.stdout
    sandbox.start()
    for line in env_lines(sandbox):
        print(line, file=stream)
    print(f"# exportctl sandbox listening on {sandbox.url} (Ctrl-C to stop)", file=stream)
    stream.flush()
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
