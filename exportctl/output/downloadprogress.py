"""What `download` shows of its progress on stderr while it fetches: a bar on a
terminal, a line a file elsewhere (``ops.download.records``' reporter)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from exportctl.domain.printable import inline
from exportctl.output.console import on_terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from exportctl.ops.download.records import Item


def progress_reporter(console: Console) -> Any:
    """A bar on a terminal, plain lines elsewhere."""
    return RichReporter(console) if on_terminal(console) else PlainReporter(console)


class PlainReporter:
    """One line per finished file, on stderr: for log files and pipes."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def planned(self, files: int, size: int | None) -> None:
        pass

    def advanced(self, item: Item, nbytes: int) -> None:
        pass

    def finished(self, item: Item) -> None:
        self.console.print(f"fetched {inline(item.rel)}", markup=False, soft_wrap=True)


class RichReporter:
    """A progress bar of bytes, with files done and the transfer rate."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.files = 0
        self.done = 0
        self.lock = threading.Lock()

    def planned(self, files: int, size: int | None) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.files = files
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.progress.add_task(self._label(), total=size)
        self.progress.start()

    def _label(self) -> str:
        return f"files {self.done}/{self.files}"

    def advanced(self, item: Item, nbytes: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, nbytes)

    def finished(self, item: Item) -> None:
        with self.lock:
            self.done += 1
            label = self._label()
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=label)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
