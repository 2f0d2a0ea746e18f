"""Speech synthesis: pyttsx3 driving espeak-ng's Dutch voice, rendered to verified WAV files."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .sound import SoundError, peak, read_wav

RENDER_ATTEMPTS = 3
"""A sentence is rendered at most this often (each time with a fresh engine) before giving up."""
SILENCE_PEAK = 0.01
"""A rendering whose loudest sample is below this is silence, not speech."""


class SpeechError(Exception):
    """Speech could not be synthesized; the message says what to do."""


@dataclass(frozen=True)
class Voice:
    """How the coach sounds."""

    name: str = "gmw/nl"
    """espeak-ng voice id (``espeak-ng --voices=nl`` lists the Dutch ones)."""
    words_per_minute: int = 150
    """Speaking rate at voice_rate 1.0; calm speech is slower than espeak's 175."""
    pitch: int = 45
    """espeak pitch, 0-100 (50 is espeak's default)."""


@cache
def espeak_version() -> str:
    """The installed espeak-ng's version line, part of every cache key."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        return "espeak-ng missing"
    result = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    return result.stdout.strip()


def engine_version() -> str:
    """What renders speech, as a string that changes whenever the sound could."""
    return f"pyttsx3 {version('pyttsx3')}; {espeak_version()}"


def plausible_seconds(text: str, words_per_minute: float) -> tuple[float, float]:
    """The range a correct rendering of ``text`` must fall in; catches lost or swapped files."""
    expected = max(len(text.split()), 1) * 60.0 / words_per_minute
    return 0.25 * expected, 4.0 * expected + 1.5


def check_rendering(path: Path, text: str, words_per_minute: float) -> float:
    """The length of a rendered file, or SpeechError when it is missing, broken, silent or implausible."""
    if not path.is_file():
        raise SpeechError("no file was written")
    try:
        samples, rate = read_wav(path)
    except SoundError as err:
        raise SpeechError(str(err)) from None
    seconds = len(samples) / rate
    low, high = plausible_seconds(text, words_per_minute)
    if not low <= seconds <= high:
        raise SpeechError(f"{seconds:.2f} s of audio for {len(text.split())} words is implausible (expected {low:.2f}-{high:.2f} s)")
    if peak(samples) < SILENCE_PEAK:
        raise SpeechError("the rendering is silent")
    return seconds


class Synthesizer:
    """Renders sentences to WAV with pyttsx3 + espeak-ng, verifying each file.

    pyttsx3 2.99's espeak driver has been seen to write no file for the first
    sentence an engine renders (and to be one file behind after that). So every
    new engine first renders a throwaway sentence, and every file is checked;
    a failed check retries with a fresh engine.
    """

    def __init__(self, voice: Voice = Voice()):
        self.voice = voice
        self._engine = None

    def render(self, text: str, rate: float, target: Path) -> float:
        """Render ``text`` at ``rate`` (1.0 = the voice's own speed) into ``target``; returns its length."""
        words_per_minute = self.voice.words_per_minute * rate
        target.parent.mkdir(parents=True, exist_ok=True)
        problem = ""
        for attempt in range(RENDER_ATTEMPTS):
            scratch = target.with_name(f".{target.stem}.{os.getpid()}.{attempt}.wav")
            try:
                self._save(text, round(words_per_minute), scratch)
                seconds = check_rendering(scratch, text, words_per_minute)
            except SpeechError as err:
                problem = str(err)
                self._engine = None  # start over with a fresh engine
                scratch.unlink(missing_ok=True)
                continue
            os.replace(scratch, target)
            return seconds
        raise SpeechError(f"could not render {text!r} after {RENDER_ATTEMPTS} attempts: {problem}")

    def _save(self, text: str, words_per_minute: int, path: Path) -> None:
        engine = self._engine or self._start()
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the driver prints every file name
                engine.setProperty("rate", words_per_minute)
                engine.save_to_file(text, str(path))
                engine.runAndWait()
        except Exception as err:  # pyttsx3 raises bare RuntimeError/OSError/ctypes errors
            raise SpeechError(f"pyttsx3 failed: {err}") from None

    def _start(self):
        """A new engine with the Dutch voice, warmed up past its lost first file."""
        try:
            from pyttsx3.engine import Engine

            engine = Engine("espeak")
            engine.setProperty("voice", self.voice.name)
            engine.setProperty("pitch", self.voice.pitch)
        except Exception as err:
            raise SpeechError(
                f"the espeak-ng voice cannot start ({err}); install it with: sudo apt-get install espeak-ng"
            ) from None
        self._engine = engine
        warmup = Path(os.environ.get("TMPDIR", "/tmp")) / f"voice-coach-warmup-{os.getpid()}.wav"
        with contextlib.suppress(SpeechError):
            self._save("Hallo.", self.voice.words_per_minute, warmup)
        warmup.unlink(missing_ok=True)
        # Properties apply in runAndWait; an unknown voice name leaves another voice in place, silently.
        chosen = engine.getProperty("voice")
        if chosen != self.voice.name:
            self._engine = None
            raise SpeechError(
                f"the espeak-ng voice {self.voice.name!r} is not installed (espeak-ng kept {chosen!r}); "
                "install it with: sudo apt-get install espeak-ng, or pick one from: espeak-ng --voices=nl"
            )
        return engine
