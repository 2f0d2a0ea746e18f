"""A cheap voice-activity gate in front of the recognizer: silence costs almost nothing.

Level against a tracked noise floor; audio is passed on from a little before a
voice starts (pre-roll) until a while after it stops (hang-over), so the
recognizer still hears whole words and the silence that ends them.
"""

from __future__ import annotations

from collections import deque

import numpy as np

ABOVE_FLOOR = 3.0
"""A block this many times the noise floor's level (about +10 dB) counts as voice."""
MIN_LEVEL = 30.0
"""No voice below this RMS (int16; about -60 dBFS), however quiet the room."""
PREROLL_SECONDS = 1.0
"""Audio kept from before the voice started. Vosk normalizes its features online:
with only 0.3 s of room before a word, that word was misheard; 0.6 s was enough."""
HANGOVER_SECONDS = 1.2
"""Audio still passed after the voice stopped: the recognizer needs this silence to end the utterance."""
FLOOR_RISE = 0.02
"""How fast the noise floor follows a louder room (per block); a quieter one it follows at once."""
VOICED_RISE = 0.0005
"""How fast it rises during "voice": a steady fan becomes room within seconds, a sentence barely moves it."""


def level(samples: np.ndarray) -> float:
    """RMS of int16 samples."""
    return float(np.sqrt(np.mean(samples.astype(np.float32) ** 2))) if len(samples) else 0.0


class VoiceGate:
    """Decides, block by block, what reaches the recognizer."""

    def __init__(self, rate: int, block: int):
        blocks_per_second = rate / block
        self._preroll: deque[np.ndarray] = deque(maxlen=max(1, round(PREROLL_SECONDS * blocks_per_second)))
        self._hangover_blocks = round(HANGOVER_SECONDS * blocks_per_second)
        self._open_for = 0
        self.floor: float | None = None
        """The room's noise level (RMS)."""
        self.closed = False
        """True right after the block that ended a hang-over: the utterance is over."""

    def admit(self, samples: np.ndarray) -> list[np.ndarray]:
        """The blocks to recognize now: none in silence, the pre-roll as a voice starts."""
        loudness = level(samples)
        self.closed = False
        if self.floor is None:  # the first block calibrates: the room, before anyone speaks
            self.floor = loudness
        voiced = loudness > max(MIN_LEVEL, ABOVE_FLOOR * self.floor)
        rise = VOICED_RISE if voiced else FLOOR_RISE
        self.floor = min(loudness, self.floor + rise * (loudness - self.floor))
        if voiced:
            passed = [*self._preroll, samples] if self._open_for == 0 else [samples]
            self._preroll.clear()
            self._open_for = self._hangover_blocks
            return passed
        if self._open_for > 0:
            self._open_for -= 1
            self.closed = self._open_for == 0
            return [samples]
        self._preroll.append(samples)
        return []
