"""Listening: microphone -> echo cancellation (or a half-duplex gate) -> recognizer -> what was heard, on a queue."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Iterable, Protocol

import numpy as np
import vosk

from ..audio.echo import EchoCancellation, speaker_echo_cancellation
from ..audio.mic import Microphone
from ..audio.speaker import Speaker
from ..audio.vad import VoiceGate
from ..core.driver import Heard
from ..core.interpret import Listening
from .asr import Recognition
from .free_asr import FreeRecognizer
from .grammar_asr import GrammarRecognizer

log = logging.getLogger(__name__)

HOLDOFF_SECONDS = 0.3
"""Half-duplex: after the coach falls silent, the microphone stays deaf this long (room echo)."""
KEPT_SECONDS = 15.0
"""The utterance kept for a second pass, from the gate's pre-roll on: at most its last seconds
(about as long as the recognizer lets one utterance run)."""


class ListeningSettings(Protocol):
    """What the configuration says about listening (``service.config.Settings`` has it all)."""

    microphone: str | None
    """Input device, by (part of) its name; None: the default device."""
    microphone_rate: int | None
    """Input sample rate in Hz; None: the device's own."""
    min_confidence: float
    """Recognized words below this confidence are ignored."""
    barge_in: bool
    """Hear commands over the coach's voice, through echo cancellation."""
    open_answers: str
    """How open answers are heard: "free" or "grammar"."""


