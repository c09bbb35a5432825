"""Text that is safe to show people: no terminal control, no signed URL.

Everything a service returns (job ids, messages, S3 keys) may hold escape
sequences, or bidirectional controls that make a terminal show text in another
order than it is; a pre-signed URL is a credential. Human output (tables,
panels, the live view, messages on stderr) goes through :func:`for_people`;
json and ndjson keep every character, JSON-escaped, and csv escapes control
characters.
"""

from __future__ import annotations

import re

# Unicode's bidirectional embeddings, overrides and isolates (LRE..RLO, LRI..PDI):
# they reorder what follows them on screen. The marks (LRM, RLM, ALM) only give
# neutral characters a direction, as right-to-left names need, and pass.
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 (ESC, BEL, CR...), DEL, C1 (the one-byte CSI and OSC among them) and _BIDI.
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# Only DEL, C1 and _BIDI survive json.dumps, which escapes C0 itself.
_JSON_UNESCAPED = re.compile(f"[\x7f-\x9f{_BIDI}]")
# An http(s) URL's query string: where a pre-signed URL keeps its signature.
_URL_QUERY = re.compile(r"(https?://[^\s?#]+)\?[^\s#]*", re.IGNORECASE)


def escape_controls(text: str, *, keep: str = "") -> str:
    """``text`` with control characters written as ``\\xNN`` (C0, DEL) or
    ``\\uNNNN`` (C1, bidirectional controls), so that nothing a service sent can
    drive the terminal or reorder what it shows.
    Characters in ``keep`` (a newline, a tab) pass through."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m[0] if m[0] in keep else _visible(m[0]), text)


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


def json_text(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and
    bidirectional controls escaped too: the same document, nothing left for a
    terminal to act on."""
    if dumped.isascii() and "\x7f" not in dumped:
        # C1 and _BIDI are not ASCII, and ASCII text says so in O(1): most records end here.
        return dumped
    if not _JSON_UNESCAPED.search(dumped):
        return dumped
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", dumped)


def redact(url: str) -> str:
    """A pre-signed URL grants access to whoever holds it: keep the query string out."""
    return redact_urls(url)


def redact_urls(text: str) -> str:
    """Every http(s) URL in ``text`` without its query string (``https://host/path?…``)."""
    if "?" not in text:
        return text
    return _URL_QUERY.sub(lambda m: f"{m[1]}?…", text)


def for_people(text: str) -> str:
    """What human output shows of any text: control characters escaped (newlines
    and tabs kept, for layout), signed URLs cut to where they point."""
    if text.isprintable() and "?" not in text:
        # Most text: no control character (none is printable) and no query string.
        return text
    return redact_urls(escape_controls(text, keep="\n\t"))


def inline(text: str) -> str:
    """A key, a path or a name as part of a line for people: every control character
    escaped, a tab (``\\x09``) and a newline (``\\x0a``) too, which :func:`for_people`
    keeps for the layout of what it is given whole, and which would break such a
    line into columns or lines of its own."""
    return escape_controls(text)


def one_line(text: str) -> str:
    """A vendor's word as a table cell or a line shows it: its whitespace, newlines
    included, one space (a status word is kept as sent in the record)."""
    return " ".join(text.split())
