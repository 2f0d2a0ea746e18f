"""Piper: neural, offline voices (``piper-tts`` from PyPI, GPL-3.0-or-later).

voice-coach is MIT: Piper is an optional extra, imported only in its own
rendering process (:mod:`voice_coach.speech.piper_worker`), never by the coach.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from importlib.metadata import PackageNotFoundError, version

from ..paths import command_name
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalogue imports the engines; they only need the type
    from .voices import Voice

NATURAL_WORDS_PER_MINUTE = 200
"""About how fast a Piper voice speaks at ``length_scale`` 1.0 (measured: en_US-joe-medium, about
240 English words a minute; Dutch words are longer and no Dutch voice could be measured here),
so the coach's 128 words a minute become a length_scale of about 1.6."""
INSTALL_PIPER = f"install it with: {sys.executable} -m pip install piper-tts (GPL-3.0-or-later; it runs in a process of its own)"


def length_scale(words_per_minute: int) -> float:
    """Piper's speed setting for a rate in words a minute (above 1: slower)."""
    return round(NATURAL_WORDS_PER_MINUTE / words_per_minute, 3)


def piper_available() -> bool:
    return importlib.util.find_spec("piper") is not None


class PiperEngine:
    """A Piper voice file, one process per rate."""

    family = "piper"

    def worker_command(self, voice: Voice, words_per_minute: int) -> list[str]:
        return [sys.executable, "-m", "voice_coach.speech.piper_worker", str(voice.model), str(length_scale(words_per_minute))]

    def version(self, voice: Voice) -> str | None:
        if self.problem(voice):
            return None
        config = voice.model.with_name(voice.model.name + ".json")
        return f"piper-tts {version('piper-tts')}; {voice.model.stat().st_size}; {hashlib.sha256(config.read_bytes()).hexdigest()}"

    def problem(self, voice: Voice) -> str | None:
        try:
            version("piper-tts")
        except PackageNotFoundError:
            return f"Piper is not installed; {INSTALL_PIPER}"
        if not piper_available():
            return f"Piper cannot be imported; {INSTALL_PIPER}"
        config = voice.model.with_name(voice.model.name + ".json") if voice.model else None
        if voice.model is None or not voice.model.is_file() or not config.is_file():
            return f"Piper voice {voice.name} is not installed; download it with: {command_name()} voice download {voice.name}"
        return None
