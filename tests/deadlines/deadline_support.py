"""Endpoints that misbehave, and the installed console script run against them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).parent / "exportctl"
PERSONALIZE = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/"
PERSONALIZE_PENDING = PERSONALIZE + "items-refresh"
PERSONALIZE_DONE = PERSONALIZE + "items-catalog"
DISCOVERY_DONE = "discovery:export-14122a40-680a-46aa-afca-51d12afc8e00"
# Generous: a process that ignores its deadline or a signal fails the test, it is not timed.
HARNESS_TIMEOUT = 60


class BlackHole:
    """A 127.0.0.1 socket that accepts connections and never answers."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._lock = threading.Lock()
        self.accepted = 0
        self.closed = 0
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def waiting(self) -> int:
        """Connections the client still holds open, waiting for an answer."""
        with self._lock:
            return self.accepted - self.closed

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self._held.append(conn)
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
        with self._lock:
            self.closed += 1

    def close(self) -> None:
        self._server.close()
        with self._lock:
            for conn in self._held:
                with contextlib.suppress(OSError):
                    conn.close()


def environ(endpoint: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    env.update(
        AWS_ACCESS_KEY_ID="sandbox",
        AWS_SECRET_ACCESS_KEY="sandbox",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
        # A process that ignores a signal shows where it is stuck on SIGABRT.
        PYTHONFAULTHANDLER="1",
    )
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra)
    return env


def start(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ended(proc: subprocess.Popen[str], timeout: float = HARNESS_TIMEOUT) -> tuple[str, str]:
    """stdout and stderr once the process ends; fails if it does not."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate()
        raise AssertionError(f"still running:\n{err}") from None


def run(*args: str, env: dict[str, str], **kwargs: Any) -> tuple[int, str, str]:
    proc = start(*args, env=env, **kwargs)
    out, err = ended(proc)
    return proc.returncode, out, err


class StallingS3:
    """Just enough S3 for a download: one object listed under a prefix; its GET
    sends the headers and a little of the body, then nothing more while ``stall``."""

    def __init__(self, key: str, size: int = 4 * 1024 * 1024) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.key = key
        self.size = size
        self.stall = True
        self._release = threading.Event()
        self.gets = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if "list-type=2" in self.path:
                    owner._list(self)
                else:
                    owner._get(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _list(self, handler: Any) -> None:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>"
            f"<Contents><Key>{self.key}</Key><Size>{self.size}</Size>"
            '<ETag>"0123456789abcdef0123456789abcdef-2"</ETag></Contents>'
            "</ListBucketResult>"
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _get(self, handler: Any) -> None:
        self.gets += 1
        handler.send_response(200)
        handler.send_header("Content-Length", str(self.size))
        handler.send_header("ETag", '"0123456789abcdef0123456789abcdef-2"')
        handler.end_headers()
        handler.wfile.write(b"x" * 1024)
        handler.wfile.flush()
        if self.stall:
            self._release.wait(HARNESS_TIMEOUT)
            return
        handler.wfile.write(b"x" * (self.size - 1024))

    def release(self) -> None:
        """The GET held ends (cut short: the client asks again, for all of it if
        ``stall`` is off)."""
        self._release.set()

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def parts(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if ".exportctl-part-" in p.name)


def wait_for(condition: Any, what: str, proc: subprocess.Popen[str] | None = None) -> None:
    """Poll until ``condition()``; fails after HARNESS_TIMEOUT or if ``proc`` ends."""
    import time

    end = time.monotonic() + HARNESS_TIMEOUT
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"ended before {what}: {proc.communicate()}")
        assert time.monotonic() < end, f"never: {what}"
        time.sleep(0.02)


def read_line(proc: subprocess.Popen[str], stream: Any) -> str:
    """The next line of ``stream``; fails if none comes within the harness's limit."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(HARNESS_TIMEOUT)
    if not box:
        proc.kill()
        raise AssertionError("no line came")
    return box[0]
