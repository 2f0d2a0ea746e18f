"""Mixing scheduled sounds into blocks on one frame clock (thread-safe, pure numpy)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

HUSH_FADE_SECONDS = 0.005
"""A hush fades over this long instead of cutting mid-wave (which clicks)."""


@dataclass
class _Voice:
    samples: np.ndarray
    """float32 mono at the mixer's rate."""
    start: int
    """Absolute frame where it begins."""


class Mixer:
    """Sounds placed at absolute frames, mixed block by block.

    ``frames`` (how many frames were mixed) is the clock of a whole session:
    a sound scheduled for frame N starts exactly there, however late the
    scheduling thread woke up, as long as it came before frame N was mixed.
    """

    def __init__(self, rate: int, volume: float = 0.7):
        self.rate = rate
        self.frames = 0
        """Frames mixed so far."""
        self._volume = volume
        self._target_volume = volume
        self._voices: list[_Voice] = []
        self._fading: list[_Voice] = []
        self._lock = threading.Lock()
        self.speech_until = 0
        """The frame where the last speech added so far ends (tones and chimes do not count)."""

    def add(self, samples: np.ndarray, at_frame: int | None = None, speech: bool = False) -> None:
        """Play ``samples`` from ``at_frame`` (None or a frame already mixed: at once)."""
        with self._lock:
            start = self.frames if at_frame is None else max(at_frame, self.frames)
            self._voices.append(_Voice(samples, start))
            if speech:
                self.speech_until = max(self.speech_until, start + len(samples))

    def hush(self) -> None:
        """Silence everything, including sounds scheduled for later."""
        with self._lock:
            self._fading = [v for v in self._voices if v.start < self.frames]
            self._voices = []
            self.speech_until = min(self.speech_until, self.frames)

    def set_volume(self, volume: float) -> None:
        """Change the volume; it glides there within one block."""
        with self._lock:
            self._target_volume = volume

    @property
    def busy(self) -> bool:
        """True while anything plays or waits to play."""
        with self._lock:
            return bool(self._voices or self._fading)

    def next_block(self, count: int) -> np.ndarray:
        """The next ``count`` frames of the mix."""
        with self._lock:
            block = np.zeros(count, dtype=np.float32)
            begin, end = self.frames, self.frames + count
            self._voices = [v for v in self._voices if self._mix_into(block, v, begin, end)]
            if self._fading:
                fade = np.zeros(count, dtype=np.float32)
                for voice in self._fading:
                    self._mix_into(fade, voice, begin, end)
                length = min(count, max(1, int(self.rate * HUSH_FADE_SECONDS)))
                fade[:length] *= np.linspace(1.0, 0.0, length, dtype=np.float32)
                fade[length:] = 0.0
                block += fade
                self._fading = []
            gain = np.linspace(self._volume, self._target_volume, count, dtype=np.float32)
            self._volume = self._target_volume
            self.frames = end
            return block * gain

    @staticmethod
    def _mix_into(block: np.ndarray, voice: _Voice, begin: int, end: int) -> bool:
        """Add the part of ``voice`` inside [begin, end); False once it has ended."""
        offset = voice.start - begin
        if offset >= len(block):
            return True
        skip = max(0, -offset)
        part = voice.samples[skip : skip + len(block) - max(offset, 0)]
        block[max(offset, 0) : max(offset, 0) + len(part)] += part
        return voice.start + len(voice.samples) > end
