"""Installing downloaded files safely, for speech models and voices alike.

Everything happens in a folder of the downloads' own (``models/``, ``voices/``):
one install at a time (a lock), leftovers of an interrupted one removed first,
root never working in a folder another user owns, and the result swapped in
with one atomic rename of a symlink. Only what this module made is deleted: its
``.download-*`` scratch folders and the ``.<name>-<n>`` folder a link named,
never a path a link leads to elsewhere.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import http.client
import os
import re
import shutil
import signal
import tempfile
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..paths import command_name, private_folder

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


def download(url: str, target: Path, progress: Callable[[int, int | None], None], limit: int) -> None:
    """Fetch ``url`` (``file://`` too) into ``target``, never more than ``limit`` bytes: a
    server that announces more is refused before anything is read, one that sends more is
    cut off there."""
    try:
        response = urllib.request.urlopen(url, timeout=60)
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as err:
        raise DownloadError(f"the download from {url} failed ({err}); nothing was changed, try again") from None
    too_large = f"the download from {url} is larger than the {limit} bytes expected; stopped, nothing was changed (is it the right file?)"
    with response, target.open("wb") as out:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > limit:
            raise DownloadError(too_large)
        done = 0
        while True:
            try:
                chunk = response.read(CHUNK)
            except (OSError, ValueError, http.client.HTTPException) as err:
                raise DownloadError(f"the download from {url} failed ({err}); nothing was changed, try again") from None
            if not chunk:
                break
            done += len(chunk)
            if done > limit:
                raise DownloadError(too_large)
            out.write(chunk)  # a full or read-only disk: see writing_in
            progress(done, total)
    if total is not None and done != total:
        raise DownloadError(f"the download from {url} stopped after {done} of {total} bytes; nothing was changed, try again")


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""A service stop or kill, and a closed terminal (an ssh session to the Pi that drops)."""


@contextmanager
def writing_in(folder: Path) -> Iterator[None]:
    """An install into ``folder``: a full disk or a folder it may not write becomes a
    DownloadError that says so, and :data:`STOP_SIGNALS` end it through every ``finally``,
    so no partial file is left behind."""
    previous = _raise_on_stop_signals()
    try:
        yield
    except OSError as err:
        raise DownloadError(_write_problem(err, folder)) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def install_scratch(folder: Path) -> Iterator[Path]:
    """An install into ``folder`` (made private if new), the only one there: a scratch
    folder inside it to stage in, gone afterwards with any an interrupted install left."""
    check_owner(folder)
    with writing_in(folder):
        private_folder(folder)
        with install_lock(folder):
            remove_leftovers(folder)
            with tempfile.TemporaryDirectory(dir=folder, prefix=SCRATCH_PREFIX) as scratch:
                yield Path(scratch)


def _raise_on_stop_signals() -> dict[int, object]:
    """Make each stop signal raise SystemExit (exit status 128 + its number) here; the
    handlers replaced (none outside the main thread, where Python cannot handle signals)."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    return {signum: signal.signal(signum, stop) for signum in STOP_SIGNALS}


def _write_problem(err: OSError, folder: Path) -> str:
    where = err.filename or folder
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {folder} is full; make room there (or choose another folder) and try again; nothing was changed"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write {where} ({err.strerror}); run this as the user who owns {folder}, or choose another folder; nothing was changed"
    return f"cannot write {where} ({err.strerror}); nothing was changed"


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
    installed = folder / f".{name}-{number}"
    os.rename(unpacked, installed)
    if link.exists() and not link.is_symlink():  # one unpacked by hand: kept aside, beside it, never deleted
        os.rename(link, folder / f".{name}-manual-{number}")
    temporary_link = folder / f".{name}-link-{number}"
    temporary_link.symlink_to(installed.name)
    os.replace(temporary_link, link)  # the atomic moment
    if previous is not None and previous != installed:
        shutil.rmtree(previous, ignore_errors=True)
    return link
