"""Recognition restricted to a grammar: the phrases that mean something right now."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

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
KEPT_GRAMMARS = 64
"""Compiled grammars kept for reuse, the least recently used given up beyond this. The
coach uses a finite set (idle, the start check's yes/no, the session's commands, one per
question of each script: about 30 with the shipped scripts); a reload with other
exercise names makes new ones, and the old ones then age out."""


@dataclass(frozen=True)
class Grammar:
    """One grammar compiled into Vosk recognizers, kept to switch back to at once."""

    phrases: tuple[str, ...]
    """What it listens for, fillers included."""
    fillers: frozenset[str]
    """The phrases that mean nothing: single everyday words, none of them in a command."""
    full: vosk.KaldiRecognizer
    """The whole grammar: its results are what was heard."""
    early: vosk.KaldiRecognizer | None
    """The same grammar without its fillers, fed the same audio, only to judge early
    acceptance (None when there are no fillers): the fillers keep other speech off the
    commands, but the whole grammar's partial result wanders through them for about
    0.3 s after the voice ends before it settles."""
    in_use: threading.Lock = field(default_factory=threading.Lock, compare=False)
    """Held while it is emptied after use: nothing may feed it meanwhile."""

    def recognizers(self) -> tuple[vosk.KaldiRecognizer, ...]:
        return (self.full,) if self.early is None else (self.full, self.early)

    def empty(self) -> None:
        """Drop every bit of audio it still holds. Vosk's Reset keeps the audio its network
        has not decoded yet (about 0.3 s) for the next utterance; a final result does not,
        but costs 20-40 ms, so this runs off the reaction path, when the grammar is left."""
        with self.in_use:
            for recognizer in self.recognizers():
                recognizer.FinalResult()


class GrammarRecognizer:
    """Phrases heard in a stream of int16 audio, from a grammar of ``phrases``.

    A result is returned whole, words outside the grammar or unclear as ``[unk]``:
    what it means (a command said in a sentence, a crisis phrase among other
    words) is for the interpreter to find. Each grammar is compiled once
    (:meth:`prepare`, ahead of time and from any thread) and switched to at once.
    """

    def __init__(self, model: vosk.Model, rate: int, min_confidence: float = 0.5, urgent: tuple[str, ...] = (), kept: int = KEPT_GRAMMARS):
        self.model = model
        self.rate = rate
        self.min_confidence = min_confidence
        """A word under this confidence counts as unclear (``[unk]``)."""
        self.urgent = frozenset(urgent)
        """Phrases accepted after :data:`URGENT_STABLE_SECONDS` ("stop")."""
        self.kept = kept
        """How many compiled grammars are kept (at least the one in use)."""
        self.phrases: tuple[str, ...] = ()
        self.builds = 0
        """How many grammars were compiled so far (each one Vosk recognizer, or two with fillers)."""
        self.last_confidence: float | None = None
        """The lowest word confidence of the utterance last returned; None when it was
        accepted early, from a steady partial result. (Vosk's partial words carry
        confidences, but asking for them, SetPartialWords, stopped partial results from
        ever settling here: a start then waited for the end of the utterance, 1.1 s.)"""
        self.grammar: Grammar | None = None
        """The grammar in use."""
        self._grammars: OrderedDict[tuple, Grammar] = OrderedDict()
        self._building: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()  # guards the kept grammars, never held while compiling
        self._forget_utterance()

    def prepare(self, phrases: list[str] | tuple[str, ...], fillers: tuple[str, ...] = ()) -> Grammar:
        """The grammar of ``phrases``, compiled now unless kept (and kept); what is listened
        for does not change. Safe from any thread; one already being compiled is waited for."""
        phrases = tuple(dict.fromkeys(phrases))
        key = (phrases, frozenset(fillers) & set(phrases))
        while True:
            with self._lock:
                if key in self._grammars:
                    self._grammars.move_to_end(key)
                    return self._grammars[key]
                other = self._building.get(key)
                if other is None:
                    done = self._building[key] = threading.Event()
            if other is None:
                break
            other.wait()
        try:
            grammar = self._compile(*key)
            with self._lock:
                self._grammars[key] = grammar
                self.builds += 1
                self._give_up_old()
            return grammar
        finally:
            with self._lock:
                del self._building[key]
            done.set()

    def _compile(self, phrases: tuple[str, ...], fillers: frozenset[str]) -> Grammar:
        meaningful = [p for p in phrases if p not in fillers]
        early = self._recognizer(meaningful) if fillers and meaningful else None
        return Grammar(phrases, fillers, self._recognizer(phrases), early)

    def _recognizer(self, phrases) -> vosk.KaldiRecognizer:
        # ensure_ascii=False: with \\u escapes Vosk treats every non-ASCII word as unknown.
        recognizer = vosk.KaldiRecognizer(self.model, self.rate, json.dumps([*phrases, UNKNOWN], ensure_ascii=False))
        recognizer.SetWords(True)
        return recognizer

    def _give_up_old(self) -> None:
        """Drop the least recently used grammars beyond :attr:`kept`, never the one in use."""
        for key in [k for k, grammar in self._grammars.items() if grammar is not self.grammar]:
            if len(self._grammars) <= self.kept:
                return
            del self._grammars[key]

    def set_phrases(self, phrases: list[str] | tuple[str, ...], fillers: tuple[str, ...] = ()) -> None:
        """Listen for exactly these phrases from now on ("[unk]" takes the rest); ``fillers``
        among them mean nothing. Instant for a grammar prepared before."""
        grammar = self.prepare(phrases, fillers)
        if grammar is self.grammar:
            return
        left, self.grammar = self.grammar, grammar
        if left is not None:
            threading.Thread(target=left.empty, name="grammar-emptied", daemon=True).start()
        self.phrases = grammar.phrases
        with grammar.in_use:  # emptied when it was left; waited for only when switched back at once
            self.reset()

    def reset(self) -> None:
        if self.grammar is not None:
            for recognizer in self.grammar.recognizers():
                recognizer.Reset()
        self._forget_utterance()

    def _forget_utterance(self) -> None:
        self._full = _Steadiness()
        self._twin = _Steadiness()
        self._loudest = 0.0
        self._reported_early: str | None = None
        self._seen: set[str] = set()
        """Every partial result of the whole grammar in this utterance."""

    def accept(self, audio: bytes) -> str | None:
        """Feed audio; returns what was said once an utterance ended, or sooner when
        it is one whole phrase said clearly (see :data:`STABLE_SECONDS`)."""
        if self.grammar is None:
            return None
        if self.grammar.full.AcceptWaveform(audio):
            return self._concluded(self.grammar.full.Result())
        if self._reported_early:
            return None
        if self.grammar.early is not None:
            self.grammar.early.AcceptWaveform(audio)
        return self._early(audio)

    def finish(self) -> str | None:
        if self.grammar is None:
            return None
        return self._concluded(self.grammar.full.FinalResult())

    def _concluded(self, result: str) -> str | None:
        """The utterance's text, less what was already reported early."""
        parsed = json.loads(result)
        text = heard_text(parsed, self.min_confidence)
        self.last_confidence = min((w.get("conf", 0.0) for w in parsed.get("result", [])), default=None)
        early = self._reported_early
        if self.grammar.early is not None:
            self.grammar.early.Reset()  # the next utterance starts on both at once
        self._forget_utterance()
        return _beyond(text, early) if early else text

    def _early(self, audio: bytes) -> str | None:
        """The phrase of a stable partial result after the voice fell quiet, if any.

        With fillers, the filler-free twin's partial result counts too, when the whole
        grammar heard that phrase at some moment of this utterance and hears no other
        phrase than fillers or it now: the twin alone would force other speech onto a
        command, which is what the fillers are there against.
        """
        samples = np.frombuffer(audio, dtype="<i2").astype(np.float32)
        level = float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
        self._loudest = max(self._loudest, level)
        quiet = level < QUIET_RATIO * self._loudest
        seconds = len(samples) / self.rate
        partial = self._full.heard(_partial(self.grammar.full), quiet, seconds)
        self._seen.add(partial)
        candidates = [(partial, self._full.steady_seconds)]
        if self.grammar.early is not None:
            twin = self._twin.heard(_partial(self.grammar.early), quiet, seconds)
            meant = " ".join(w for w in partial.split() if w not in self.grammar.fillers)
            if twin in self._seen and meant in ("", twin):
                candidates.append((twin, self._twin.steady_seconds))
        for phrase, steady_seconds in candidates:
            needed = URGENT_STABLE_SECONDS if phrase in self.urgent else STABLE_SECONDS
            if phrase in self.phrases and steady_seconds >= needed:
                self._reported_early = phrase
                self.last_confidence = None
                return phrase
        return None


@dataclass
class _Steadiness:
    """How long one recognizer's partial result has stayed the same while the voice was quiet."""

    partial: str = ""
    """The partial result last seen."""
    steady_seconds: float = 0.0
    """For how long it has not changed, in quiet."""

    def heard(self, partial: str, quiet: bool, seconds: float) -> str:
        """Take the partial result after ``seconds`` more audio; returns it."""
        steady = quiet and partial == self.partial
        self.steady_seconds = self.steady_seconds + seconds if steady else 0.0
        self.partial = partial
        return partial


def _partial(recognizer: vosk.KaldiRecognizer) -> str:
    return json.loads(recognizer.PartialResult()).get("partial", "")


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
