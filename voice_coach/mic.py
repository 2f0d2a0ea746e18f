"""The microphone: reads the input device by name at its own rate, in a thread."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import numpy as np
import sounddevice as sd

from .devices import Device, DeviceError, find_device

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.05
"""Audio handed on per block: small enough for quick reactions, large enough to be cheap."""
RETRY_SECONDS = 2.0
"""How often a vanished microphone is looked for again."""

AudioSink = Callable[[np.ndarray, float], None]
"""Receives int16 mono samples and the monotonic time their capture ended."""


class Microphone:
    """Delivers blocks of int16 mono audio to ``sink``; survives the device going away.

    Reads are paced by the clock as well as by the device, so devices that hand
    out audio without waiting (ALSA file devices) still run in real time.
    """

    def __init__(self, sink: AudioSink, name: str | None = None, rate: int | None = None):
        self.sink = sink
        self.name = name
        self.device: Device = find_device(name, "input", rate)
        self.rate = self.device.rate
        self._block = int(self.rate * BLOCK_SECONDS)
        self._stream: sd.InputStream | None = None
        self._running = False
        self._thread: threading.Thread | None = None
        self.lost = False
        """True while the device is gone."""

    def start(self) -> "Microphone":
        self._open()
        self._running = True
        self._thread = threading.Thread(target=self._read_loop, name="microphone", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._running = False
        if self._thread:
            self._thread.join(timeout=2)
        self._close_stream()

    def __enter__(self) -> "Microphone":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> None:
        stream = sd.InputStream(
            device=self.device.index, samplerate=self.rate, channels=1, dtype="int16", blocksize=self._block
        )
        stream.start()
        self._stream = stream

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.close(ignore_errors=True)
            except sd.PortAudioError:
                pass

    def _read_loop(self) -> None:
        started, frames = time.monotonic(), 0
        while self._running:
            if self._stream is None:
                time.sleep(RETRY_SECONDS)
                self._reopen()
                started, frames = time.monotonic(), 0
                continue
            try:
                data, _overflowed = self._stream.read(self._block)
            except sd.PortAudioError as err:
                log.warning("microphone %r failed (%s); retrying every %.0f s", self.device.name, err, RETRY_SECONDS)
                self.lost = True
                self._close_stream()
                continue
            frames += len(data)
            due = started + frames / self.rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            self.sink(data[:, 0], due)

    def _reopen(self) -> None:
        try:
            self.device = find_device(self.name, "input", self.rate)
            self._open()
        except (DeviceError, sd.PortAudioError):
            self._close_stream()
            return
        log.warning("microphone %r is back", self.device.name)
        self.lost = False
