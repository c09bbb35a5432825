"""What README.md says of the services in the sandbox, made from its catalog's records
(``ServiceWorld``) and its scale options (generated parts, see readme_tables): where a
started job ends and when, how long a cancelled one is cancelling, what else fails a
started job, which services answer in their home region alone, and the options that
grow a world.
"""

from __future__ import annotations

from exportctl.cli.servicehelp import joined
from exportctl.sandbox.catalog import BY_NAME
from exportctl.sandbox.scale import SCALE_OPTIONS
from exportctl.sandbox.service import ServiceWorld


def _worlds() -> list[tuple[str, ServiceWorld]]:
    """Each service the sandbox emulates, named as a sentence names it, with its record,
    in prose order."""
    import readme_prose

    return [(spec.short_title, BY_NAME[spec.client]) for spec in readme_prose._emulated()]


def courses() -> str:
    return "; ".join(f"{title} {world.course}" for title, world in _worlds() if world.course)


def cancelling() -> str:
    return joined(f"{title} {world.cancelling}" for title, world in _worlds() if world.cancelling)


def fails() -> str:
    return "; ".join(f"{title}: {world.fails}" for title, world in _worlds() if world.fails)


def home_only() -> str:
    """The services that answer in their home region alone, and the verb."""
    named = [title for title, world in _worlds() if world.home_only]
    return f"{joined(named)} {'answers' if len(named) == 1 else 'answer'}"


def scale_options() -> str:
    """The rows of the options that grow a world, their help as ``--help`` says it."""
    rows = []
    for name, said in SCALE_OPTIONS:
        rows.append(f"| `--{name} N` | {said[:1].lower()}{said[1:].removesuffix('.')} |")
    return "\n".join(rows)
