"""The speech model: where it lives, checking it file by file, and installing it safely.

Installed models are folders ``.<name>-<n>`` next to a symlink ``<name>``; a new
download is unpacked and verified beside the old one and the symlink is then
swapped in one atomic rename, so an interrupted or tampered download can never
replace a good model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .paths import DATA_DIR

DUTCH_MODEL = "vosk-model-small-nl-0.22"
"""The small Dutch Vosk model."""
DUTCH_MODEL_URL = f"https://alphacephei.com/vosk/models/{DUTCH_MODEL}.zip"
"""Its official download."""
DUTCH_MANIFEST = DATA_DIR / "models" / f"{DUTCH_MODEL}.sha256"
"""SHA-256, size and path of every file in it."""
CHUNK = 1 << 16


class ModelError(Exception):
    """The model is missing, incomplete or could not be installed; the message says what to do."""


@dataclass(frozen=True)
class ManifestEntry:
    """One file of a model."""

    sha256: str
    """Its SHA-256, hex."""
    size: int
    """Its size in bytes."""
    path: str
    """Its path inside the model folder."""


def read_manifest(path: Path) -> list[ManifestEntry]:
    """The entries of a ``sha256  size  path`` manifest (``#`` lines are comments)."""
    entries = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, size, name = line.split(maxsplit=2)
            entries.append(ManifestEntry(digest, int(size), name))
    return entries


def verify_model(folder: Path, manifest: list[ManifestEntry], full: bool = True) -> list[str]:
    """Every way ``folder`` differs from ``manifest`` (empty: it is intact).

    ``full=False`` checks presence and sizes only: fast enough for every start.
    """
    problems = []
    for entry in manifest:
        path = folder / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
        elif path.stat().st_size != entry.size:
            problems.append(f"{entry.path} has {path.stat().st_size} bytes, expected {entry.size}")
        elif full and _sha256(path) != entry.sha256:
            problems.append(f"{entry.path} has the wrong SHA-256 (damaged or tampered with)")
    return problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def install_model(
    url: str,
    models_dir: Path,
    name: str,
    manifest: list[ManifestEntry],
    progress: Callable[[int, int | None], None] = lambda done, total: None,
) -> Path:
    """Download the zip at ``url``, verify it against ``manifest`` and make it ``models_dir/name``.

    ``progress(bytes_so_far, total_or_None)`` is called while downloading.
    On any failure the previous model, if any, stays exactly as it was.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".download-") as scratch:
        archive = Path(scratch) / "model.zip"
        _download(url, archive, progress)
        unpacked = _unpack(archive, Path(scratch) / "unpacked", manifest)
        problems = verify_model(unpacked, manifest)
        if problems:
            raise ModelError(f"the downloaded model failed verification, nothing was changed: {'; '.join(problems)}")
        return _swap_in(unpacked, models_dir, name)


def _download(url: str, target: Path, progress: Callable[[int, int | None], None]) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            total = int(response.headers["Content-Length"]) if response.headers.get("Content-Length") else None
            done = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise ModelError(f"the download from {url} failed ({err}); nothing was changed, try again") from None
    if total is not None and done != total:
        raise ModelError(f"the download from {url} stopped after {done} of {total} bytes; nothing was changed, try again")


def _unpack(archive: Path, target: Path, manifest: list[ManifestEntry]) -> Path:
    """Extract safely; returns the folder that holds the model's files."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelError(f"the download contains an unsafe path {member!r}; refused, nothing was changed")
            zipped.extractall(target)
    except zipfile.BadZipFile:
        raise ModelError("the download is not a zip archive; nothing was changed, try again") from None
    marker = manifest[0].path
    for candidate in [target, *sorted(p for p in target.iterdir() if p.is_dir())]:
        if (candidate / marker).is_file():
            return candidate
    raise ModelError(f"the download does not contain {marker}; is it the right model? Nothing was changed")


def _swap_in(unpacked: Path, models_dir: Path, name: str) -> Path:
    """Move the verified model next to the old one and point ``name`` at it atomically."""
    link = models_dir / name
    previous = link.resolve() if link.is_symlink() else None
    number = 1
    while (models_dir / f".{name}-{number}").exists():
        number += 1
    folder = models_dir / f".{name}-{number}"
    os.rename(unpacked, folder)
    if link.exists() and not link.is_symlink():  # a model unpacked by hand: keep it aside
        os.rename(link, models_dir / f".{name}-manual-{number}")
    temporary_link = models_dir / f".{name}-link-{number}"
    temporary_link.symlink_to(folder.name)
    os.replace(temporary_link, link)  # the atomic moment
    if previous is not None and previous != folder:
        shutil.rmtree(previous, ignore_errors=True)
    return link


def model_status(folder: Path, manifest: list[ManifestEntry] | None, full: bool) -> list[str]:
    """What is wrong with the model at ``folder`` (empty: usable), with the command that fixes it."""
    fix = "download it with: voice-coach model download"
    if not folder.exists():
        return [f"no speech model at {folder}; {fix}"]
    if manifest is None:
        return [] if (folder / "am").is_dir() or (folder / "conf").is_dir() else [f"{folder} does not look like a Vosk model"]
    problems = verify_model(folder, manifest, full)
    return [f"the model at {folder} is damaged: {p}; {fix} (again)" for p in problems]


def manifest_for(folder: Path) -> list[ManifestEntry] | None:
    """The Dutch manifest when ``folder`` is the Dutch model; None for any other model."""
    return read_manifest(DUTCH_MANIFEST) if folder.name == DUTCH_MODEL else None
