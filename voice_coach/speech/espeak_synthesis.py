"""espeak-ng through pyttsx3: always there, the last fallback voice."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache
from importlib.metadata import version

from .synthesis import Voice


@cache
def program_version(program: str, flag: str) -> str | None:
    """The first line ``program flag`` prints (None when the program is not installed)."""
    binary = shutil.which(program)
    if binary is None:
        return None
    result = subprocess.run([binary, flag], capture_output=True, text=True, timeout=10)
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else program


def espeak_version() -> str | None:
    """The installed espeak-ng's version line (None when it is not installed)."""
    return program_version("espeak-ng", "--version")


class EspeakEngine:
    """Renders with pyttsx3 in :mod:`voice_coach.speech.tts_worker`, one process per rate."""

    family = "espeak"

    def worker_command(self, voice: Voice, words_per_minute: int) -> list[str]:
        return [sys.executable, "-m", "voice_coach.speech.tts_worker", voice.name, str(voice.pitch), str(words_per_minute)]

    def version(self, voice: Voice) -> str | None:
        espeak = espeak_version()
        return f"pyttsx3 {version('pyttsx3')}; {espeak}" if espeak else None

    def problem(self, voice: Voice) -> str | None:
        if espeak_version() is None:
            return "espeak-ng is not installed; install it with: sudo apt-get install espeak-ng"
        return None
