"""Durable writes: flush a file's or a folder's new entries to disk (torch-free).

A rename is atomic for other processes (a killed writer leaves the old or the new file),
but only an ``fsync`` of the file and of its folder makes it survive a power cut or an
OS crash. Model folders (:mod:`lstmkit.io.model`) and training checkpoints
(:mod:`lstmkit.training.checkpoints`) both write this way.
"""

from __future__ import annotations

import os
from pathlib import Path


def fsync_file(path: str | Path) -> None:
    """Flush a written file's contents to disk.

    Args:
        path: the file.

    Returns:
        None.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> _ = f.write_text("data")
        >>> fsync_file(f)
    """
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: str | Path) -> None:
    """Flush a folder's entries (new names, renames) to disk; a no-op off POSIX
    (Windows cannot open folders).

    Args:
        path: the folder.

    Returns:
        None.

    Example:
        >>> import tempfile
        >>> fsync_dir(tempfile.mkdtemp())
    """
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
