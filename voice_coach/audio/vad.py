"""A cheap voice-activity gate in front of the recognizer: silence costs almost nothing.

Level against a tracked noise floor; audio is passed on from a little before a
voice starts (pre-roll) until a while after it stops (hang-over), so the
recognizer still hears whole words and the silence that ends them.

The gate is timed in seconds, not in the blocks it is fed: it judges fixed frames
of :data:`FRAME_SECONDS` (keeping a block's remainder for the next one), and counts
pre-roll and hang-over in samples. Fed the same audio in blocks of any size, it
makes the same decisions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

FRAME_SECONDS = 0.02
"""The length of audio judged at a time, whatever the block size fed: the live microphone's
block (``mic.BLOCK_SECONDS``), for which the thresholds and rise rates below were tuned, so
the live gate decides exactly as it did when it judged whole blocks."""
ABOVE_FLOOR = 3.0
"""A frame this many times the noise floor's level (about +10 dB) counts as voice."""
MIN_LEVEL = 30.0
"""No voice below this RMS (int16; about -60 dBFS), however quiet the room."""
PREROLL_SECONDS = 1.0
"""Audio kept from before the voice started. Vosk normalizes its features online:
with only 0.3 s of room before a word, that word was misheard; 0.6 s was enough."""
HANGOVER_SECONDS = 1.2
"""Audio still passed after the voice stopped: the recognizer needs this silence to end the utterance."""
FLOOR_RISE = 0.02
"""How fast the noise floor follows a louder room (per frame); a quieter one it follows at once."""
VOICED_RISE = 0.0005
"""How fast it rises during "voice": a steady fan becomes room within seconds, a sentence barely moves it."""


def level(samples: np.ndarray) -> float:
    """RMS of int16 samples."""
    return float(np.sqrt(np.mean(samples.astype(np.float32) ** 2))) if len(samples) else 0.0


@dataclass(frozen=True)
class Segment:
    """A piece of audio the gate lets through, in the order of the stream."""

    samples: np.ndarray
    """int16 samples for the recognizer: one frame or part of one, so the recognizer is fed in
    the same pieces whatever the block size (its early acceptance judges each piece)."""
    ends_utterance: bool = False
    """The hang-over ends with these samples: the utterance is over, what is pending is said."""


class VoiceGate:
    """Decides, frame by frame, what reaches the recognizer."""

    def __init__(self, rate: int):
        self._frame = max(1, int(rate * FRAME_SECONDS))
        self._preroll_samples = round(PREROLL_SECONDS * rate)
        self._hangover_samples = round(HANGOVER_SECONDS * rate)
        self._remainder = np.zeros(0, dtype=np.int16)  # the start of a frame not yet complete
        self._preroll: deque[np.ndarray] = deque()
        self._preroll_held = 0
        self._hangover_left = 0
        self.floor: float | None = None
        """The room's noise level (RMS)."""

    def admit(self, samples: np.ndarray) -> list[Segment]:
        """What to recognize now, and where utterances end: nothing in silence, the pre-roll
        as a voice starts. Samples short of a whole frame wait for the next block."""
        audio = np.concatenate([self._remainder, samples]) if len(self._remainder) else samples
        whole = len(audio) - len(audio) % self._frame
        self._remainder = audio[whole:].copy()
        passed: list[Segment] = []
        for start in range(0, whole, self._frame):
            passed += self._judge(audio[start : start + self._frame])
        return passed

    def _judge(self, frame: np.ndarray) -> list[Segment]:
        loudness = level(frame)
        if self.floor is None:  # the first frame calibrates: the room, before anyone speaks
            self.floor = loudness
        voiced = loudness > max(MIN_LEVEL, ABOVE_FLOOR * self.floor)
        rise = VOICED_RISE if voiced else FLOOR_RISE
        self.floor = min(loudness, self.floor + rise * (loudness - self.floor))
        if voiced:
            passed = [Segment(s) for s in (*self._preroll, frame)]
            self._preroll.clear()
            self._preroll_held = 0
            self._hangover_left = self._hangover_samples
            return passed
        if self._hangover_left > 0:
            tail = frame[: self._hangover_left]
            self._hangover_left -= len(tail)
            if self._hangover_left > 0:
                return [Segment(tail)]
            self._hold(frame[len(tail) :])
            return [Segment(tail, ends_utterance=True)]
        self._hold(frame)
        return []

    def _hold(self, samples: np.ndarray) -> None:
        """Keep ``samples`` as pre-roll, dropping what is older than :data:`PREROLL_SECONDS`."""
        if not len(samples):
            return
        self._preroll.append(samples)
        self._preroll_held += len(samples)
        while self._preroll_held - len(self._preroll[0]) >= self._preroll_samples:
            self._preroll_held -= len(self._preroll.popleft())
        excess = self._preroll_held - self._preroll_samples
        if excess > 0:
            self._preroll[0] = self._preroll[0][excess:]
            self._preroll_held -= excess
