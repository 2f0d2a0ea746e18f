"""Early acceptance: a whole phrase followed by a pause counts as said at once.

Vosk ends an utterance after 0.5 s of silence, and its partial result shows a word only
0.25-0.3 s after it was said. People expect an answer within about 0.2 s. So a twin of the
grammar's recognizer hears the same audio, and at every pause in the voice it is asked for
its final result: the decoding the recognizer would give if the utterance ended there.
When that is one whole phrase of the grammar (not a filler), it is the answer. The
recognizer itself goes on hearing the utterance to its end, and what follows the pause
is reported as the rest of that phrase (the listener waits for it before it listens for
anything else, and takes it before it goes deaf to the coach's voice).
"""

from __future__ import annotations

import json

import numpy as np
import vosk

from .asr import heard_text, lowest_confidence

PAUSE_SECONDS = 0.1
"""Quiet this long after a voice is a pause worth a verdict. Shorter would judge inside words
more often (the closure of a t or k is silent for up to about 0.1 s); such a verdict finds
no whole phrase, and the twin then hears the utterance again from its start."""
QUIET_RATIO = 0.1
"""Quiet: a step of audio under this fraction (-20 dB) of the utterance's loudest step."""
QUIET_STEP_SECONDS = 0.01
"""Quiet is judged this finely (the recognizer is fed 20 ms at a time)."""
LONGEST_UTTERANCE_SECONDS = 4.0
"""Judged no further beyond this: a command is short, and a long sentence waits for its end."""
MOST_VERDICTS = 4
"""Verdicts given at most per utterance: each one after the first hears the utterance
again from its start, so a halting sentence must not cost more and more."""


class EarlyJudge:
    """Judges one utterance at a time on ``twin``, fed exactly what the recognizer is fed."""

    def __init__(self, rate: int):
        self.rate = rate
        self.confidence: float | None = None
        """The lowest word confidence of the phrase last accepted."""
        self.forget()

    def forget(self) -> None:
        """Start over: the twin was reset or emptied (a new grammar, the coach's own voice)."""
        self._behind: vosk.KaldiRecognizer | None = None
        self._start_utterance()

    def utterance_ended(self, twin: vosk.KaldiRecognizer) -> None:
        """The recognizer ended the utterance; a twin that still holds audio of it is emptied
        before it hears more (a final result costs 10-40 ms: not now, on the reaction path)."""
        if self._twin_has_audio:
            self._behind = twin
        self._start_utterance()

    def _start_utterance(self) -> None:
        self._audio: list[bytes] = []
        self._seconds = 0.0
        self._loudest = 0.0
        self._quiet_seconds = 0.0
        self._judged = False  # a verdict was given at this pause; the twin is empty since
        self._verdicts = 0
        self._twin_has_audio = False

    def hear(self, twin: vosk.KaldiRecognizer, audio: bytes, phrases: frozenset[str], min_confidence: float) -> str | None:
        """Feed ``audio``; returns a phrase of ``phrases`` once it was said whole and a pause
        followed, every word of it at least ``min_confidence`` sure."""
        if self._behind is not None:
            self._behind.FinalResult()
            self._behind = None
        self._seconds += len(audio) / 2 / self.rate
        if self._seconds > LONGEST_UTTERANCE_SECONDS or self._verdicts >= MOST_VERDICTS:
            return None
        quiet = self._quiet_for(audio)
        self._audio.append(audio)
        if self._judged:
            if quiet:
                return None
            for piece in self._audio:  # the voice goes on: the twin hears it all again, from its start
                twin.AcceptWaveform(piece)
            self._judged = False
        else:
            twin.AcceptWaveform(audio)
        self._twin_has_audio = True
        if quiet < PAUSE_SECONDS:
            return None
        self._judged, self._twin_has_audio = True, False
        self._verdicts += 1
        result = json.loads(twin.FinalResult())
        phrase = heard_text(result, min_confidence, unclear_logged=False)
        if phrase not in phrases:
            return None
        self.confidence = lowest_confidence(result)
        return phrase

    def _quiet_for(self, audio: bytes) -> float:
        """Seconds of quiet since the voice was last heard, this piece of audio included,
        judged in :data:`QUIET_STEP_SECONDS` steps: a pause is found within one step of its length."""
        samples = np.frombuffer(audio, dtype="<i2").astype(np.float32)
        step = max(1, int(self.rate * QUIET_STEP_SECONDS))
        for start in range(0, len(samples), step):
            part = samples[start : start + step]
            level = float(np.sqrt(np.mean(part**2)))
            self._loudest = max(self._loudest, level)
            quiet = level < QUIET_RATIO * self._loudest
            self._quiet_seconds = self._quiet_seconds + len(part) / self.rate if quiet else 0.0
        return self._quiet_seconds
