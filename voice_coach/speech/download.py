"""Installing downloaded files safely, for speech models and voices alike.

Everything happens in a folder of the downloads' own (``models/``, ``voices/``):
one install at a time (a lock), leftovers of an interrupted one removed first,
root never working in a folder another user owns, and the result swapped in
with one atomic rename of a symlink. Only what this module made is deleted: its
``.download-*`` scratch folders and the ``.<name>-<n>`` folder a link named,
never a path a link leads to elsewhere.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..paths import command_name

CHUNK = 1 << 16
SCRATCH_PREFIX = ".download-"
"""Scratch folders of a download: left by an interrupted one, removed by the next."""


def file_digest(path: Path, algorithm: str) -> str:
    """The hex digest of a file (``sha256``, ``md5``), read in chunks."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class DownloadError(Exception):
    """A download or install failed; nothing was changed. The message says what to do."""


def check_owner(folder: Path) -> None:
    """Root never works in a folder another user owns: that user could plant links
    that make root delete or overwrite what they point to."""
    if os.geteuid() != 0:
        return
    for folder in (folder, *folder.parents):
        if folder.exists():
            owner = folder.stat().st_uid
            if owner != 0:
                raise DownloadError(
                    f"{folder} belongs to user id {owner}, not root; run this as that user "
                    f"(for the service: sudo -u voice-coach {command_name()} ...)"
                )
            return


@contextmanager
def install_lock(folder: Path) -> Iterator[None]:
    """One install at a time in ``folder`` (so a second one never clears the first's scratch)."""
    fd = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DownloadError(f"another download is running in {folder}; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


def remove_leftovers(folder: Path) -> None:
    """Scratch folders of an interrupted download; a link among them is removed, not followed."""
    for leftover in folder.glob(f"{SCRATCH_PREFIX}*"):
        if leftover.is_symlink() or not leftover.is_dir():
            leftover.unlink()
        else:
            shutil.rmtree(leftover)  # never follows links inside


def download(url: str, target: Path, progress: Callable[[int, int | None], None]) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            total = int(response.headers["Content-Length"]) if response.headers.get("Content-Length") else None
            done = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise DownloadError(f"the download from {url} failed ({err}); nothing was changed, try again") from None
    if total is not None and done != total:
        raise DownloadError(f"the download from {url} stopped after {done} of {total} bytes; nothing was changed, try again")


def _own_folder(link: Path) -> Path | None:
    """The folder ``link`` names when it is one this module made (``.<name>-<n>`` right
    beside it, a real folder); None for anything else, which is then never deleted."""
    target = os.readlink(link)
    if not re.fullmatch(rf"\.{re.escape(link.name)}-\d+", target):
        return None
    folder = link.parent / target
    return folder if folder.is_dir() and not folder.is_symlink() else None


def swap_in(unpacked: Path, folder: Path, name: str) -> Path:
    """Move the verified model next to the old one and point ``name`` at it atomically."""
    link = folder / name
    previous = _own_folder(link) if link.is_symlink() else None
    number = 1
    while os.path.lexists(folder / f".{name}-{number}"):
        number += 1
    folder = folder / f".{name}-{number}"
    os.rename(unpacked, folder)
    if link.exists() and not link.is_symlink():  # a model unpacked by hand: keep it aside
        os.rename(link, folder / f".{name}-manual-{number}")
    temporary_link = folder / f".{name}-link-{number}"
    temporary_link.symlink_to(folder.name)
    os.replace(temporary_link, link)  # the atomic moment
    if previous is not None and previous != folder:
        shutil.rmtree(previous, ignore_errors=True)
    return link
