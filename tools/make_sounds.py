#!/usr/bin/env python3
"""Regenerate the project's own sounds in audio/: soft chimes and breath tones.

Everything is synthesized here (no third-party recordings):
    .venv/bin/python tools/make_sounds.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voice_coach.audio.sound import write_wav

RATE = 22050
AUDIO = Path(__file__).resolve().parent.parent / "audio"


def bell(fundamental: float, seconds: float, partials: list[tuple[float, float, float]]) -> np.ndarray:
    """A struck bell: (ratio, loudness, decay per second) partials, a soft 8 ms attack."""
    t = np.arange(int(seconds * RATE)) / RATE
    sound = sum(loud * np.exp(-decay * t) * np.sin(2 * np.pi * fundamental * ratio * t) for ratio, loud, decay in partials)
    attack = np.minimum(t / 0.008, 1.0)
    release = np.minimum((seconds - t) / 0.3, 1.0)  # ends in silence, never a click
    return sound * attack * release


def glide(start_hz: float, end_hz: float, seconds: float, swell: str) -> np.ndarray:
    """A soft tone gliding in pitch, for an in-breath (rising) or out-breath (falling)."""
    t = np.arange(int(seconds * RATE)) / RATE
    hz = start_hz + (end_hz - start_hz) * t / seconds
    phase = 2 * np.pi * np.cumsum(hz) / RATE
    tone = np.sin(phase) + 0.25 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase)
    progress = t / seconds
    shape = 0.55 + 0.45 * (progress if swell == "up" else 1 - progress)
    fade = np.minimum(np.minimum(t / 0.4, 1.0), (seconds - t) / 0.4)
    return tone * shape * fade


def write(name: str, samples: np.ndarray, peak: float) -> None:
    write_wav(AUDIO / name, samples / np.max(np.abs(samples)) * peak, RATE)


def main() -> None:
    AUDIO.mkdir(exist_ok=True)
    # A singing-bowl like gong: low, slow, with a few inharmonic partials.
    write("gong.wav", bell(196.0, 5.0, [(1.0, 1.0, 0.8), (2.76, 0.45, 1.4), (5.4, 0.2, 2.6), (8.9, 0.06, 4.0)]), 0.5)
    # A small, bright bell for in-between moments.
    write("belletje.wav", bell(880.0, 2.0, [(1.0, 1.0, 2.2), (2.0, 0.3, 3.5), (3.0, 0.12, 5.0)]), 0.35)
    # Breath tones, longer than any phase: playback fades them out at the phase end.
    write("toon-in.wav", glide(196.0, 262.0, 10.0, "up"), 0.3)
    write("toon-uit.wav", glide(262.0, 196.0, 10.0, "down"), 0.3)


if __name__ == "__main__":
    main()
