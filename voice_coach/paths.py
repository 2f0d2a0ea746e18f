"""Where voice-coach's files live: the shipped exercises, sounds and data (package
data, found through importlib.resources), and the folders it writes."""

from __future__ import annotations

import os
import shutil
import sys
from importlib.resources import files
from pathlib import Path


def _package_folder(name: str) -> Path:
    """A folder of package data. voice-coach is always installed unpacked (a wheel or an
    editable checkout, where ``exercises`` and ``sounds`` are links to the top-level
    ``scripts/`` and ``audio/``), so it is a real folder that can be listed and read."""
    return Path(str(files("voice_coach").joinpath(name)))


SCRIPTS_DIR = _package_folder("exercises")
"""The shipped exercise scripts (``scripts/`` in the repository)."""
AUDIO_DIR = _package_folder("sounds")
"""The shipped chimes, breath tones and recorded clips that any script may name (``audio/``)."""
DATA_DIR = _package_folder("data")
"""The package's language and care data."""


def xdg_home(variable: str, default: str) -> Path:
    """An XDG base folder: ``$variable`` when it holds an absolute path, else ``~/default``.
    The XDG spec says an empty value counts as unset and a relative one is to be ignored
    (else the config and journal would land in whatever folder the program runs from)."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default


def default_cache_dir() -> Path:
    """``$CACHE_DIRECTORY`` under systemd, else ``~/.cache/voice-coach``: rendered speech."""
    if os.environ.get("CACHE_DIRECTORY"):
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    return xdg_home("XDG_CACHE_HOME", ".cache") / "voice-coach"


def default_models_dir() -> Path:
    """``$STATE_DIRECTORY/models`` under systemd, else ``~/.local/share/voice-coach/models``."""
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0]) / "models"
    return xdg_home("XDG_DATA_HOME", ".local/share") / "voice-coach" / "models"


def default_voices_dir() -> Path:
    """Downloaded Piper voices: beside the speech models (``$STATE_DIRECTORY/voices`` under systemd)."""
    return default_models_dir().parent / "voices"


def private_folder(path: Path) -> Path:
    """Create ``path`` and every missing parent as 0700 (mkdir's mode only reaches the
    last one); folders that already exist are left as they are. Returns ``path``."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # whatever the umask
    return path


def command_name() -> str:
    """How the person can run this program from where they are, for hints: plain
    ``voice-coach`` when that name on PATH is this install, else this install's own path."""
    own = Path(sys.executable).parent / "voice-coach"
    on_path = shutil.which("voice-coach")
    if on_path and own.exists() and Path(on_path).resolve() == own.resolve():
        return "voice-coach"
    return str(own) if own.exists() else f"{sys.executable} -m voice_coach"
