"""What `wait` and `watch` do with each change besides showing it: the event lines of
``-o ndjson`` (:mod:`exportctl.output.eventlines`), flushed as they happen, and
``--exec``'s command for each job that ends (:mod:`exportctl.ops.jobhook`)."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from typing import Any

import click

from exportctl.cli.context import AppContext
from exportctl.domain.model import ExportJob
from exportctl.ops.polling.events import Event
from exportctl.ops.workers import CANCEL_POLL


def exec_option(what: str) -> Callable[[Any], Any]:
    return click.option(
        "--exec",
        "exec_command",
        metavar="CMD",
        help=f"Run the shell command CMD once for each job that {what}, the job in its "
        "environment: EXPORTCTL_REF, EXPORTCTL_SERVICE, EXPORTCTL_STATE, EXPORTCTL_STATUS "
        "and EXPORTCTL_JOB (the record as JSON), never in CMD's text. Its output goes to "
        "stderr; a failure is reported and does not stop the command.",
        callback=_a_command,
    )


def _a_command(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("an empty command runs nothing: give one, or leave --exec out")
    return value


class EventSink:
    """Writes a command's event lines and runs its --exec command, as events come."""

    def __init__(
        self,
        app: AppContext,
        *,
        lines: bool,
        exec_command: str | None,
        ends_on_decision: bool,
        record: Callable[[ExportJob], dict[str, Any]] = ExportJob.to_dict,
        shape: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        self.app = app
        self.lines = lines
        self.exec_command = exec_command
        self.ends_on_decision = ends_on_decision
        self.record = record
        # What --fields and --query make of the job of a line (--exec has it whole).
        self.shape = shape
        self.hook_failures = 0
        # The ended jobs whose --exec is to run, one at a time, in the order they
        # ended, on a thread of their own: a slow command holds back no round, and
        # no --timeout (None ends the thread).
        self._ended: queue.SimpleQueue[ExportJob | None] = queue.SimpleQueue()
        self._runner: threading.Thread | None = None
        self._runner_done = threading.Event()
        # Set when the command ends before the queue does: no more command is run,
        # and those left are named.
        self._closed = threading.Event()
        self._left: list[ExportJob] = []
        self._left_lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self.lines or self.exec_command is not None

    def handle(self, event: Event) -> None:
        from exportctl.output.eventlines import event_lines

        ended: ExportJob | None = None
        shape = self.shape
        record = self.record if shape is None else (lambda job: shape(self.record(job)))
        for kind, line in event_lines(event, record, ends_on_decision=self.ends_on_decision):
            if self.lines:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            if kind == "ENDED" and event.tracked is not None:
                ended = event.tracked.job
        if ended is not None and self.exec_command is not None:
            if self._runner is None:
                self._runner = threading.Thread(target=self._runs, name="exec", daemon=True)
                self._runner.start()
            self._ended.put(ended)

    def finish(self, timeout: float | None = None) -> None:
        """Let the --exec commands queued or running end: all of them (None), or
        those that do within ``timeout`` seconds (a wait out of time, interrupted:
        the command does not outlast what it was given for them)."""
        if self._runner is None:
            return
        self._ended.put(None)
        # Not Thread.join: a join a signal interrupts marks the thread ended while it
        # runs (CPython's bpo-45274 handling), and a second finish would name nothing.
        if timeout is None:
            # In short waits: a signal another thread took is seen (workers.next_item).
            while not self._runner_done.wait(CANCEL_POLL):
                pass
        if self._runner_done.wait(timeout or 0.0):
            return
        # Out of time or interrupted: the commands still queued never run; say whose.
        self._closed.set()
        while True:
            try:
                job = self._ended.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._leave(job)
        with self._left_lock:
            left = list(self._left)
        if left:
            from exportctl.domain.errors import clip

            refs = ", ".join(clip(job.ref) for job in left[:5])
            more = f" and {len(left) - 5} more" if len(left) > 5 else ""
            noun = "job" if len(left) == 1 else "jobs"
            self.app.notice(f"--exec did not run for {len(left)} {noun} that ended: {refs}{more}")

    def _leave(self, job: ExportJob) -> None:
        with self._left_lock:
            self._left.append(job)

    def _runs(self) -> None:
        try:
            while (job := self._ended.get()) is not None:
                if self._closed.is_set():
                    self._leave(job)
                    continue
                self._run(job)
        finally:
            self._runner_done.set()

    def _run(self, job: ExportJob) -> None:
        from exportctl.ops.jobhook import run_hook

        done = run_hook(self.exec_command or "", job, self.record(job))
        if done.error is not None:
            self.hook_failures += 1
            self.app.error(f"--exec for {job.ref}: could not run: {done.error}")
        elif done.status != 0:
            self.hook_failures += 1
            status = done.status or 0
            how = (
                f"was ended by signal {-status} ({_signal_name(-status)})"
                if status < 0
                else f"exited with status {status}"
            )
            self.app.error(f"--exec for {job.ref}: {how}")


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"
