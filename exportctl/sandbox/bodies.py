"""A request's body as its headers announce it, or why it cannot be read."""

from __future__ import annotations

import re
import socket
from email.message import Message
from io import BufferedIOBase

# The largest body read: every request the sandbox answers is a few kilobytes.
MAX_BODY = 16 * 1024 * 1024
# How long the rest of an announced body is waited for: a client that sends less
# than its Content-Length and keeps the connection open would hold a thread for ever.
BODY_SECONDS = 10.0


class Unreadable(Exception):
    """The body cannot be read as announced: the HTTP status and one line why. The
    connection is closed after the answer, since where the next request starts in it
    is not known."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(headers: Message, rfile: BufferedIOBase, connection: socket.socket) -> bytes:
    """The body ``headers`` announce, read from ``rfile``; :class:`Unreadable` when it
    is chunked (read as the next request, it was answered twice), its length is no
    length or too large, or it ends before that length."""
    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        raise Unreadable(411, "the sandbox reads a body sent with Content-Length, not chunked")
    given = headers.get("Content-Length")
    if given is None:
        return b""
    if not re.fullmatch("[0-9]+", given.strip()):
        raise Unreadable(400, f"Content-Length {given!r} is no length in bytes")
    length = int(given)
    if length > MAX_BODY:
        raise Unreadable(413, f"a body of {length} bytes is more than the {MAX_BODY} read")
    if not length:
        return b""
    previous = connection.gettimeout()
    connection.settimeout(BODY_SECONDS)
    try:
        body = rfile.read(length)
    except OSError:
        body = b""
    finally:
        connection.settimeout(previous)
    if len(body) < length:
        raise Unreadable(
            400, f"the body ended before the {length} bytes its Content-Length announced"
        )
    return body
