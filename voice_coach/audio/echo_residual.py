"""What an echo canceller leaves of the coach's voice, kept from the recognizer.

A grammar without a garbage word forces any sound onto one of its phrases: the residual
echo (the filter removes 20-30 dB of it, not all) would be heard as commands. So while the
coach is heard, a frame is passed only where it holds the person's voice; the rest is
brought down to the room's own noise (silence would make the room itself sound like voice
to the voice gate whenever the coach pauses).
"""

from __future__ import annotations

import numpy as np

from .vad import ABOVE_FLOOR, FLOOR_RISE, MIN_LEVEL, level

ACTIVE_LEVEL = 1e-3
"""Far-end RMS (full scale 1.0) above which the coach counts as playing (about -60 dBFS)."""
RING_DECAY = 0.85
"""Per frame, how the far end's level is taken to ring on in the room after it (about 0.3 s
to fall by 20 dB): its reverberation is echo too."""
NEAR_RATIO = 10.0
"""While the coach is heard, a frame holds the person's voice only where the canceller
removed this many times (10 dB) less of it than it typically removes of its echo alone."""
TRACK_STEP = 0.02
"""How fast (log10 units per frame: 0.2 dB) the typical share of the echo let through follows."""
NEAR_ALWAYS = 0.5
"""A frame the canceller took less than 6 dB from holds the person's voice however little of
the echo it removes (a soft echo in a noisy room: its level stops at the noise)."""
NEAR_HOLD_SECONDS = 0.4
"""After a frame with the person's voice, this much more is passed as it is (word endings)."""


class ResidualGate:
    """Decides, frame by frame, whether the cancelled microphone holds the person's voice."""

    def __init__(self, rate: int):
        self.rate = rate
        self._ring = 0.0  # the far end's level as it rings on in the room
        self._echo_only = 0.0  # log10 of the share of the echo the filter typically lets through
        self._near_hold = 0
        self._floor: float | None = None  # the room's noise level, while the coach is silent

    def room_only(self, near: np.ndarray, far_level: float) -> bool:
        """True while the coach and its echo are silent (``far_level``: the far end's RMS now,
        full scale 1.0); the room's noise is learned from ``near`` then."""
        self._ring = max(far_level, self._ring * RING_DECAY)
        if self._ring > ACTIVE_LEVEL:
            return False
        loudness = level(near)
        self._floor = loudness if self._floor is None else min(loudness, self._floor + FLOOR_RISE * (loudness - self._floor))
        return True

    def softened(self, near: np.ndarray, out: np.ndarray, far_level: float) -> np.ndarray:
        """``out`` (the filter's output for ``near``) softened where it holds only what the
        filter left of the coach's voice.

        How much of the echo gets through is tracked as the median output/input ratio of the
        frames while the coach plays (a quantile tracker: frames of the person's voice over it
        are few, and move a median little); the person's voice, which the filter leaves
        alone, raises a frame's ratio well above it, and its level above the room's noise
        (tracked while the coach is silent, as the voice gate tracks its floor)."""
        loudness = level(out)
        self._floor = loudness if self._floor is None else self._floor
        ratio = np.log10(max(loudness, 1.0) / max(level(near), 1.0))
        if far_level > ACTIVE_LEVEL:  # not in the coach's pauses, where the room's noise sets the ratio
            self._echo_only += TRACK_STEP if ratio > self._echo_only else -TRACK_STEP
        above_floor = loudness > max(MIN_LEVEL, ABOVE_FLOOR * self._floor)
        if above_floor and ratio > min(self._echo_only + np.log10(NEAR_RATIO), np.log10(NEAR_ALWAYS)):
            self._near_hold = int(NEAR_HOLD_SECONDS * self.rate)
        if self._near_hold > 0:
            self._near_hold -= len(out)
            return out
        # What the filter left of the coach's voice, brought down to the room's own noise: the
        # voice gate then hears an even room (silence would make the room itself sound like voice).
        return (out * min(1.0, self._floor / max(loudness, 1.0))).astype(np.int16)
