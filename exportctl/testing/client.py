"""The plugin's client of the sandbox: its calls run pointed at the sandbox."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from exportctl.api.client import Client

# The client's methods that wait or call (and so may back off), run pointed at the sandbox.
_CLOCKED = ("wait", "waiting", "watching", "start", "rerun", "submit", "job_of", "get",
            "get_many", "cancel", "cancel_many", "download", "list", "backups")  # fmt: skip


def clocked_client(
    pointed: Callable[[], contextlib.AbstractContextManager[None]], **options: Any
) -> Client:
    class SandboxClient(Client):
        pass

    def on_the_clock(name: str) -> Callable[..., Any]:
        method = getattr(Client, name)

        def run(self: Client, *args: Any, **kwargs: Any) -> Any:
            with pointed():
                return method(self, *args, **kwargs)

        run.__name__ = run.__qualname__ = name
        run.__doc__ = method.__doc__
        return run

    for name in _CLOCKED:
        setattr(SandboxClient, name, on_the_clock(name))
    client = SandboxClient(**options)
    # Past any proxy the machine names to 127.0.0.1, as the embedded sandbox's clients
    # go, for the clients it makes outside the calls above (a listing being read).
    client._base = replace(client._base, direct=True)
    return client
