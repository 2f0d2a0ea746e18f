"""Sound as numbers: reading and writing WAV files, resampling, fades.

Samples are float32 mono in [-1, 1] unless said otherwise.
"""

from __future__ import annotations

import os
import stat
import wave
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np


SOUND_RATES = range(8000, 192001)
"""Sample rates a WAV file may have."""
MAX_SOUND_SECONDS = 120.0
"""The longest sound or recorded clip a script may play: a few sentences, not a recording
of a session (a 100 MB clip once cost the daemon 644 MB)."""
MAX_SOUND_BYTES = 32 << 20
"""The largest sound or clip file: 120 s of 48 kHz stereo is 23 MB."""
CONVERT = "convert it with: sox IN -b 16 -r 22050 -c 1 OUT.wav"


class SoundError(Exception):
    """A sound file is missing or not a usable WAV file; the message names it and what to do."""


@contextmanager
def open_wav(path: Path, bounded: bool = False) -> Iterator[tuple[wave.Wave_read, int]]:
    """The WAV reader and its frame count, once the file is known to be a regular file
    holding 16-bit PCM, mono or stereo, at a sane rate, whose header claims no more than
    the file holds; ``bounded``: a script's sound (:data:`MAX_SOUND_BYTES`, :data:`MAX_SOUND_SECONDS`)."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise SoundError(f"{path}: cannot be read ({err.strerror}); check the name and permissions") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SoundError(f"{path}: not a regular file (a FIFO, device or folder); put a WAV file there")
    with os.fdopen(fd, "rb") as file:
        if bounded and info.st_size > MAX_SOUND_BYTES:
            raise SoundError(f"{path}: {info.st_size} bytes, more than the {MAX_SOUND_BYTES} a sound may have; shorten it (sox IN OUT.wav trim 0 {MAX_SOUND_SECONDS:.0f}) or {CONVERT}")
        try:
            with wave.open(file, "rb") as wav:
                frames = _check_format(wav, path, info.st_size, bounded)
                yield wav, frames
        except (OSError, EOFError, wave.Error) as err:
            raise SoundError(f"{path}: not a readable WAV file ({str(err) or 'too short to be one'}); {CONVERT}") from None


def _check_format(wav: wave.Wave_read, path: Path, size: int, bounded: bool) -> int:
    channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
    if width != 2:
        raise SoundError(f"{path}: {8 * width}-bit samples; only 16-bit PCM WAV is supported; {CONVERT}")
    if channels not in (1, 2):
        raise SoundError(f"{path}: {channels} channels; only mono or stereo is supported; {CONVERT}")
    if rate not in SOUND_RATES:
        raise SoundError(f"{path}: a sample rate of {rate} Hz; it must be {SOUND_RATES.start}-{SOUND_RATES.stop - 1} Hz; {CONVERT}")
    if frames * channels * width > size:
        raise SoundError(f"{path}: truncated (its header claims {frames} frames, more than the file holds); record or convert it again")
    if bounded and frames / rate > MAX_SOUND_SECONDS:
        raise SoundError(f"{path}: {frames / rate:.0f} s long, more than the {MAX_SOUND_SECONDS:.0f} s a sound may last; shorten it (sox IN OUT.wav trim 0 {MAX_SOUND_SECONDS:.0f})")
    return frames


def read_wav(path: Path, bounded: bool = False) -> tuple[np.ndarray, int]:
    """Samples (float32 mono, channels averaged) and the sample rate of a 16-bit PCM WAV file
    (``bounded``: a script's sound, see :func:`sound_problem`); SoundError for anything else."""
    with open_wav(path, bounded) as (wav, frames):
        raw = wav.readframes(frames)
        channels, rate = wav.getnchannels(), wav.getframerate()
    samples = np.frombuffer(raw[: len(raw) // (2 * channels) * 2 * channels], dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def wav_seconds(path: Path, bounded: bool = False) -> float:
    """Length of a WAV file from its header (``bounded``: as :func:`read_wav`)."""
    with open_wav(path, bounded) as (wav, frames):
        return frames / wav.getframerate()


def sound_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a script's sound or recorded clip (None: it can): a regular
    file, 16-bit PCM WAV, mono or stereo, 8-192 kHz, at most :data:`MAX_SOUND_SECONDS` long
    and :data:`MAX_SOUND_BYTES` large. Reads the header only."""
    try:
        wav_seconds(path, bounded=True)
    except SoundError as err:
        return str(err)
    return None


def write_wav(target: Path | BinaryIO, samples: np.ndarray, rate: int) -> None:
    """Write float samples as 16-bit mono PCM into ``target``: a path, or a file open for binary writing."""
    clipped = np.clip(samples, -1.0, 1.0)
    # The file is opened first: wave.open on a path that cannot be created leaves a
    # half-made writer whose __del__ prints a traceback after the real error.
    opened = open(target, "wb") if isinstance(target, (str, os.PathLike)) else nullcontext(target)
    with opened as file, wave.open(file, "wb") as wav:
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
