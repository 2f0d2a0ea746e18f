"""Where the shipped scripts and sounds live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout voice-coach is installed from (it is installed editable, in place)."""
SCRIPTS_DIR = PROJECT_ROOT / "scripts"
"""The exercise scripts."""
AUDIO_DIR = PROJECT_ROOT / "audio"
"""Chimes, breath tones and recorded clips that scripts may name."""
DATA_DIR = Path(__file__).resolve().parent / "data"
"""The package's language and care data."""


def default_cache_dir() -> Path:
    """``$CACHE_DIRECTORY`` under systemd, else ``~/.cache/voice-coach``: rendered speech."""
    if os.environ.get("CACHE_DIRECTORY"):
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "voice-coach"


def default_models_dir() -> Path:
    """``$STATE_DIRECTORY/models`` under systemd, else ``~/.local/share/voice-coach/models``."""
    if os.environ.get("STATE_DIRECTORY"):
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0]) / "models"
    data_home = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return data_home / "voice-coach" / "models"
