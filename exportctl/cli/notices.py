"""The Python API's warnings (its ``exportctl`` logger's) as a command's notices."""

from __future__ import annotations

import logging
from collections.abc import Callable


class Notices(logging.Handler):
    """Says each warning of the API as one ``exportctl: notice:`` line on stderr."""

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.WARNING)
        self._say = say

    def emit(self, record: logging.LogRecord) -> None:
        self._say(record.getMessage())