class Listener:
    """Puts every phrase heard into ``heard``.

    With ``echo`` (cancellation against the speaker's own output) working, the coach's
    voice is taken out of the microphone and everything valid now is heard while it
    speaks. Otherwise half-duplex: whatever the microphone picks up while the coach's
    voice can be heard (plus a short hold-off) is thrown away, so the coach never
    answers itself. Breath tones and chimes never deafen it: "pauze" works during them.
    While an open question waits (and ``open_answers`` is "free"), the model's own
    language model hears the answer; otherwise a grammar of what is valid now.
    """

    def __init__(
        self,
        model: vosk.Model,
        heard: queue.Queue[str],
        speaker: Speaker | None = None,
        microphone: str | None = None,
        rate: int | None = None,
        min_confidence: float = 0.5,
        holdoff: float = HOLDOFF_SECONDS,
        echo: EchoCancellation | None = None,
        wait_for_device: bool = False,
        open_answers: str = "free",
        recorded: bool = False,
    ):
        self.heard = heard
        self.speaker = speaker
        self.holdoff = holdoff
        self.mic = None if recorded else Microphone(self.feed, microphone, rate, wait_for_device)
        """The microphone; None with ``recorded``, where audio at ``rate`` comes only through :meth:`feed`."""
        self.rate: int = rate if self.mic is None else self.mic.rate
        self.model = model
        self.open_answers = open_answers
        self.grammar = GrammarRecognizer(model, self.rate, min_confidence)
        self._free: FreeRecognizer | None = None  # made by prepare, or on the first open question
        self._making_free = threading.Lock()
        self.recognizer: Recognition = self.grammar
        """The recognition in use now."""
        self.gate = VoiceGate(self.rate)
        self.echo = echo
        """The coach's voice taken out of the microphone; None: half-duplex only."""
        self._lock = threading.Lock()
        self._was_deaf = False
        self.frames_fed = 0
        """Audio frames fed so far: how much was really listened to (a missing microphone feeds none)."""
        self.heard_by: Recognition = self.grammar
        """The recognition that heard the text last put in ``heard`` (its confidence and more)."""
        self._listen_next: Listening | None = None  # waits for the end of an utterance accepted early
        self._utterance: list[np.ndarray] = []  # what the gate let through of the utterance going on
        self._utterance_samples = 0
        self.heard_audio: bytes | None = None
        """The utterance of the text last put in ``heard``, up to it, as int16 at ``rate``, when a
        grammar heard it (a second pass may hear it again); None when the model's own language
        model heard it already."""

    @classmethod
    def configured(
        cls,
        model: vosk.Model,
        heard: queue.Queue[str],
        settings: ListeningSettings,
        speaker: Speaker | None = None,
        wait_for_device: bool = False,
        recorded_rate: int | None = None,
    ) -> Listener:
        """The listener as ``settings`` have it: the one way the daemon, ``play``, the night test
        and the bench build it. Barge-in cancels the echo of ``speaker``, so it needs one. With
        ``recorded_rate``, audio at that rate comes only through :meth:`feed` (a recording)."""
        listener = cls(
            model, heard, speaker, settings.microphone, recorded_rate or settings.microphone_rate, settings.min_confidence,
            wait_for_device=wait_for_device, open_answers=settings.open_answers,
            recorded=recorded_rate is not None,
        )
        if speaker is not None:
            listener.echo, mode = speaker_echo_cancellation(speaker, listener.rate) if settings.barge_in else (None, "half-duplex: barge_in is off")
            (log.info if listener.echo or not settings.barge_in else log.warning)("listening %s", mode)
        return listener

    def prepare(self, listenings: Iterable[Listening]) -> threading.Thread:
        """Compile every grammar of ``listenings`` (and the free recognizer, if an open
        question is among them) on a background thread, so that :meth:`listen_for`
        later only switches; returns the thread."""
        listenings = tuple(listenings)

        def compile_all() -> None:
            for listening in listenings:
                self.grammar.prepare(listening.phrases, listening.never_early())
            if any(self._hears_freely(listening) for listening in listenings):
                self._free_recognizer()

        thread = threading.Thread(target=compile_all, name="grammars", daemon=True)
        thread.start()
        return thread

    def listen_for(self, listening: Listening) -> None:
        """Listen for what is valid now: instant for what :meth:`prepare` compiled; anything
        else is compiled first, outside the lock the microphone's thread needs. While the
        utterance of a phrase accepted early goes on, it is heard to its end first: its rest
        belongs with that phrase ("stoppen", a pause, "met leven")."""
        self.grammar.prepare(listening.phrases, listening.never_early())
        if self._hears_freely(listening):
            self._free_recognizer()
        with self._lock:
            self._listen_next = listening
            if not self._continuing():
                self._switch()

    def _continuing(self) -> bool:
        return self.recognizer is self.grammar and self.grammar.continuing

    def _switch(self) -> None:
        """Listen for the listening asked for last (everything it needs is compiled; the lock is held)."""
        listening, self._listen_next = self._listen_next, None
        chosen = self._free if self._hears_freely(listening) else self.grammar
        self.grammar.set_phrases(listening.phrases, listening.never_early())
        if chosen is not self.recognizer:
            chosen.reset()
            self.recognizer = chosen

    def as_heard(self, text: str) -> Heard:
        """``text``, just put in ``heard``, as the coach takes it: with the confidence of the
        recognition that heard it, and the early phrase it is the rest of."""
        return Heard(text, self.heard_by.last_confidence, self.heard_by.last_continues, self.heard_audio)

    def _hears_freely(self, listening: Listening) -> bool:
        return listening.open_answer and self.open_answers == "free"

    def _free_recognizer(self) -> FreeRecognizer:
        with self._making_free:
            if self._free is None:
                self._free = FreeRecognizer(self.model, self.rate, self.grammar.min_confidence)
            return self._free

    @property
    def min_confidence(self) -> float:
        return self.grammar.min_confidence

    @min_confidence.setter
    def min_confidence(self, value: float) -> None:
        """A new threshold (a reloaded config) for every recognizer."""
        for recognizer in (self.grammar, self._free):
            if recognizer is not None:
                recognizer.min_confidence = value

    def start(self) -> "Listener":
        if self.mic is not None:
            self.mic.start()
        return self

    def close(self) -> None:
        if self.mic is not None:
            self.mic.close()

    def __enter__(self) -> "Listener":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _keep(self, samples: np.ndarray) -> None:
        """Add ``samples`` to the utterance going on, keeping its last :data:`KEPT_SECONDS`."""
        self._utterance.append(samples)
        self._utterance_samples += len(samples)
        while self._utterance_samples - len(self._utterance[0]) >= KEPT_SECONDS * self.rate:
            self._utterance_samples -= len(self._utterance.pop(0))

    def _forget_utterance(self) -> None:
        self._utterance, self._utterance_samples = [], 0

    def _heard_in(self, source: Recognition, text: str) -> str:
        """``text`` was heard by ``source``: remember by which, and the utterance up to it."""
        self.heard_by = source
        self.heard_audio = b"".join(s.tobytes() for s in self._utterance) if source is self.grammar else None
        return text

    def _coach_audible(self, captured_at: float) -> bool:
        """Half-duplex deafness: the coach's voice may be heard and no working canceller takes it out."""
        if self.speaker is None or (self.echo is not None and self.echo.working):
            return False
        return captured_at < self.speaker.speaking_until + self.holdoff

    def feed(self, samples: np.ndarray, captured_at: float) -> None:
        """The microphone's audio callback: one block of int16 samples captured at
        ``captured_at`` (the bench and the night test feed it by hand too)."""
        with self._lock:
            self.frames_fed += len(samples)
            if self.echo is not None:
                samples = self.echo.clean(samples, captured_at)
            source, text = self.recognizer, None
            if self._coach_audible(captured_at):
                if not self._was_deaf:
                    if self._continuing() and (found := source.finish()):  # what was said after an early phrase
                        text = self._heard_in(source, found)
                    source.reset()
                    self._forget_utterance()
                    self._was_deaf = True
            else:
                self._was_deaf = False
                for segment in self.gate.admit(samples):
                    self._keep(segment.samples)
                    if found := source.accept(segment.samples.tobytes()):
                        text = self._heard_in(source, found)
                        if not self._continuing():  # the recognizer's own end of an utterance
                            self._forget_utterance()
                    if segment.ends_utterance:  # the voice stopped: whatever is pending is said
                        if found := source.finish():
                            text = self._heard_in(source, found)
                        self._forget_utterance()
            if self._listen_next is not None and not self._continuing():
                self._switch()
        if text:
            self.heard.put(text)
