"""Where the shipped scripts and sounds live."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout voice-coach is installed from (it is installed editable, in place)."""
SCRIPTS_DIR = PROJECT_ROOT / "scripts"
"""The exercise scripts."""
AUDIO_DIR = PROJECT_ROOT / "audio"
"""Chimes, breath tones and recorded clips that scripts may name."""
DATA_DIR = Path(__file__).resolve().parent / "data"
"""The package's language and care data."""
