"""``python -m exportctl.sandbox``: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import sys

from exportctl.sandbox.catalog import NAMES
from exportctl.sandbox.cli import build, run
from exportctl.sandbox.scale import SCALE_OPTIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exportctl.sandbox",
        description=f"Serve the emulated export APIs of {', '.join(NAMES)}.",
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--throttle-rate", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--page-size", type=int, default=None)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=7)
    for name, _ in SCALE_OPTIONS:
        parser.add_argument(f"--{name}", type=int, default=None)
    parser.add_argument("--accounts", type=int, default=None, help="accounts in the organization")
    args = parser.parse_args(argv)
    try:
        sandbox = build(
            port=args.port,
            latency=args.latency,
            throttle_rate=args.throttle_rate,
            error_rate=args.error_rate,
            page_size=args.page_size,
            drop_rate=args.drop_rate,
            seed=args.seed,
            accounts=args.accounts,
            scale={
                name.replace("-", "_"): getattr(args, name.replace("-", "_"))
                for name, _ in SCALE_OPTIONS
            },
        )
    except ValueError as exc:
        parser.error(str(exc))
    run(sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
