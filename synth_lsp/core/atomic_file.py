"""Writing a file so that a crash at any moment leaves either the old or the new contents, whole:
a temporary file in the same directory, flushed to disk, renamed over the target, and the
directory flushed too (so the rename itself survives a power cut).

The file stays the user's file: a symlink is written through (its target is replaced, the link
stays a link), and the new contents keep the old file's permission bits (a new file gets the
usual ones, 0666 less the umask, not mkstemp's 0600).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """`mode`: the new file's permission bits (by default the old file's, or the usual ones)."""
    target = _through_symlinks(Path(path))
    mode = _mode_for(target) if mode is None else mode
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(target.parent)


def _through_symlinks(path: Path) -> Path:
    """The file a (chain of) symlink(s) points to; `path` itself when it is not a link. A loop fails
    here, before anything is written; a dangling link creates its target, as `open` would."""
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        return Path(os.path.realpath(path))


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # a platform or file system without directory handles: the rename is all we get
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
