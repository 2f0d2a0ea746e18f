"""The speaker: one long-lived output stream fed from a Mixer by a writer thread."""

from __future__ import annotations

import logging
import time

import numpy as np

from .devices import RETRY_SECONDS, DeviceStream, stream_lock
from .echo import FarEnd
from .portaudio import sounddevice
from .mixer import Mixer

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.01
"""Frames written per block while something plays; "stop" waits at most this plus the lead."""
IDLE_BLOCK_SECONDS = 0.04
"""Frames written per block while nothing plays: each write costs CPU, silence needs few."""
LEAD_SECONDS = 0.04
"""How far the mix may run ahead of real time. A real device's blocking write
paces the stream; this also paces devices that accept audio without waiting
(ALSA file devices), and bounds how long a hush takes to be heard."""
RECOVERED_SECONDS = 1.0
"""A reopened device counts as back after this long without a failed write."""
FALLBACK_RATE = 48000
"""Mixing rate while the device is not there yet (ALSA converts once it is)."""

AUDIO_LOOKAHEAD = 0.25
"""How early sounds are handed to the speaker's mixer, so each starts on its exact
frame even when this process is held up for a moment (more than the mixer's lead
plus an idle block; measured: at 0.1 s one onset in 600 came 25 ms late under load).
A hush still cancels everything handed over."""


class Speaker(DeviceStream):
    """Plays a Mixer on the device named ``name`` (None: the default device).

    The stream stays open for the whole session (a warm stream starts sounds
    at once); the mix runs on even while the device is gone, so the session's
    clock never stops, and the device is reopened by name when it returns.
    """

    kind = "output"

    def __init__(self, name: str | None = None, rate: int | None = None, volume: float = 0.7, wait_for_device: bool = False):
        super().__init__(name, rate, wait_for_device)
        self.mixer = Mixer(self.device.rate if self.device else rate or FALLBACK_RATE, volume)
        self.far_end = FarEnd(self.mixer.rate)
        """Every frame sent to the device, lately: the echo canceller's reference."""
        self.started_at = 0.0
        """Monotonic time of the first frame."""
        self._block = int(self.mixer.rate * BLOCK_SECONDS)
        self._idle_block = int(self.mixer.rate * IDLE_BLOCK_SECONDS)
        self._device_lost_logged = False
        self._opened_at = 0.0
        self._latency = 0.0  # the device's output latency, once open

    # -- the session clock ------------------------------------------------
    def now(self) -> float:
        """Seconds of audio mixed since the start: the session clock."""
        return self.mixer.frames / self.mixer.rate

    @staticmethod
    def real_seconds(script_seconds: float) -> float:
        """The mix runs in real time."""
        return script_seconds

    @property
    def speaking_until(self) -> float:
        """Monotonic time until which the coach's voice may still be heard (for half-duplex listening);
        -inf before it first spoke (the microphone is not deaf for a hold-off after the start)."""
        frame = self.mixer.speech_until
        if frame == 0:
            return float("-inf")
        return self.started_at + frame / self.mixer.rate - LEAD_SECONDS + self._latency

    def heard_frame(self, at: float) -> float:
        """The mixer frame heard at monotonic time ``at`` (as the device's latency reports it)."""
        return (at - self.started_at + LEAD_SECONDS - self._latency) * self.mixer.rate

    def frame_at(self, seconds: float) -> int:
        """The frame that plays at session time ``seconds``."""
        return int(round(seconds * self.mixer.rate))

    def start(self) -> "Speaker":
        self.started_at = time.monotonic()
        log.info("speaker stream started at monotonic %.6f, %d Hz", self.started_at, self.mixer.rate)
        return super().start()

    # -- the writer -------------------------------------------------------
    def _open(self) -> None:
        device = self.device
        stream = sounddevice().OutputStream(
            device=device.index, samplerate=self.mixer.rate, channels=device.channels,
            dtype="float32", blocksize=self._block, latency="low",
        )
        stream.start()
        self._stream = stream
        self._opened_at = time.monotonic()
        self._latency = stream.latency

    def _serve(self) -> None:
        next_retry = 0.0
        while self._running:
            block = self.mixer.next_block(self._block if self.mixer.busy else self._idle_block)
            self.far_end.played(block)
            if self._stream is None and time.monotonic() >= next_retry:
                next_retry = time.monotonic() + RETRY_SECONDS
                self._reopen()
            self._write(block)
            ahead = self.started_at + self.now() - time.monotonic() - LEAD_SECONDS
            if ahead > 0:
                time.sleep(ahead)

    def _write(self, block: np.ndarray) -> None:
        try:
            with stream_lock():
                if self._stream is None:
                    return
                self._stream.write(np.repeat(block[:, None], self.device.channels, axis=1))
            if self._device_lost_logged and time.monotonic() - self._opened_at >= RECOVERED_SECONDS:
                log.warning("speaker %r is back", self.device.name)  # after clean writes, not just an open
                self._device_lost_logged = False
        except sounddevice().PortAudioError as err:
            if not self._device_lost_logged:
                log.warning("speaker %r failed (%s); retrying every %.0f s", self.device.name, err, RETRY_SECONDS)
                self._device_lost_logged = True
            self._close_stream()

    def _reopen(self) -> None:
        self._find_again(self.mixer.rate)
