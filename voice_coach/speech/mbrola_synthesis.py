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
WORD_GAP = 2
"""espeak-ng's ``-g``: a pause between words, in units of 10 ms at its normal speed. Without
it espeak-ng runs the words together for MBROLA ("door je" heard "dorieu", "Adem in" "at
hem in"); with it every word keeps its own edges. The independent ear, every script
sentence on its own (2026-12-04): 13.6 % of words wrong without a gap, 11.8 % with 1,
11.1 % with 2, 10.5 % with 3 (each asked for 114 words a minute); but 3 is the slower of the two,
and at a like pace it was no better (12.2 % with 3 asked for 125, 10.4 % with 2 asked for 120), so 2."""
RATE_FACTOR = 0.9375
"""espeak-ng with an ``mb-`` voice speaks faster than asked (143.5 words a minute when asked
for 128 without a gap), and the word gap takes time back. Asked for 120 with the gap, it
speaks about 116 words a minute where the coach asks for 128, the calm pace at which the
ear heard best: 10.4 % of words wrong, against 11.1 % asked for 114 (about 108 a minute)
and 13.5 % asked for 130 (back at 125, as fast as without the gap): the gain is the
separated words at an unhurried pace, not the gap alone."""
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
        return [sys.executable, "-m", "voice_coach.speech.mbrola_worker", voice.name, str(voice.pitch), str(asked), str(WORD_GAP)]

    def version(self, voice: Voice) -> str | None:
        if self.problem(voice):
            return None
        size = database(voice).stat().st_size
        return f"{espeak_version()}; {mbrola_version()}; {voice.name} {size} bytes; word gap {WORD_GAP}; rate factor {RATE_FACTOR}"

    def problem(self, voice: Voice) -> str | None:
        name = voice.name.removeprefix("mb-")
        if espeak_version() is None:
            return "espeak-ng is not installed; install it with: sudo apt-get install espeak-ng"
        if mbrola_version() is None or not database(voice).is_file():
            return f"MBROLA voice {voice.name} is not installed; install it with: " + INSTALL.format(name=name)
        return None
