"""Sound as numbers: reading and writing WAV files, resampling, fades.

Samples are float32 mono in [-1, 1] unless said otherwise.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


class SoundError(Exception):
    """A sound file is missing or not a usable WAV file."""


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples (float32 mono, channels averaged) and the sample rate of a 16-bit PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise SoundError(f"{path}: only 16-bit PCM WAV is supported; convert it with: sox IN -b 16 OUT.wav")
            raw = wav.readframes(wav.getnframes())
            channels, rate = wav.getnchannels(), wav.getframerate()
    except (OSError, EOFError, wave.Error) as err:
        raise SoundError(f"{path}: not a readable WAV file ({err})") from None
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def wav_seconds(path: Path) -> float:
    """Length of a WAV file from its header."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()
    except (OSError, EOFError, wave.Error) as err:
        raise SoundError(f"{path}: not a readable WAV file ({err})") from None


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write float samples as 16-bit mono PCM."""
    clipped = np.clip(samples, -1.0, 1.0)
    # The file is opened first: wave.open on a path that cannot be created leaves a
    # half-made writer whose __del__ prints a traceback after the real error.
    with open(path, "wb") as file, wave.open(file, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((clipped * 32767).astype("<i2").tobytes())


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """``samples`` at ``target`` Hz (linear interpolation: plenty for speech and soft tones)."""
    if rate == target or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    count = int(round(len(samples) * target / rate))
    positions = np.arange(count, dtype=np.float64) * (rate / target)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def cut(samples: np.ndarray, frames: int, fade_frames: int) -> np.ndarray:
    """The first ``frames`` samples, faded out over the last ``fade_frames`` (no click)."""
    if frames >= len(samples):
        return samples
    part = samples[:frames].copy()
    fade = min(fade_frames, frames)
    if fade:
        part[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return part


def peak(samples: np.ndarray) -> float:
    """The loudest absolute sample."""
    return float(np.max(np.abs(samples))) if len(samples) else 0.0
