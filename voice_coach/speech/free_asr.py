"""Recognition with the model's own language model: any words, for open answers."""

from __future__ import annotations

import json

import vosk

from .asr import heard_text, lowest_confidence


class FreeRecognizer:
    """Whatever was said, as the model's language model hears it.

    Slower than a grammar (every word of the vocabulary is possible) and used
    only while an open question waits, so the answer can be found inside an
    ordinary sentence ("ik ben vandaag echt moe").
    """

    def __init__(self, model: vosk.Model, rate: int, min_confidence: float = 0.5):
        self.min_confidence = min_confidence
        """A word under this confidence counts as unclear (``[unk]``)."""
        self._recognizer = vosk.KaldiRecognizer(model, rate)
        self._recognizer.SetWords(True)
        self.last_confidence: float | None = None
        """The lowest word confidence of the utterance last returned (None: no word)."""
        self.last_continues: str | None = None
        """Always None: nothing is accepted early here, every result is a whole utterance."""

    def accept(self, audio: bytes) -> str | None:
        if self._recognizer.AcceptWaveform(audio):
            return self._text(self._recognizer.Result())
        return None

    def finish(self) -> str | None:
        return self._text(self._recognizer.FinalResult())

    def _text(self, result: str) -> str | None:
        parsed = json.loads(result)
        self.last_confidence = lowest_confidence(parsed)
        return heard_text(parsed, self.min_confidence)

    def reset(self) -> None:
        self._recognizer.Reset()
