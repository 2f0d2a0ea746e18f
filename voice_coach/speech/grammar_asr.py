"""Recognition restricted to a grammar: the phrases that mean something right now."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import vosk

from ..core.utterance import UNKNOWN
from .asr import heard_text, lowest_confidence
from .early import EarlyJudge

log = logging.getLogger(__name__)

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
    early: frozenset[str]
    """The phrases that may be accepted at a pause (see :mod:`.early`)."""
    full: vosk.KaldiRecognizer
    """The whole grammar: its results are what was heard."""
    twin: vosk.KaldiRecognizer
    """The same grammar, fed the same audio, asked for its final result at each pause: only
    to judge early whether a whole phrase was said (:mod:`.early`)."""
    in_use: threading.Lock = field(default_factory=threading.Lock, compare=False)
    """Held while it is emptied after use: nothing may feed it meanwhile."""

    def recognizers(self) -> tuple[vosk.KaldiRecognizer, ...]:
        return self.full, self.twin

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

    def __init__(self, model: vosk.Model, rate: int, min_confidence: float = 0.5, kept: int = KEPT_GRAMMARS):
        self.model = model
        self.rate = rate
        self.min_confidence = min_confidence
        """A word under this confidence counts as unclear (``[unk]``)."""
        self.kept = kept
        """How many compiled grammars are kept (at least the one in use)."""
        self.phrases: tuple[str, ...] = ()
        self.builds = 0
        """How many grammars were compiled so far (each two Vosk recognizers: whole and twin)."""
        self.last_confidence: float | None = None
        """The lowest word confidence of the utterance last returned (None: no word)."""
        self.last_continues: str | None = None
        """The phrase accepted early that the text last returned is the rest of (None: a
        whole utterance, or an early phrase itself)."""
        self.grammar: Grammar | None = None
        """The grammar in use."""
        self._grammars: OrderedDict[tuple, Grammar] = OrderedDict()
        self._building: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()  # guards the kept grammars, never held while compiling
        self._early = EarlyJudge(rate)
        self._reported_early: str | None = None
        """The phrase of this utterance accepted early, if any."""

    def prepare(self, phrases: list[str] | tuple[str, ...], never_early: tuple[str, ...] = ()) -> Grammar:
        """The grammar of ``phrases``, compiled now unless kept (and kept); what is listened
        for does not change. Safe from any thread; one already being compiled is waited for."""
        key = (tuple(dict.fromkeys(phrases)), frozenset(never_early))
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
            grammar = Grammar(key[0], frozenset(key[0]) - key[1], self._recognizer(key[0]), self._recognizer(key[0]))
            with self._lock:
                self._grammars[key] = grammar
                self.builds += 1
                self._give_up_old()
            return grammar
        finally:
            with self._lock:
                del self._building[key]
            done.set()

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

    def set_phrases(self, phrases: list[str] | tuple[str, ...], never_early: tuple[str, ...] = ()) -> None:
        """Listen for exactly these phrases from now on ("[unk]" takes the rest); those
        ``never_early`` are taken only once the utterance has ended (fillers, phrasings that
        count only at a clause's end). Instant for a grammar prepared before."""
        grammar = self.prepare(phrases, never_early)
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
        self._early.forget()
        self._reported_early: str | None = None

    def accept(self, audio: bytes) -> str | None:
        """Feed audio; returns what was said once an utterance ended, or sooner when it is
        one whole phrase followed by a pause (:mod:`.early`)."""
        if self.grammar is None:
            return None
        if self.grammar.full.AcceptWaveform(audio):
            return self._concluded(self.grammar.full.Result())
        if self._reported_early is not None:
            return None
        phrase = self._early.hear(self.grammar.twin, audio, self.grammar.early, self.min_confidence)
        if phrase is not None:
            self._reported_early = phrase
            self.last_confidence, self.last_continues = self._early.confidence, None
        return phrase

    @property
    def continuing(self) -> bool:
        """A phrase of the utterance going on was accepted early: its rest is still to come."""
        return self._reported_early is not None

    def finish(self) -> str | None:
        if self.grammar is None:
            return None
        return self._concluded(self.grammar.full.FinalResult())

    def _concluded(self, result: str) -> str | None:
        """The utterance's text, less what was already reported early."""
        parsed = json.loads(result)
        early, self._reported_early = self._reported_early, None
        self.last_continues = early
        self._early.utterance_ended(self.grammar.twin)
        if early is not None:
            parsed = _beyond(parsed, early)
        self.last_confidence = lowest_confidence(parsed)
        return heard_text(parsed, self.min_confidence, unclear_logged=early is None)


def _beyond(result: dict, early: str) -> dict:
    """A final result less the words of the phrase already reported early: the rest,
    with its own confidences ("stop ... ik wil dood" must not be swallowed)."""
    words = list(result.get("result", []))
    for word in early.split():
        found = next((w for w in words if w["word"] == word), None)
        if found is not None:
            words.remove(found)
    return {"result": words}
