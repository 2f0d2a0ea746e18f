"""Speech recognition: Vosk restricted to the phrases that mean something right now."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import vosk

from .model import ModelError, manifest_for, model_status

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"
"""Vosk's word for everything outside the grammar."""
STABLE_SECONDS = 0.3
"""A partial result that is a whole valid phrase, unchanged and quiet for this
long, counts as said without waiting for Vosk's end-of-utterance silence (about
0.8 s): a command gets its answer sooner. Shorter is risky: a partial can still
flip to a similar phrase a quarter second after the word. The rest of that
utterance is then swallowed, so it is reported once."""
URGENT_STABLE_SECONDS = 0.1
"""The same for "stop": it must act at once, and a stop heard by mistake costs only a restart."""
QUIET_RATIO = 0.1
"""Quiet: a block's level under this fraction (-20 dB) of the utterance's loudest block."""


def load_model(folder: Path) -> vosk.Model:
    """Load a Vosk model once (recognizers share it); ModelError says what to do when it is
    missing or incomplete (the quick size check: ``voice-coach model verify`` hashes every file)."""
    problems = model_status(folder, manifest_for(folder), full=False)
    if problems:
        raise ModelError(problems[0])
    vosk.SetLogLevel(-2 if log.getEffectiveLevel() > logging.DEBUG else 0)  # our own vocabulary check names unknown words
    try:
        return vosk.Model(str(folder))
    except Exception as err:  # vosk raises a bare Exception when loading fails
        raise ModelError(f"cannot load the speech model at {folder} ({err}); check it with: voice-coach model verify") from None


class Recognizer:
    """Phrases heard in a stream of int16 audio, from a grammar of ``phrases``."""

    def __init__(self, model: vosk.Model, rate: int, min_confidence: float = 0.5, urgent: tuple[str, ...] = ()):
        self.model = model
        self.rate = rate
        self.min_confidence = min_confidence
        """Every word of a result must reach this confidence, or the result is dropped."""
        self.urgent = frozenset(urgent)
        """Phrases accepted after :data:`URGENT_STABLE_SECONDS` ("stop")."""
        self.phrases: tuple[str, ...] = ()
        self._recognizer: vosk.KaldiRecognizer | None = None
        self._forget_utterance()

    def set_phrases(self, phrases: list[str] | tuple[str, ...]) -> None:
        """Listen for exactly these phrases from now on ("[unk]" takes the rest)."""
        phrases = tuple(dict.fromkeys(phrases))
        if phrases == self.phrases:
            return
        self.phrases = phrases
        # ensure_ascii=False: with \\u escapes Vosk treats every non-ASCII word as unknown.
        grammar = json.dumps([*phrases, UNKNOWN], ensure_ascii=False)
        self._recognizer = vosk.KaldiRecognizer(self.model, self.rate, grammar)
        self._recognizer.SetWords(True)
        self._forget_utterance()

    def reset(self) -> None:
        """Forget audio heard so far (e.g. the coach's own voice)."""
        if self._recognizer is not None:
            self._recognizer.Reset()
        self._forget_utterance()

    def _forget_utterance(self) -> None:
        self._partial = ""
        self._quiet_seconds = 0.0
        self._loudest = 0.0
        self._reported_early = False

    def accept(self, audio: bytes) -> str | None:
        """Feed audio; returns a phrase once one was clearly said."""
        if self._recognizer is None:
            return None
        if self._recognizer.AcceptWaveform(audio):
            result = json.loads(self._recognizer.Result())
            early = self._reported_early
            self._forget_utterance()
            return None if early else self._judge(result)
        return None if self._reported_early else self._early(audio)

    def _early(self, audio: bytes) -> str | None:
        """The phrase of a stable partial result after the voice fell quiet, if any."""
        samples = np.frombuffer(audio, dtype="<i2").astype(np.float32)
        level = float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
        self._loudest = max(self._loudest, level)
        partial = json.loads(self._recognizer.PartialResult()).get("partial", "")
        quiet = level < QUIET_RATIO * self._loudest
        steady = quiet and partial == self._partial
        self._quiet_seconds = self._quiet_seconds + len(samples) / self.rate if steady else 0.0
        self._partial = partial
        needed = URGENT_STABLE_SECONDS if partial in self.urgent else STABLE_SECONDS
        if partial in self.phrases and self._quiet_seconds >= needed:
            self._reported_early = True
            return partial
        return None

    def _judge(self, result: dict) -> str | None:
        text = result.get("text", "")
        words = result.get("result", [])
        if text not in self.phrases:  # empty, [unk] or a mix with it
            return None
        if min((w.get("conf", 0.0) for w in words), default=0.0) < self.min_confidence:
            log.info("heard %r but not clearly enough", text)
            return None
        return text
