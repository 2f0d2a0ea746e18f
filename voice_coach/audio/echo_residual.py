"""What an echo canceller leaves of the coach's voice, kept from the recognizer.

A grammar without a garbage word forces any sound onto one of its phrases: the residual
echo (the filter removes 20-30 dB of it, not all, and less of a long breath tone) would be
heard as commands. So while the coach is heard, a frame is passed only where it holds the
person's voice; the rest is brought down to the room's own noise (silence would make the
room itself sound like voice to the voice gate whenever the coach pauses).

The coach knows what it plays, to the frequency: the person's voice is what the filter's
output holds in frequency bins that neither the coach's voice (as the filter typically
leaves it there) nor the room's noise explains. A breath tone's residual sits in its own
few bins, and is explained there however badly the filter cancels it (its first moments,
before the filter has learned a new frequency, are not judged). Nor is the person's voice
what a filter gone astray adds of its own: more in a bin than the microphone holds.
"""

from __future__ import annotations

import numpy as np

from .vad import ABOVE_FLOOR, FLOOR_RISE, MIN_LEVEL, level

ACTIVE_LEVEL = 1e-3
"""Far-end RMS (full scale 1.0) above which the coach counts as playing (about -60 dBFS)."""
RING_DECAY = 0.85
"""Per frame, how the far end's level is taken to ring on in the room after it (about 0.3 s
to fall by 20 dB): its reverberation is echo too. Per frequency bin its power rings so too."""
COACH_BIN_SHARE = 1e-2
"""A bin counts as holding the coach's voice where its ringing far-end power is at least this
share (-20 dB) of the strongest bin's, or where its echo (the far end's power there times the
microphone's over the far end's, over all bins) stands above the room's noise: only there is
what the filter leaves of it learned. In a quiet room a breath tone's weak harmonics, 20 dB
and more under its fundamental, are still heard well above the room."""
LEAK_QUANTILE = 0.9
"""What the filter leaves of the coach's voice, per bin, is tracked as this quantile of the
output/far-end power ratio: the person's voice over it must stand above nearly all its echo."""
LEAK_STEP = 0.05
"""How fast that quantile moves (log10 power units per frame: up 0.45 dB, down 0.05 dB); the
microphone's power over the far end's, over all bins, is tracked alike. Neither moves while
the person's voice is passed: learned from it, the coach's residual rose 13 dB in 3 s of
speech and hid a "stop" after it."""
EXPLAINED_MARGIN = 10 ** 1.5
"""A bin's output is the person's voice only as far as it stands this far (15 dB) above both
the coach's residual and the room's noise in that bin."""
VOICE_ABOVE_ROOM = 10 ** 1.5
"""A frame holds the person's voice where the power so unexplained is this many times (15 dB)
the room's noise over all bins. With 10 dB, a room at +10 dB to the person's voice let 3 %
of the frames of a breath tone through; with 15 dB, 1 %, and 90 % of the person's voiced
frames over the coach's voice pass (bench/echo.py's rooms)."""
BEYOND_MICROPHONE = 2.0
"""A bin's output counts as the person's voice only where it holds less than twice (3 dB) the
microphone's own power there: a filter gone astray adds power of its own (before Speex reset
it, its output rose 11 dB above the microphone in a breath tone). The person's voice rarely
does: only where it and the echo, about as loud, nearly cancel in the microphone (some bins of
a frame; the others carry the voice). Measured on five runs of every exercise: self-triggers
0, 0, 0, 1, 1 -> 0 (bench/echo.py)."""
ONSET_SECONDS = 0.6
"""A bin the coach has held its voice in for less than this is not judged: the filter has not
yet learned to cancel a frequency the coach has just begun to play (the first frames of a
breath tone pass it whole), and what it leaves there is no quantile of the usual residual.
Found by a hostile review: in a room at -60 dBFS or quieter, with the coach 10 dB over the
person, every breath tone's onset counted as voice (13 times in vierkant; with this and the
coach's weak harmonics learned, none). It costs some of the person's voice in the first
0.6 s of each of the coach's sentences."""
STALE_SECONDS = 3.0
"""A bin the coach has not held its voice in for this long has a stale residual: the filter has
meanwhile adapted to other sounds. Over minutes of breath tones it learns their few bins, and
when the voice returns it leaves far more of it than before (Speex even diverges and resets):
the residual learned minutes ago let the coach's first sentence after the tones through as
commands (bench/echo.py: hartcoherentie, the only self-triggers). Where such a bin's voice
begins again, its residual is the most the filter leaves there in its first
:data:`ONSET_SECONDS`, not a step from the stale one."""
NOISE_STEP = 0.05
"""How fast the room's noise per bin follows, in the coach's silences (about 0.4 s)."""
NEAR_HOLD_SECONDS = 0.4
"""After a frame with the person's voice, this much more is passed as it is (word endings)."""


