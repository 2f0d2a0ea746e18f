"""Writing a file the person named that holds their words (a journal export, a rendered
exercise with its said-back answers), safely even as root: a private temporary file beside it, renamed into place when complete.

The name the person gave is never opened: a device node, FIFO or link there is not
followed, chmodded or waited on, and a file of another user is refused rather than
handed the person's words. A full disk leaves nothing behind.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable, TypeVar

T = TypeVar("T")


class PrivateFileError(Exception):
    """The file cannot be written; the message names it and says why."""


def check_target(path: Path) -> None:
    """Refuse a ``path`` that exists and is not a regular file of the caller's own."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as err:
        raise PrivateFileError(f"cannot write {path}: {err.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise PrivateFileError(f"{path} is a link; name the file itself, or a new file")
    if not stat.S_ISREG(info.st_mode):
        raise PrivateFileError(f"{path} is not a regular file (a device, FIFO or folder); name a new file")
    if info.st_uid != os.geteuid():
        raise PrivateFileError(f"{path} belongs to another user (uid {info.st_uid}); name a file of your own or a new one")


def write_private(path: Path, write: Callable[[IO], T], binary: bool = False) -> T:
    """Write ``path`` (mode 0600; UTF-8 text, or bytes with ``binary``) through ``write``,
    whose result is passed on; an existing ``path`` is replaced only when it is the caller's
    regular file."""
    check_target(path)
    folder = path.parent
    try:
        fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)  # O_EXCL, 0600
    except OSError as err:
        raise PrivateFileError(f"cannot write {path}: {err.strerror} (in the folder {folder})") from None
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        check_target(path)  # again: it may have changed while writing
        os.rename(scratch, path)  # replaces a link or file there itself, never what it points to
    except OSError as err:
        raise PrivateFileError(f"cannot write {path}: {err.strerror}") from None
    finally:
        if os.path.lexists(scratch):
            os.unlink(scratch)
    return result
