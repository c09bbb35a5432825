"""The command table: where each command is, and what the top help says of it.

A command's module is imported only when the command runs (or when its own help is
asked for), so that start-up stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from exportctl.cli import servicehelp

# name -> "module:attribute"
COMMANDS: dict[str, str] = {
    "backups": "exportctl.cli.backups:backups",
    "cancel": "exportctl.cli.cancel:cancel",
    "completion": "exportctl.cli.completion:completion",
    "download": "exportctl.cli.download:download",
    "list": "exportctl.cli.listing:list_jobs",
    "rerun": "exportctl.cli.rerun:rerun",
    "sandbox": "exportctl.cli.sandbox:sandbox",
    "start": "exportctl.cli.start:start",
    "status": "exportctl.cli.status:status",
    "wait": "exportctl.cli.wait:wait",
    "watch": "exportctl.cli.watch:watch",
}


class _Summaries(Mapping[str, str]):
    """Command -> its summary; one that names services is made from their specs when read."""

    def __init__(self, given: Mapping[str, str | Callable[[], str]]) -> None:
        self._given = given

    def __getitem__(self, name: str) -> str:
        summary = self._given[name]
        return summary if isinstance(summary, str) else summary()

    def __iter__(self) -> Iterator[str]:
        return iter(self._given)

    def __len__(self) -> int:
        return len(self._given)


# What `exportctl --help` says of each command, so that listing them imports none
# of their modules. A test keeps each equal to its command's own first line.
SUMMARIES: Mapping[str, str] = _Summaries({
    "backups": servicehelp.backups_summary,
    "cancel": "Cancel running export jobs, of the services that have a cancel call.",
    "completion": "Print the completion script for SHELL.",
    "download": "Fetch what a COMPLETED export job exported into DEST.",
    "list": "List export jobs, every service by default, queried concurrently.",
    "rerun": "Start a new export job with the parameters of job REF (typically one that failed).",
    "sandbox": servicehelp.sandbox_summary,
    "start": "Start an export job: `exportctl start SERVICE --help` lists each service's options.",
    "status": "Show export jobs by reference: an ARN, a compact ref from `list`, or an id.",
    "wait": "Wait until export jobs are COMPLETED (or --until another state).",
    "watch": "Watch export jobs: those running, and those that ended in the last --keep.",
})  # fmt: skip
