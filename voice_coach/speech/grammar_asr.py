"""Recognition restricted to a grammar: the phrases that mean something right now."""

from __future__ import annotations

import json
import logging

import numpy as np
import vosk

from ..core.utterance import UNKNOWN
from .asr import heard_text

log = logging.getLogger(__name__)

STABLE_SECONDS = 0.3
"""A partial result that is a whole valid phrase, unchanged and quiet for this
long, counts as said without waiting for Vosk's end-of-utterance silence (about
0.8 s): a command gets its answer sooner. Shorter is risky: a partial can still
flip to a similar phrase a quarter second after the word."""
URGENT_STABLE_SECONDS = 0.1
"""The same for "stop": it must act at once, and a stop heard by mistake costs only a restart."""
QUIET_RATIO = 0.1
"""Quiet: a block's level under this fraction (-20 dB) of the utterance's loudest block."""


class GrammarRecognizer:
    """Phrases heard in a stream of int16 audio, from a grammar of ``phrases``.

    A result is returned whole, words outside the grammar or unclear as ``[unk]``:
    what it means (a command said in a sentence, a crisis phrase among other
    words) is for the interpreter to find.
    """

    def __init__(self, model: vosk.Model, rate: int, min_confidence: float = 0.5, urgent: tuple[str, ...] = ()):
        self.model = model
        self.rate = rate
        self.min_confidence = min_confidence
        """A word under this confidence counts as unclear (``[unk]``)."""
        self.urgent = frozenset(urgent)
        """Phrases accepted after :data:`URGENT_STABLE_SECONDS` ("stop")."""
        self.phrases: tuple[str, ...] = ()
        self.last_confidence: float | None = None
        """The lowest word confidence of the utterance last returned; None when it was
        accepted early, from a steady partial result. (Vosk's partial words carry
        confidences, but asking for them, SetPartialWords, stopped partial results from
        ever settling here: a start then waited for the end of the utterance, 1.1 s.)"""
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
        if self._recognizer is not None:
            self._recognizer.Reset()
        self._forget_utterance()

    def _forget_utterance(self) -> None:
        self._partial = ""
        self._quiet_seconds = 0.0
        self._loudest = 0.0
        self._reported_early: str | None = None

    def accept(self, audio: bytes) -> str | None:
        """Feed audio; returns what was said once an utterance ended, or sooner when
        it is one whole phrase said clearly (see :data:`STABLE_SECONDS`)."""
        if self._recognizer is None:
            return None
        if self._recognizer.AcceptWaveform(audio):
            return self._concluded(self._recognizer.Result())
        return None if self._reported_early else self._early(audio)

    def finish(self) -> str | None:
        if self._recognizer is None:
            return None
        return self._concluded(self._recognizer.FinalResult())

    def _concluded(self, result: str) -> str | None:
        """The utterance's text, less what was already reported early."""
        parsed = json.loads(result)
        text = heard_text(parsed, self.min_confidence)
        self.last_confidence = min((w.get("conf", 0.0) for w in parsed.get("result", [])), default=None)
        early = self._reported_early
        self._forget_utterance()
        return _beyond(text, early) if early else text

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
            self._reported_early = partial
            self.last_confidence = None
            return partial
        return None


def _beyond(text: str | None, early: str) -> str | None:
    """What the final result adds to a phrase already reported early: the rest of
    the words, when any is clear ("stop ... ik wil dood" must not be swallowed)."""
    if text is None:
        return None
    words = text.split()
    for word in early.split():
        if word in words:
            words.remove(word)
    return " ".join(words) if any(w != UNKNOWN for w in words) else None
