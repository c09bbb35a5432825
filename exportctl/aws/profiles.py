"""Where AWS profiles live and which exist, read as plain files.

Shell completion offers these names without importing botocore, and an unknown
profile's error names the files it was looked for in.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from exportctl.domain.errors import quoted
from exportctl.store.cachefiles import open_cached

if TYPE_CHECKING:
    import configparser


# Expanded as botocore expands them, with os.path.expanduser: without a home folder
# "~" stays as it is, where pathlib's expanduser and Path.home() raise RuntimeError.
def config_file() -> Path:
    return Path(os.path.expanduser(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"))


def credentials_file() -> Path:
    return Path(
        os.path.expanduser(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")
    )


def _read_ini(path: Path) -> configparser.RawConfigParser | None:
    import configparser
    import io

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        # A regular file only: a FIFO named by AWS_CONFIG_FILE would hold a Tab press
        # for ever, and a device such as /dev/zero would be read without end.
        with io.TextIOWrapper(open_cached(path), encoding="utf-8") as handle:
            parser.read_file(handle, str(path))
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    return parser


def profile_names() -> list[str]:
    """Profiles of the AWS config and credentials files, as the AWS CLI finds them."""
    names: list[str] = []
    parsed = _read_ini(config_file())
    for section in parsed.sections() if parsed else ():
        names.extend(_profiles_in(section))
    parsed = _read_ini(credentials_file())
    names.extend(parsed.sections() if parsed else ())
    return sorted(dict.fromkeys(n for n in names if n))


def profile_region(name: str) -> str | None:
    """The region profile ``name`` sets, as botocore reads it (its config file's
    section, the credentials file's of the same name over it); None: it sets none,
    or is not there."""
    region = ""
    config = _read_ini(config_file())
    for section in config.sections() if config else ():
        if config and _profiles_in(section) == [name] and config.has_option(section, "region"):
            region = config.get(section, "region")
    # botocore puts the credentials file's keys over the config file's, an empty one too.
    credentials = _read_ini(credentials_file())
    if credentials and credentials.has_option(name, "region"):
        region = credentials.get(name, "region")
    return region.strip() or None


def _profiles_in(section: str) -> list[str]:
    """The profile a section of the config file is, as botocore reads it: "default"
    and "profile NAME"; other sections (sso-session, services) are none."""
    if section == "default":
        return [section]
    return _profile_of(section) if section.startswith("profile") else []


def _profile_of(section: str) -> list[str]:
    """The profile a ``[profile NAME]`` section names, split as botocore splits it
    (``profile "my team"`` is ``my team``; ``profile my team`` is none)."""
    import shlex

    try:
        parts = shlex.split(section)
    except ValueError:
        return []
    return [parts[1]] if len(parts) == 2 else []


def unknown_profile_message(name: str, given: str = "--profile") -> str:
    """One line: which profile, where it came from (``given``: the option, as the
    caller's user gives it, or a variable), where profiles are read, which exist."""
    source = given
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if os.environ.get(variable) == name:
            source = variable
            break
    known = profile_names()
    unread = "".join(
        f"{_home(path)} cannot be read ({why}); "
        for path, variable in (
            (config_file(), "AWS_CONFIG_FILE"),
            (credentials_file(), "AWS_SHARED_CREDENTIALS_FILE"),
        )
        if (why := _unread(path, variable))
    )
    return (
        f"no AWS profile named {quoted(name)} ({source}): profiles are read from "
        f"{_shown(config_file(), 'AWS_CONFIG_FILE')} and "
        f"{_shown(credentials_file(), 'AWS_SHARED_CREDENTIALS_FILE')}; {unread}"
        + (f"known profiles: {', '.join(known)}" if known else "none is defined there")
    )


def _unread(path: Path, variable: str) -> str | None:
    """Why the profiles of ``path`` could not be read, in the OS's words (a file
    missing, refused, a folder); None when they could, and for a default file that is
    not there: no profile is kept there, as for the AWS CLI."""
    if os.path.isdir(path):
        return os.strerror(errno.EISDIR)
    try:
        # Opened, not read: a FIFO or a device (/dev/null) is botocore's to read.
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)))
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and not os.environ.get(variable):
            return None
        return str(exc.strerror or exc)
    return None


def _home(path: Path) -> str:
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home) :] if text.startswith(home + os.sep) else text


def _shown(path: Path, variable: str) -> str:
    text = _home(path)
    return f"{text} ({variable})" if os.environ.get(variable) else text
