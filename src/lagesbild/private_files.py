"""Private files and folders: what the package writes is readable by its owner only.

:func:`private_dir` creates folders with mode 0700 and :func:`open_private` / :func:`write_private`
files with mode 0600 (exactly, whatever the umask); :func:`tighten` removes group and other
permissions from an existing file. The store (its SQLite file), the key file, reports and exports
all use them, so they live at the bottom of the package, below the store and :mod:`lagesbild.privacy`
(which re-exports them).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "open_private", "private_dir", "tighten", "write_private"]

PRIVATE_DIR_MODE = 0o700
"""Folders the package creates for data (the data folder, report and export folders)."""
PRIVATE_FILE_MODE = 0o600
"""Files the package writes (the database, the key, reports, exports)."""


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700; an existing folder is left as it is.

    Returns:
        The path.
    """
    p = Path(path)
    missing: list[Path] = []
    q = p
    while not q.exists():
        missing.append(q)
        if q.parent == q:
            break
        q = q.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(d, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask; make it exact
    return p


def tighten(path: str | Path) -> bool:
    """Remove group and other permissions from an existing file or folder.

    Returns:
        True if the mode was changed (False if it was already private or does not exist).
    """
    p = Path(path)
    try:
        mode = stat.S_IMODE(p.stat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return False
    os.chmod(p, mode & ~(stat.S_IRWXG | stat.S_IRWXO))
    return True


@contextmanager
def open_private(path: str | Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open ``path`` for writing with mode 0600 (also when it existed with a wider mode).

    Args:
        path: the file.
        mode: ``"w"``, ``"wb"``, ``"a"``, ``"ab"`` (text modes take ``encoding``, ``newline``).
        **kwargs: passed to :func:`open`.
    """
    if not any(c in mode for c in "wax"):
        raise ValueError(f"open_private is for writing, not mode {mode!r}")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    if "x" in mode:
        flags |= os.O_EXCL
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        f = os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def write_private(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` with mode 0600 (text as ``encoding``); returns the path."""
    if isinstance(data, bytes):
        with open_private(path, "wb") as f:
            f.write(data)
    else:
        with open_private(path, "w", encoding=encoding) as f:
            f.write(data)
    return Path(path)
