"""botocore sessions that start from one copy of botocore's built-in event handlers.

A new botocore session registers its 127 built-in event handlers one by one, each
event name aliased and each handler's signature inspected on the way: ~10 ms of
CPU, nearly all of what a session costs, paid again for every account of an
organisation and every command of a process. The handlers are the same for every
session, so they are registered once, into an emitter kept for the process, and
each session starts from a copy of it, through the session's own ``event_hooks``
and ``include_builtin_handlers`` parameters (botocore copies a session's emitter
the same way for every client it makes).

Such a session has the handlers botocore would have registered, as long as

- botocore's list of built-in handlers is the one the kept emitter was made from: a
  library may add to ``botocore.handlers.BUILTIN_HANDLERS`` at any time (moto does
  when it is imported), so the list is compared at every session and a changed list
  makes the emitter again;
- the initializers registered with ``botocore.register_initializer`` put no handler
  in the kept emitter: every session runs them itself, so what they register would
  be there twice. The emitter is made only while they register nothing; while they
  do, sessions are made as botocore makes them. (To know, the initializers are run
  on a session made only to look: once a process, or once more a session while
  they register handlers.)
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import botocore.handlers
import botocore.session
from botocore.hooks import HierarchicalEmitter

_lock = threading.Lock()
# botocore's list of built-in handlers as it was, and the emitter made from it.
_kept: tuple[tuple[Any, ...], HierarchicalEmitter] | None = None


def new_session(profile: str | None = None) -> botocore.session.Session:
    """``botocore.session.Session(profile=profile)``, less the cost of registering
    botocore's built-in handlers in it."""
    hooks = _builtin_handlers()
    if hooks is None:
        return botocore.session.Session(profile=profile)
    return botocore.session.Session(
        event_hooks=copy.copy(hooks), include_builtin_handlers=False, profile=profile
    )


def _builtin_handlers() -> HierarchicalEmitter | None:
    """The emitter holding botocore's built-in handlers alone, made again when their
    list has changed; None when initializers register handlers of their own."""
    global _kept
    builtin = tuple(botocore.handlers.BUILTIN_HANDLERS)
    with _lock:
        if _kept is None or _kept[0] != builtin:
            noted = _NotedRegistrations()
            botocore.session.Session(event_hooks=noted, include_builtin_handlers=False)
            if noted.registered:
                # Looked at again for the next session: the initializers may be gone.
                return None
            hooks = HierarchicalEmitter()
            botocore.session.Session(event_hooks=hooks)
            _kept = (builtin, hooks)
        return _kept[1]


class _NotedRegistrations(HierarchicalEmitter):  # type: ignore[misc]
    """An emitter that notes whether a handler was registered on it."""

    def __init__(self) -> None:
        super().__init__()
        self.registered = False

    def register(self, *args: Any, **kwargs: Any) -> None:
        self.registered = True
        super().register(*args, **kwargs)

    def register_first(self, *args: Any, **kwargs: Any) -> None:
        self.registered = True
        super().register_first(*args, **kwargs)

    def register_last(self, *args: Any, **kwargs: Any) -> None:
        self.registered = True
        super().register_last(*args, **kwargs)
