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


def run(sandbox: Sandbox, out: TextIO | None = None, *, s3: bool = True) -> None:
    """Start ``sandbox`` (and its S3, when moto is installed), print how to point
    tools at them, serve until Ctrl-C."""
    stream = out or sys.stdout
    sandbox.start()
    stops = [sandbox.stop]
    lines = env_lines(sandbox)
    if s3:
        try:
            from exportctl.sandbox.s3 import start_s3
        except ImportError:
            lines.append("# S3 not served: pip install 'exportctl[sandbox]' for downloads")
        else:
            served = start_s3(sandbox)
            stops.append(served.stop)
            lines.append(f"export AWS_ENDPOINT_URL_S3={shlex.quote(served.url)}")
    for line in lines:
        print(line, file=stream)
    print(f"# exportctl sandbox listening on {sandbox.url} (Ctrl-C to stop)", file=stream)
    stream.flush()
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for stop in reversed(stops):
            stop()
