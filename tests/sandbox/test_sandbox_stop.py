"""A stopped sandbox ends the connections clients keep open between requests."""

from __future__ import annotations

import http.client
import threading
import time

import pytest

from exportctl.sandbox import Sandbox

STATE = "/_sandbox/state"


def _serving_threads() -> set[threading.Thread]:
    # The threads socketserver starts, one a connection, named for what they run.
    return {t for t in threading.enumerate() if t.name.endswith("(process_request_thread)")}


def test_a_kept_alive_connection_is_closed_and_its_thread_ends_at_stop() -> None:
    before = _serving_threads()
    sandbox = Sandbox(port=0, clock=lambda: 0.0).start()
    connection = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        connection.request("GET", STATE)
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200 and not answer.will_close
        # The connection stays open, a thread of the sandbox waiting on its next request.
        assert len(_serving_threads() - before) == 1
        sandbox.stop()
        # That thread ends: the sandbox closed the connection under it.
        deadline = time.monotonic() + 10
        while _serving_threads() - before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _serving_threads() - before
        # And the stopped sandbox answers nothing more there.
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            connection.request("GET", STATE)
            connection.getresponse()
    finally:
        connection.close()
        sandbox.stop()
