"""MBROLA's Dutch diphone voices (``mb-nl2``, ``mb-nl3``), spoken through espeak-ng.

Rendered by the espeak-ng program in :mod:`voice_coach.speech.mbrola_worker`:
through pyttsx3 an ``mb-`` voice ignored the rate (asked 128 words a minute, it
spoke at espeak's 175), and pyttsx3's voice list does not show ``mb-`` voices.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .espeak_synthesis import espeak_version, program_version
from .synthesis import Voice

MBROLA_VOICES = Path("/usr/share/mbrola")
"""Where Debian's mbrola-nl2 / mbrola-nl3 packages put the diphone databases."""
RATE_FACTOR = 0.892
"""espeak-ng with an ``mb-`` voice speaks faster than asked: 143.5 words a minute when asked
for 128 (measured over every script sentence, bench/run.py --only voice). Asked for 114, it
speaks the coach's 128, and the independent ear then got 18.1 % of words wrong instead of 20.9 %."""
INSTALL = (
    "sudo apt-get install mbrola mbrola-{name} (Debian's contrib and non-free components: "
    "Raspberry Pi OS has them; on Debian add them to your apt sources first)"
)


def mbrola_version() -> str | None:
    """The mbrola program's version line (None when it is not installed)."""
    return program_version("mbrola", "-h")


def database(voice: Voice) -> Path:
    """The diphone database of an ``mb-nl2``-style voice."""
    name = voice.name.removeprefix("mb-")
    return MBROLA_VOICES / name / name


class MbrolaEngine:
    """``espeak-ng -v mb-nl2``, one process per rate."""

    family = "mbrola"

    def worker_command(self, voice: Voice, words_per_minute: int) -> list[str]:
        asked = round(words_per_minute * RATE_FACTOR)
        return [sys.executable, "-m", "voice_coach.speech.mbrola_worker", voice.name, str(voice.pitch), str(asked)]

    def version(self, voice: Voice) -> str | None:
        if self.problem(voice):
            return None
        size = database(voice).stat().st_size
        return f"{espeak_version()}; {mbrola_version()}; {voice.name} {size} bytes"

    def problem(self, voice: Voice) -> str | None:
        name = voice.name.removeprefix("mb-")
        if espeak_version() is None:
            return "espeak-ng is not installed; install it with: sudo apt-get install espeak-ng"
        if mbrola_version() is None or not database(voice).is_file():
            return f"MBROLA voice {voice.name} is not installed; install it with: " + INSTALL.format(name=name)
        return None