class ResidualGate:
    """Decides, frame by frame, whether the cancelled microphone holds the person's voice."""

    def __init__(self, rate: int):
        self.rate = rate
        self._ring = 0.0  # the far end's level as it rings on in the room
        self._near_hold = 0
        self._floor: float | None = None  # the room's noise level, while the coach is silent
        self._window: np.ndarray | None = None
        self._room: np.ndarray | None = None  # the room's noise power per bin
        self._coach: np.ndarray | None = None  # the far end's power per bin, ringing on
        self._leak: np.ndarray | None = None  # log10 of the output/far-end power the filter leaves, per bin
        self._gain: float | None = None  # log10 of the microphone's power over the far end's, all bins
        self._held_for: np.ndarray | None = None  # frames each bin has held the coach's voice in a row
        self._absent_for: np.ndarray | None = None  # frames since each bin last held the coach's voice
        self._stale: np.ndarray | None = None  # bins whose voice began again after STALE_SECONDS
        self.far_power: np.ndarray | None = None
        """The power per bin of the far end of the last frame judged (what the coach played then)."""

    def room_only(self, near: np.ndarray, far_level: float) -> bool:
        """True while the coach and its echo are silent (``far_level``: the far end's RMS now,
        full scale 1.0); the room's noise is learned from ``near`` then."""
        self._ring = max(far_level, self._ring * RING_DECAY)
        if self._ring > ACTIVE_LEVEL:
            return False
        loudness = level(near)
        if self._floor is None or loudness < ABOVE_FLOOR * self._floor:  # the person's voice is no room noise
            power = self._power(near)
            self._room = power if self._room is None else self._room + NOISE_STEP * (power - self._room)
        self._floor = loudness if self._floor is None else min(loudness, self._floor + FLOOR_RISE * (loudness - self._floor))
        self._coach = self._held_for = None  # rung out
        if self._absent_for is not None:
            self._absent_for = self._absent_for + 1
        return True

    def softened(self, near: np.ndarray, out: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``out`` (the filter's output for ``near``, int16) softened where it holds only what
        the filter left of ``far`` (int16, the coach's voice as the filter was given it)."""
        loudness = level(out)
        self._floor = loudness if self._floor is None else self._floor
        self.far_power = self._power(far)
        if self._voice_in(self._power(near), self._power(out), self.far_power):
            self._near_hold = int(NEAR_HOLD_SECONDS * self.rate)
        if self._near_hold > 0:
            self._near_hold -= len(out)
            return out
        # What the filter left of the coach's voice, brought down to the room's own noise: the
        # voice gate then hears an even room (silence would make the room itself sound like voice).
        return (out * min(1.0, self._floor / max(loudness, 1.0))).astype(np.int16)

    def _voice_in(self, heard: np.ndarray, output: np.ndarray, played: np.ndarray) -> bool:
        """Whether the output's power per bin holds more than the coach's residual and the
        room, in bins where it does not exceed the microphone's (``heard``)."""
        self._coach = played if self._coach is None else np.maximum(played, self._coach * RING_DECAY**2)
        quietest = self._flat_noise(MIN_LEVEL)
        room = self._room if self._room is not None else quietest
        learning = self._near_hold <= 0 or self._gain is None  # the person's voice is no echo to learn
        if learning:
            self._gain = self._quantile_step(self._gain, np.log10((heard.sum() + 1.0) / (self._coach.sum() + 1.0)))
        coach_bins = (self._coach > COACH_BIN_SHARE * self._coach.max()) | (10.0**self._gain * self._coach > room)
        self._held_for = np.where(coach_bins, (0 if self._held_for is None else self._held_for) + 1, 0)
        just_begun = coach_bins & (self._held_for * len(self._window) < ONSET_SECONDS * self.rate)
        self._mark_stale(coach_bins)
        if learning or self._leak is None:
            self._leak = self._tracked(self._leak, output, coach_bins, just_begun & self._stale)
        explained = EXPLAINED_MARGIN * np.maximum(10.0**self._leak * self._coach, room)
        voiced = (output > explained) & (output < BEYOND_MICROPHONE * heard) & ~just_begun
        unexplained = np.where(voiced, output - explained, 0.0).sum()
        return unexplained > VOICE_ABOVE_ROOM * max(room.sum(), quietest.sum())

    def _mark_stale(self, coach_bins: np.ndarray) -> None:
        """Count how long each bin has gone without the coach's voice; a bin whose voice begins
        after :data:`STALE_SECONDS` of that is stale until its onset is over."""
        frames = len(self._window)
        absent = np.zeros(len(coach_bins), dtype=np.int64) if self._absent_for is None else self._absent_for
        began = coach_bins & (self._held_for == 1)
        stale = np.zeros(len(coach_bins), dtype=bool) if self._stale is None else self._stale
        self._stale = np.where(began, absent * frames >= STALE_SECONDS * self.rate, stale & coach_bins)
        self._absent_for = np.where(coach_bins, 0, absent + 1)

    def _tracked(self, quantile: np.ndarray | None, power: np.ndarray, coach_bins: np.ndarray, stale: np.ndarray) -> np.ndarray:
        """``quantile`` (log10 of ``power`` over the coach's, per bin) moved towards this frame's
        ratio in the bins that hold the coach's voice (:data:`LEAK_QUANTILE`); in ``stale`` bins
        raised to this frame's ratio at once where that is higher."""
        ratio = np.log10((power + 1.0) / (self._coach + 1.0))
        if quantile is None:
            return ratio
        stepped = np.where(coach_bins, self._quantile_step(quantile, ratio), quantile)
        return np.where(stale, np.maximum(stepped, ratio), stepped)

    @staticmethod
    def _quantile_step(quantile, ratio):
        """``quantile`` (None at first) one step towards the :data:`LEAK_QUANTILE` quantile of
        the ratios it is given (log10, a number or an array per bin)."""
        if quantile is None:
            return ratio
        return quantile + np.where(ratio > quantile, LEAK_QUANTILE, LEAK_QUANTILE - 1.0) * LEAK_STEP

    def _power(self, samples: np.ndarray) -> np.ndarray:
        if self._window is None or len(self._window) != len(samples):
            self._window = np.hanning(len(samples))
            self._room = self._coach = self._leak = self._held_for = self._absent_for = self._stale = None  # learned for other bins
        return np.abs(np.fft.rfft(samples * self._window)) ** 2

    def _flat_noise(self, rms: float) -> np.ndarray:
        """The power per bin of white noise at ``rms`` (int16 scale)."""
        return np.full(len(self._window) // 2 + 1, rms**2 * float(np.sum(self._window**2)))
