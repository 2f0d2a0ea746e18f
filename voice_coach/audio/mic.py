"""The microphone: reads the input device by name at its own rate, in a thread."""

from __future__ import annotations

import logging
import time
from typing import Callable

import numpy as np

from .devices import RETRY_SECONDS, DeviceStream, stream_lock
from .portaudio import sounddevice

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.02
"""Audio handed on per block: small enough for quick reactions (a stop is heard up to
30 ms sooner than with 50 ms blocks), and silence is cheap behind the voice gate."""
FALLBACK_RATE = 16000
"""Rate to listen at when the microphone is not there yet (ALSA converts once it is)."""

AudioSink = Callable[[np.ndarray, float], None]
"""Receives int16 mono samples and the monotonic time their capture ended."""


class Microphone(DeviceStream):
    """Delivers blocks of int16 mono audio to ``sink``; survives the device going away.

    Reads are paced by the clock as well as by the device, so devices that hand
    out audio without waiting (ALSA file devices) still run in real time.
    """

    kind = "input"

    def __init__(self, sink: AudioSink, name: str | None = None, rate: int | None = None, wait_for_device: bool = False):
        super().__init__(name, rate, wait_for_device)
        self.sink = sink
        self.rate = self.device.rate if self.device else rate or FALLBACK_RATE
        self._block = int(self.rate * BLOCK_SECONDS)
        self.lost = self.device is None
        """True while the device is gone."""

    def _open(self) -> None:
        stream = sounddevice().InputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="int16", blocksize=self._block
        )
        stream.start()
        self._stream = stream

    def _serve(self) -> None:
        started, frames = self._started(), 0
        while self._running:
            if self._stream is None:
                self._sleep(RETRY_SECONDS)
                self._reopen()
                started, frames = self._started(), 0
                continue
            try:
                data = self._read()
            except sounddevice().PortAudioError as err:
                log.warning("microphone %r failed (%s); retrying every %.0f s", self.device.name, err, RETRY_SECONDS)
                self.lost = True
                self._close_stream()
                continue
            if data is None:  # a device refresh took the stream away: reopen it
                self._reopen()
                started, frames = self._started(), 0
                continue
            frames += len(data)
            due = started + frames / self.rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            self.sink(data[:, 0], due)

    def _started(self) -> float:
        """Now, as the capture time of the stream's first frame (logged for measurements)."""
        now = time.monotonic()
        if self._stream is not None:
            log.info("microphone started at monotonic %.6f, %d Hz", now, self.rate)
        return now

    def _read(self) -> np.ndarray | None:
        """The next block; the lock is only held once the block is there (the speaker needs it too)."""
        while True:
            with stream_lock():
                stream = self._stream
                if stream is None:
                    return None
                missing = self._block - stream.read_available
                if missing <= 0:
                    return stream.read(self._block)[0]
            time.sleep(max(0.002, missing / self.rate))

    def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when closed."""
        deadline = time.monotonic() + seconds
        while self._running and time.monotonic() < deadline:
            time.sleep(0.05)

    def _reopen(self) -> None:
        if self._find_again(self.rate):
            log.warning("microphone %r is listening", self.device.name)
            self.lost = False
