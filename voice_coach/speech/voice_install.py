"""Downloading a Dutch Piper voice, verifying it, and installing it atomically.

A voice is two files, ``<id>.onnx`` and ``<id>.onnx.json``, from the
rhasspy/piper-voices repository (or a folder carried over to an offline Pi).
Each is checked against the sizes and MD5 digests of ``data/voices/piper-dutch.tsv``;
where the config's digest was never published, it must at least be a Piper config.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from ..paths import command_name, private_folder
from .download import SCRATCH_PREFIX, DownloadError, check_owner, download, file_digest, install_lock, remove_leftovers, swap_in
from .voices import PiperEntry

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
    config = folder / f"{entry.id}.onnx.json"
    if not problems and entry.json_md5 is None:
        try:
            if "audio" not in json.loads(config.read_text("utf-8")):
                raise ValueError
        except ValueError:
            problems.append(f"{config.name} is not a Piper voice config")
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
    check_owner(voices_dir)
    private_folder(voices_dir)
    with install_lock(voices_dir):
        remove_leftovers(voices_dir)
        with tempfile.TemporaryDirectory(dir=voices_dir, prefix=SCRATCH_PREFIX) as scratch:
            staged = Path(scratch) / entry.id
            staged.mkdir()
            for suffix in (".onnx", ".onnx.json"):
                target = staged / f"{entry.id}{suffix}"
                local = Path(source).expanduser() / target.name
                if local.is_file():
                    shutil.copyfile(local, target)
                else:
                    download(f"{source.rstrip('/')}/{entry.path}{suffix}", target, progress)
            problems = verify_voice(staged, entry)
            if problems:
                raise DownloadError(f"the voice {entry.id} failed verification, nothing was changed: {'; '.join(problems)}")
            return swap_in(staged, voices_dir, entry.id)
