"""Folder options as Remote Access users type them: ``G:\\Bevolking\\GBAADRESOBJECTBUS``, quoted
paths, backslashes. On Windows pathlib takes them as they are; elsewhere (tests, a Linux analysis
server) backslashes become slashes so the same text names the same relative place."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

_DRIVE = re.compile(r"^[A-Za-z]:")


def parse(
    text: str | os.PathLike[str], *, windows: bool | None = None
) -> Path | PureWindowsPath | PurePosixPath:
    """A path option as a pathlib path (``windows`` forces the flavour; default: this machine's)."""
    s = os.fspath(text).strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        s = s[1:-1].strip()
    on_windows = os.name == "nt" if windows is None else windows
    if on_windows:
        w = PureWindowsPath(s)
        return Path(w) if os.name == "nt" else w
    if "\\" in s or _DRIVE.match(s):
        s = s.replace("\\", "/")
        s = re.sub(r"/{2,}", "/", s)
    return Path(s) if windows is None else PurePosixPath(s)


def option(text: str) -> Path:
    """Typer ``parser`` for path options."""
    p = parse(text)
    return p if isinstance(p, Path) else Path(str(p))
