"""``python -m exportctl.sandbox``: run the emulator in the foreground."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeVar

from exportctl.domain.numerals import number, whole
from exportctl.sandbox.catalog import NAMES
from exportctl.sandbox.cli import build, run
from exportctl.sandbox.scale import SCALE_OPTIONS

T = TypeVar("T")


def _read(reader: Callable[[str], T]) -> Callable[[str], T]:
    """argparse's type of a number, refused in `exportctl sandbox`'s words (argparse's
    int and float take any script's digits, nan, inf)."""

    def read(text: str) -> T:
        try:
            return reader(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


_WHOLE = _read(whole)
_NUMBER = _read(number)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exportctl.sandbox",
        description=f"Serve the emulated export APIs of {', '.join(NAMES)}.",
    )
    parser.add_argument("--port", type=_WHOLE, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=_NUMBER, default=0.0, help="seconds added per request")
    parser.add_argument("--throttle-rate", type=_NUMBER, default=0.0)
    parser.add_argument("--error-rate", type=_NUMBER, default=0.0)
    parser.add_argument("--page-size", type=_WHOLE, default=None)
    parser.add_argument("--drop-rate", type=_NUMBER, default=0.0)
    parser.add_argument("--seed", type=_WHOLE, default=7)
    for name, _ in SCALE_OPTIONS:
        parser.add_argument(f"--{name}", type=_WHOLE, default=None)
    parser.add_argument(
        "--accounts", type=_WHOLE, default=None, help="accounts in the organization"
    )
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
