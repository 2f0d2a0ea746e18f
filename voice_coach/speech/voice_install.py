"""Downloading a Dutch Piper voice, verifying it, and installing it atomically.

A voice is two files, ``<id>.onnx`` and ``<id>.onnx.json``, from the
rhasspy/piper-voices repository (or a folder carried over to an offline Pi).
Each is checked against the sizes and MD5 digests of ``data/voices/piper-dutch.tsv``;
and the config must be one Piper can load (its digest was not always published).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..paths import command_name
from .download import DownloadError, download, file_digest, install_scratch, swap_in
from .piper_synthesis import CONFIG_MAX_BYTES, config_problem
from .piper_catalogue import PiperEntry

PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
"""Where the rhasspy/piper-voices files are served."""


def verify_voice(folder: Path, entry: PiperEntry) -> list[str]:
    """Every way the voice in ``folder`` differs from the catalogue (empty: intact)."""
    problems = []
    for name, size, md5 in ((f"{entry.id}.onnx", entry.onnx_bytes, entry.onnx_md5), (f"{entry.id}.onnx.json", entry.json_bytes, entry.json_md5)):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif size is not None and path.stat().st_size != size:
            problems.append(f"{name} has {path.stat().st_size} bytes, expected {size}")
        elif md5 is not None and file_digest(path, "md5") != md5:
            problems.append(f"{name} has the wrong MD5 (damaged or tampered with)")
    if not problems:  # a digest can only be checked where one was published: the content always is
        why = config_problem(folder / f"{entry.id}.onnx.json")
        problems += [why] if why else []
    return problems


def voice_status(folder: Path, entry: PiperEntry) -> list[str]:
    """What is wrong with an installed voice, with the command that fixes it."""
    fix = f"download it with: {command_name()} voice download {entry.id}"
    if not folder.exists():
        return [f"Piper voice {entry.id} is not installed; {fix}"]
    return [f"the voice at {folder} is damaged: {p}; {fix} (again)" for p in verify_voice(folder, entry)]


def install_voice(
    entry: PiperEntry, voices_dir: Path, source: str = PIPER_VOICES_URL,
    progress: Callable[[int, int | None], None] = lambda done, total: None,
) -> Path:
    """Fetch ``entry`` from ``source`` (a URL base, or a local folder with both files),
    verify it and make it ``voices_dir/<id>``; on any failure nothing changes."""
    with install_scratch(voices_dir) as scratch:
        staged = scratch / entry.id
        staged.mkdir()
        for suffix, size in ((".onnx", entry.onnx_bytes), (".onnx.json", entry.json_bytes or CONFIG_MAX_BYTES)):
            target = staged / f"{entry.id}{suffix}"
            download(_url(source, entry, target.name, suffix), target, progress, size)
        problems = verify_voice(staged, entry)
        if problems:
            raise DownloadError(f"the voice {entry.id} failed verification, nothing was changed: {'; '.join(problems)}")
        return swap_in(staged, voices_dir, entry.id)


def _url(source: str, entry: PiperEntry, name: str, suffix: str) -> str:
    """Where one file of ``entry`` is: in ``source`` when that is a local folder (a regular
    file there, so its size is known before anything is copied), else under the URL base."""
    folder = Path(source).expanduser()
    if not folder.is_dir():
        return f"{source.rstrip('/')}/{entry.path}{suffix}"
    if not (folder / name).is_file():
        raise DownloadError(f"{folder / name} is missing or not a regular file; put the voice's {name} in {folder}")
    return (folder / name).resolve().as_uri()
