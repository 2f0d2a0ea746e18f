"""Echo cancellation: the coach's own voice taken out of what its microphone hears.

The coach knows to the sample what it plays: the speaker keeps every frame it sent
(:class:`FarEnd`) and says when a frame is heard (its start time, the mixer's lead and
the output latency the stream reports). For each block of the microphone,
:class:`EchoCancellation` takes the frames that were heard then, shifted by the room's
delay (estimated by cross-correlation and kept tracked, see ``echo_delay``), and hands
both to a :class:`Canceller` (one module per engine; ``speex_echo`` is the one shipped).

What the filter leaves of the coach's voice is kept from the recognizer by
``echo_residual``. Until the delay is found and the filter has heard a few seconds of the coach, it is not
:attr:`~EchoCancellation.working`, and the listener stays half-duplex (deaf while the
coach speaks), as it does where no canceller can be loaded.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Callable, Protocol

import numpy as np

from .echo_delay import estimate_delay, far_span
from .echo_residual import ACTIVE_LEVEL, ResidualGate
from .speex_echo import SpeexCanceller, SpeexUnavailable

log = logging.getLogger(__name__)

FRAME_SECONDS = 0.02
"""Audio cancelled per call: the microphone's block, and what Speex is made for (10-20 ms)."""
KEPT_SECONDS = 3.0
"""Far-end audio kept: the correlation window plus the longest delay looked for, and room to spare."""
TRACK_SECONDS = 1.0
"""The delay is estimated again on every this much of microphone audio while the coach speaks."""
AGREE_SECONDS = 0.002
"""Two estimates this close agree; a delay is taken (or moved) only when two in a row agree."""
FILTER_MARGIN_SECONDS = 0.01
"""The reference is handed over this much early: the direct path lands inside the filter
even if the delay was overestimated by a little."""
WAIT_SECONDS = 0.06
"""A microphone frame waits at most this long for the speaker's frames heard during it
(the mix runs ahead by the speaker's lead; a speaker gone away sends none)."""
RESET_SECONDS = 0.02
"""A delay that moves further than this makes the filter start over (and converge again)."""
CONVERGE_SECONDS = 6.0
"""Seconds of the coach's voice the filter needs after the delay is found before it counts
as working: until then the listener stays half-duplex (measured in a sox-reverberant
room: Speex reached 15-18 dB after 3-4 s of speech, 20-25 dB after 6 s)."""
VOICE_BIN_SHARE = 0.06
"""A frame of the far end counts as voice (broadband) where at least this share of its
frequency bins stands within 20 dB of its strongest: speech frames hold 7-50 % (median 17 %),
breath tones, the gong and the bell 2-4 %. A filter learns a room only from voice: one that
converged on tones alone leaves the voice that follows through."""
TONES_SECONDS = 20.0
"""After this long of the coach playing tones and no voice, the filter must learn the voice
again where it returns (:data:`CONVERGE_SECONDS` of it, half-duplex meanwhile): minutes of breath tones adapt it
to their few frequencies, and the first sentence after them went through it as commands
(bench/echo.py: hartcoherentie, the bench's only self-triggers)."""
VOICE_LEVEL = 0.003
"""Tones end only with a frame of the voice louder than this (RMS, about -50 dBFS): a tone's
fading tail, down to the sound file's own noise, looks broadband frame by frame. (Requiring
0.2 s of the voice in a row instead made the filter learn again in the middle of sentences:
many voiced frames of a voice are narrow, and commands over it were lost.)"""


STARTED_OVER_SHARE = 0.01
"""A filter holding less than this share (-20 dB) of the echo path it held at most has started
over: Speex resets itself where it diverges (it did at the first sentence after minutes of
breath tones). Until it has learned the room again (:data:`CONVERGE_SECONDS`), the listener is
half-duplex: a reset filter lets the coach's voice through (bench/echo.py: the only
self-triggers left)."""


