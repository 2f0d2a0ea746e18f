"""The speech model: where it lives, checking it file by file, and installing it safely.

Installed models are folders ``.<name>-<n>`` next to a symlink ``<name>``; a new
download is unpacked and verified beside the old one and the symlink is then
swapped in one atomic rename, so an interrupted or tampered download can never
replace a good model. Only what this module made is ever deleted: its own
``.download-*`` scratch folders and the ``.<name>-<n>`` folder the link named,
never a path a link leads to elsewhere. An archive that unpacks to more than the
manifest (plus :data:`UNPACK_SLACK_BYTES`) is refused before it is unpacked.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..paths import DATA_DIR, command_name
from .download import DownloadError, download, file_digest, install_scratch, swap_in

DUTCH_MODEL = "vosk-model-small-nl-0.22"
"""The small Dutch Vosk model."""
DUTCH_MODEL_URL = f"https://alphacephei.com/vosk/models/{DUTCH_MODEL}.zip"
"""Its official download."""
DUTCH_MANIFEST = DATA_DIR / "models" / f"{DUTCH_MODEL}.sha256"
"""SHA-256, size and path of every file in it."""
UNPACK_SLACK_BYTES = 1 << 20
"""Room beyond the manifest's total for what an archive may unpack (folders, a stray README)."""
UNPACK_SLACK_FILES = 32
"""Members beyond the manifest's files an archive may hold (folder entries)."""


class ModelError(DownloadError):
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
    """The entries of a ``sha256  size  path`` manifest (``#`` lines are comments);
    ModelError names the file and line of anything else."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ModelError(f"cannot read the manifest {path} ({err}); give a SHA-256 manifest file") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) != 3 or not re.fullmatch(r"[0-9a-f]{64}", parts[0]) or not parts[1].isdigit() or "\0" in parts[2]:
            raise ModelError(f"{path}: line {number} is not 'sha256  size  path'; fix or replace the manifest")
        entries.append(ManifestEntry(parts[0], int(parts[1]), parts[2].strip()))
    if not entries:
        raise ModelError(f"{path}: lists no files; give the model's SHA-256 manifest")
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
        elif full and file_digest(path, "sha256") != entry.sha256:
            problems.append(f"{entry.path} has the wrong SHA-256 (damaged or tampered with)")
    return problems


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
    try:
        return _install(url, models_dir, name, manifest, progress)
    except ModelError:
        raise
    except DownloadError as err:
        raise ModelError(str(err)) from None


def _install(url: str, models_dir: Path, name: str, manifest: list[ManifestEntry], progress) -> Path:
    with install_scratch(models_dir) as scratch:
        return _install_in(scratch, url, models_dir, name, manifest, progress)


def _install_in(scratch: Path, url: str, models_dir: Path, name: str, manifest: list[ManifestEntry], progress) -> Path:
    archive = scratch / "model.zip"
    # The zip is no larger than what it unpacks to (the manifest's files, UNPACK_SLACK_BYTES more at most).
    download(url, archive, progress, sum(e.size for e in manifest) + UNPACK_SLACK_BYTES)
    unpacked = _unpack(archive, scratch / "unpacked", manifest)
    problems = verify_model(unpacked, manifest)
    if problems:
        raise ModelError(f"the downloaded model failed verification, nothing was changed: {'; '.join(problems)}")
    return swap_in(unpacked, models_dir, name)


def _unpack(archive: Path, target: Path, manifest: list[ManifestEntry]) -> Path:
    """Extract safely; returns the folder that holds the model's files."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.infolist()
            for member in members:
                if member.filename.startswith("/") or ".." in Path(member.filename).parts:
                    raise ModelError(f"the download contains an unsafe path {member.filename!r}; refused, nothing was changed")
            _check_size(members, manifest)
            zipped.extractall(target)
    except zipfile.BadZipFile:
        raise ModelError("the download is not a zip archive; nothing was changed, try again") from None
    marker = manifest[0].path
    for candidate in [target, *sorted(p for p in target.iterdir() if p.is_dir())]:
        if (candidate / marker).is_file():
            return candidate
    raise ModelError(f"the download does not contain {marker}; is it the right model? Nothing was changed")


def _check_size(members: list[zipfile.ZipInfo], manifest: list[ManifestEntry]) -> None:
    """Refuse an archive that would unpack to more than the model (a zip bomb, or junk)."""
    unpacked = sum(m.file_size for m in members)
    allowed = sum(e.size for e in manifest) + UNPACK_SLACK_BYTES
    if unpacked > allowed or len(members) > len(manifest) + UNPACK_SLACK_FILES:
        raise ModelError(
            f"the download would unpack to {len(members)} files and {unpacked} bytes, more than the model "
            f"({len(manifest)} files, {allowed - UNPACK_SLACK_BYTES} bytes); refused, nothing was changed"
        )


def model_status(folder: Path, manifest: list[ManifestEntry] | None, full: bool) -> list[str]:
    """What is wrong with the model at ``folder`` (empty: usable), with the command that fixes it."""
    fix = f"download it with: {command_name()} model download"
    if not folder.exists():
        return [f"no speech model at {folder}; {fix}"]
    if manifest is None:
        return [] if (folder / "am").is_dir() or (folder / "conf").is_dir() else [f"{folder} does not look like a Vosk model"]
    problems = verify_model(folder, manifest, full)
    return [f"the model at {folder} is damaged: {p}; {fix} (again)" for p in problems]


def manifest_for(folder: Path) -> list[ManifestEntry] | None:
    """The Dutch manifest when ``folder`` is the Dutch model; None for any other model."""
    return read_manifest(DUTCH_MANIFEST) if folder.name == DUTCH_MODEL else None
