"""Speech synthesis: any voice's engine (see :mod:`voice_coach.speech.voices`) in a
process of its own, every rendered WAV file verified before it is kept."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from ..audio.sound import SoundError, peak, read_wav
from ..paths import private_folder
from .pronunciation import pronounce
from .synthesis import SynthesisEngine, Voice
from .voices import ENGINES

log = logging.getLogger(__name__)

RENDER_ATTEMPTS = 3
"""A sentence is rendered at most this often (each time with a fresh engine) before giving up."""
SILENCE_PEAK = 0.01
"""A rendering whose loudest sample is below this is silence, not speech."""
MIN_ROOM = 4 << 20
"""Free bytes below which a failed rendering is the full disk's fault, not the voice's
(a sentence takes a few hundred kB)."""


class SpeechError(Exception):
    """Speech could not be synthesized; the message says what to do."""


class NoRoom(SpeechError):
    """The disk of the speech cache is full: another voice would not help, free space would."""


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


class _Worker:
    """One rendering process (see :mod:`voice_coach.speech.tts_worker`).

    Replies come on a pipe of their own, passed to the process by number: the
    speech library prints to standard output from its own threads, even after a
    redirection has ended, so stdout is thrown away and never read.
    """

    def __init__(self, command: list[str]):
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*command, str(write_end)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, text=True, pass_fds=(write_end,),
            )
        except OSError as err:
            os.close(read_end)
            raise SpeechError(f"cannot start the speech process ({err})") from None
        finally:
            os.close(write_end)
        self.replies = os.fdopen(read_end, "r", encoding="utf-8", errors="replace")
        started = self._reply()
        if "error" in started:
            self.close()
            raise SpeechError(f"the voice cannot start ({started['error']})")

    def save(self, text: str, path: Path) -> None:
        try:
            self.process.stdin.write(json.dumps({"text": text, "path": str(path)}) + "\n")
            self.process.stdin.flush()
        except OSError as err:
            raise SpeechError(f"the speech process is gone ({err})") from None
        reply = self._reply()
        if "error" in reply:
            raise SpeechError(f"rendering failed: {reply['error']}")

    def _reply(self) -> dict:
        line = self.replies.readline()
        if not line:
            return {"error": f"the speech process stopped (exit status {self.process.wait()})"}
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):  # a failed attempt: the caller retries with a fresh process
            return {"error": f"the speech process sent a garbled reply: {line[:80]!r}"}
        return reply

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        self.replies.close()


class Synthesizer:
    """Renders sentences to WAV with the voice's engine, verifying each file.

    Rendering happens in one worker process per speaking rate (espeak-ng applies
    rate changes late). pyttsx3 2.99's espeak driver has been seen to write no
    file for an engine's first sentence and to run one file behind; so each
    worker first renders a throwaway sentence, every file is checked, and a
    failed check retries with a fresh worker. The pronunciation data is applied
    to every sentence first. A voice that cannot speak gives way, on
    :meth:`fall_back`, to the next of its ``fallbacks`` that can (see
    :func:`~voice_coach.speech.voices.fallbacks`).
    """

    def __init__(self, voice: Voice = Voice(), fallbacks: Sequence[Voice] = ()):
        self._voices = [voice, *fallbacks]
        """The voice that speaks now, then those that take over in turn when it fails."""
        self._workers: dict[int, _Worker] = {}

    @property
    def voice(self) -> Voice:
        """The voice that speaks now."""
        return self._voices[0]

    @property
    def engine(self) -> SynthesisEngine:
        """Its engine."""
        return ENGINES[self.voice.engine]

    def fall_back(self, reason: str) -> bool:
        """Let the next voice that can speak take over from the current one, for the rest
        of this session; False (the current one stays) when no other voice can speak."""
        failed = self.voice
        able = next((i for i, v in enumerate(self._voices[1:], 1) if ENGINES[v.engine].problem(v) is None), None)
        if able is None:
            return False
        self.close()
        del self._voices[:able]
        reason = " ".join(reason.split())  # an engine's error output, on one log line
        log.error("the voice %s cannot speak (%s); %s speaks instead until the coach restarts", failed.name, reason, self.voice.name)
        return True

    def spoken_form(self, text: str) -> str:
        """``text`` as this voice's engine is given it (see :mod:`~voice_coach.speech.pronunciation`)."""
        return pronounce(text, self.engine.family)

    def engine_version(self) -> str | None:
        """What renders speech, as a string that changes whenever the sound could (None: it cannot)."""
        return self.engine.version(self.voice)

    def render(self, text: str, rate: float, target: Path) -> float:
        """Render ``text`` at ``rate`` (1.0 = the voice's own speed) into ``target``; returns its length."""
        words_per_minute = round(self.voice.words_per_minute * rate)
        private_folder(target.parent)  # a said-back answer is the person's words
        problem = self.engine.problem(self.voice)
        if problem:  # no use trying: say at once why it cannot speak
            raise SpeechError(f"could not render {text!r}: {problem}")
        for attempt in range(RENDER_ATTEMPTS):
            scratch = target.with_name(f".{target.stem}.{os.getpid()}.{attempt}.wav")
            try:
                self._render_once(text, words_per_minute, scratch)
                seconds = check_rendering(scratch, text, words_per_minute)
            except SpeechError as err:
                problem = str(err)
                self._retire(words_per_minute)  # start over with a fresh worker
                scratch.unlink(missing_ok=True)
                if shutil.disk_usage(target.parent).free < MIN_ROOM:
                    raise NoRoom(f"no room to render speech in {target.parent}: the disk is full; free some space") from None
                continue
            os.chmod(scratch, 0o600)
            os.replace(scratch, target)
            return seconds
        raise SpeechError(f"could not render {text!r} after {RENDER_ATTEMPTS} attempts: {problem}")

    def _render_once(self, text: str, words_per_minute: int, path: Path) -> None:
        if words_per_minute not in self._workers:
            self._workers[words_per_minute] = _Worker(self.worker_command(words_per_minute))
        self._workers[words_per_minute].save(self.spoken_form(text), path)

    def worker_command(self, words_per_minute: int) -> list[str]:
        """The rendering process for this voice at this rate (its reply pipe's number is appended)."""
        return self.engine.worker_command(self.voice, words_per_minute)

    def _retire(self, words_per_minute: int) -> None:
        worker = self._workers.pop(words_per_minute, None)
        if worker is not None:
            worker.close()

    def close(self) -> None:
        """End the rendering processes."""
        for words_per_minute in list(self._workers):
            self._retire(words_per_minute)