class Canceller(Protocol):
    """An echo canceller engine for one microphone."""

    name: str
    """Its name, for the log and ``doctor``."""
    frame: int
    """Samples per call of :meth:`cancel`."""

    def cancel(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``near`` (int16, the microphone) without the echo of ``far`` (int16, what was
        heard from the speaker at the same moment); both :attr:`frame` samples."""

    def reset(self) -> None:
        """Forget the echo path learned so far."""

    def learned(self) -> float:
        """How much of an echo path it holds now (any scale: 0 after it started over)."""


class FarEnd:
    """The last :data:`KEPT_SECONDS` of what the speaker played, by absolute mixer frame
    (thread-safe: the speaker writes, the microphone's thread reads)."""

    def __init__(self, rate: int):
        self.rate = rate
        self._ring = np.zeros(int(rate * KEPT_SECONDS), dtype=np.float32)
        self.frames = 0
        """Frames played so far (the next frame's number)."""
        self._lock = threading.Lock()

    def played(self, block: np.ndarray) -> None:
        """The speaker sent ``block`` (float32, the frames after the last)."""
        with self._lock:
            kept = block[-len(self._ring) :]
            first = self.frames + len(block) - len(kept)
            self._ring[np.arange(first, first + len(kept)) % len(self._ring)] = kept
            self.frames += len(block)

    def between(self, start: int, count: int) -> np.ndarray:
        """Frames ``start`` to ``start + count``; silence where nothing was (yet, or still) kept."""
        out = np.zeros(count, dtype=np.float32)
        with self._lock:
            low, high = max(start, self.frames - len(self._ring), 0), min(start + count, self.frames)
            if high > low:
                out[low - start : high - start] = self._ring[np.arange(low, high) % len(self._ring)]
        return out


class EchoCancellation:
    """The microphone's audio without the coach's voice.

    ``heard_frame`` maps a monotonic time to the (fractional) far-end frame heard then.
    """

    def __init__(self, canceller: Canceller, far_end: FarEnd, heard_frame: Callable[[float], float], rate: int):
        self.canceller = canceller
        self.far_end = far_end
        self.heard_frame = heard_frame
        self.rate = rate
        self.delay: float | None = None
        """The room's delay in seconds beyond the reported latencies; None until found."""
        self._candidate: float | None = None
        self.residual = ResidualGate(rate)
        """What the filter leaves of the coach's voice, kept from the recognizer."""
        self._converged = 0.0  # seconds of the coach's voice since the delay was found
        self._most_learned = 0.0  # the most of an echo path the filter has held since it began
        self._tones = 0.0  # seconds of the coach playing without voice, in a row
        self._pending = np.zeros(0, dtype=np.int16)
        self._history: deque[np.ndarray] = deque()  # the raw microphone, for the delay
        self._history_samples = 0
        self._lock = threading.Lock()

    @property
    def working(self) -> bool:
        """The delay is known and the filter has learned the room: safe to listen over the coach."""
        return self.delay is not None and self._converged >= CONVERGE_SECONDS

    def clean(self, samples: np.ndarray, captured_at: float) -> np.ndarray:
        """``samples`` (int16, the last captured at monotonic ``captured_at``) without the echo.
        Cancelled in whole frames, each once the speaker has sent what was heard during it
        (a short echo path needs frames sent just after the microphone's block was captured):
        the rest waits for the next block, at most :data:`WAIT_SECONDS`."""
        with self._lock:
            audio = np.concatenate([self._pending, samples]) if len(self._pending) else samples
            frame = self.canceller.frame
            done = []
            start = 0
            while start + frame <= len(audio):
                end_time = captured_at - (len(audio) - start - frame) / self.rate
                if not self._far_end_sent(end_time) and captured_at - end_time < WAIT_SECONDS:
                    break
                done.append(self._cancel_frame(audio[start : start + frame], end_time))
                start += frame
            self._pending = audio[start:].copy()
            return np.concatenate(done) if done else np.zeros(0, dtype=np.int16)

    def _far_end_sent(self, end_time: float) -> bool:
        """The speaker has sent every frame heard until the end of the microphone frame ending at ``end_time``."""
        return self.heard_frame(end_time - self._shift()) + 1 < self.far_end.frames

    def _shift(self) -> float:
        """How much earlier than the microphone's frame the reference is taken."""
        return (self.delay or 0.0) - FILTER_MARGIN_SECONDS

    def _cancel_frame(self, near: np.ndarray, end_time: float) -> np.ndarray:
        frame = len(near)
        self._remember(near, end_time)
        far = self._far_at(end_time - frame / self.rate - self._shift(), frame)
        far_level = float(np.sqrt(np.mean(far**2)))
        if self.residual.room_only(near, far_level):
            # The coach and its echo are silent: the microphone as it was, and no filtering (it
            # has nothing to learn from silence, and costs the idle coach nothing). Speex's DC
            # notch and pre-emphasis would change the person's voice a little for nothing.
            return near
        played = np.clip(far * 32767, -32768, 32767).astype(np.int16)
        cleaned = self.residual.softened(near, self.canceller.cancel(near, played), played)
        if far_level > ACTIVE_LEVEL:
            if self.delay is not None:
                self._learn(frame / self.rate, _voice_like(self.residual.far_power), far_level)
            self._watch_filter()
        return cleaned

    def _learn(self, seconds: float, voice: bool, far_level: float) -> None:
        """The filter heard ``seconds`` of the coach (at RMS ``far_level``): of its voice (it
        learns the room), or of tones only. Where the voice returns after long enough of those,
        it must learn the voice again; during the tones it still works (on them)."""
        if not voice:
            self._tones += seconds
            return
        if far_level > VOICE_LEVEL:
            if self._tones >= TONES_SECONDS and self._converged > 0:
                log.info("after %.0f s of tones the echo filter learns the coach's voice again; half-duplex meanwhile", self._tones)
                self._converged = 0.0
            self._tones = 0.0
        self._converged += seconds

    def _watch_filter(self) -> None:
        """Notice a filter that has started over on its own (looked at on every frame the coach
        plays: Speex learns a simple room again within a second): until it has learned the room
        again, the listener is half-duplex."""
        learned = self.canceller.learned()
        started_over = learned < STARTED_OVER_SHARE * self._most_learned
        if started_over:
            if self.working:
                log.info("the echo filter started over; half-duplex until it has learned the room again")
            self._converged = 0.0
        self._most_learned = learned if started_over else max(self._most_learned, learned)

    def _far_at(self, start_time: float, count: int) -> np.ndarray:
        """``count`` frames at the microphone's rate of what was heard from ``start_time`` on."""
        far_rate = self.far_end.rate
        first = self.heard_frame(start_time)
        wanted = int(np.ceil(count * far_rate / self.rate))
        samples = self.far_end.between(int(np.floor(first)), wanted + 1)
        if far_rate == self.rate:
            return samples[:count]
        positions = (first - np.floor(first)) + np.arange(count) * (far_rate / self.rate)
        return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)

    def _remember(self, near: np.ndarray, end_time: float) -> None:
        """Keep the raw microphone; every :data:`TRACK_SECONDS` of it, look for the delay."""
        self._history.append(near)
        self._history_samples += len(near)
        if self._history_samples < TRACK_SECONDS * self.rate:
            return
        window = np.concatenate(self._history)
        self._history.clear()
        self._history_samples = 0
        start_time = end_time - len(window) / self.rate
        lead, span = far_span(self.rate)
        far = self._far_at(start_time - lead / self.rate, len(window) + span)
        if np.sqrt(np.mean(far**2)) > ACTIVE_LEVEL:
            self._track(estimate_delay(far, window, self.rate))

    def _track(self, estimate: float | None) -> None:
        """Take ``estimate`` once the one before agrees with it."""
        agreed = estimate is not None and self._candidate is not None and abs(estimate - self._candidate) <= AGREE_SECONDS
        self._candidate = estimate
        if not agreed or (self.delay is not None and abs(estimate - self.delay) <= AGREE_SECONDS):
            return
        if self.delay is None or abs(estimate - self.delay) > RESET_SECONDS:  # too far for the filter to follow
            self.canceller.reset()
            self._converged = self._most_learned = 0.0
        log.info("echo delay %s %.1f ms", "found:" if self.delay is None else "moved to", estimate * 1000)
        self.delay = estimate



def _voice_like(power: np.ndarray) -> bool:
    """Whether a frame of what played, by its ``power`` per bin, is broadband like a voice, not a tone."""
    return float(np.mean(power > 1e-2 * power.max())) >= VOICE_BIN_SHARE


def load_canceller(rate: int) -> tuple[Canceller | None, str]:
    """The echo canceller for a microphone at ``rate``, and which listening that gives, for
    the log and ``doctor``; None where no canceller can be loaded (the text says why)."""
    try:
        canceller = SpeexCanceller(rate, int(rate * FRAME_SECONDS))
    except SpeexUnavailable as err:
        return None, f"half-duplex, deaf while the coach speaks: {err}"
    return canceller, f"barge-in: echo cancellation ({canceller.name}) hears commands over the coach's voice"


def speaker_echo_cancellation(speaker, rate: int) -> tuple[EchoCancellation | None, str]:
    """:func:`load_canceller` against the output of ``speaker`` (a
    :class:`~voice_coach.audio.speaker.Speaker`)."""
    canceller, mode = load_canceller(rate)
    if canceller is None:
        return None, mode
    return EchoCancellation(canceller, speaker.far_end, speaker.heard_frame, rate), mode
