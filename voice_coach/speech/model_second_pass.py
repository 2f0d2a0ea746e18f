"""The second pass with the speech model itself: its own language model, and the phrase alone.

Two decodes of the same utterance: once with the model's full language model (any words), and
once with a grammar of nothing but what the first pass heard. If the first pass heard right,
that one sentence explains the audio almost as well as the best free transcript does; a sound
the grammar forced onto a phrase is explained far worse by it. The difference of the two
decodes' scores is the evidence, as a wake word's verifier weighs its keyword against a free
decoder.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

import vosk

from ..core.second_opinion import SecondHearing

FORCED_KEPT = 32
"""Recognizers of one sentence kept for reuse (a command is said the same way again)."""


class ModelSecondPass:
    """:class:`~voice_coach.speech.second_pass.SecondPass` with ``model`` at ``rate`` Hz."""

    def __init__(self, model: vosk.Model, rate: int):
        self.model = model
        self.rate = rate
        self._free = self._recognizer()
        self._forced: OrderedDict[str, vosk.KaldiRecognizer] = OrderedDict()
        self._lock = threading.Lock()  # one hearing at a time: the recognizers are reused

    def hear(self, audio: bytes, said: str) -> SecondHearing:
        sentence = said.strip()
        with self._lock:
            transcript, free_score = self._decode(self._free, audio)
            _, forced_score = self._decode(self._forced_for(sentence), audio) if sentence else ("", None)
        shortfall = None if free_score is None or forced_score is None else free_score - forced_score
        return SecondHearing(transcript, shortfall)

    def _recognizer(self, grammar: str | None = None) -> vosk.KaldiRecognizer:
        recognizer = vosk.KaldiRecognizer(self.model, self.rate) if grammar is None else vosk.KaldiRecognizer(self.model, self.rate, grammar)
        recognizer.SetMaxAlternatives(1)  # the best path with its score
        return recognizer

    def _forced_for(self, sentence: str) -> vosk.KaldiRecognizer:
        if sentence in self._forced:
            self._forced.move_to_end(sentence)
        else:
            self._forced[sentence] = self._recognizer(json.dumps([sentence], ensure_ascii=False))
            if len(self._forced) > FORCED_KEPT:
                self._forced.popitem(last=False)
        return self._forced[sentence]

    @staticmethod
    def _decode(recognizer: vosk.KaldiRecognizer, audio: bytes) -> tuple[str, float | None]:
        """The best transcript of ``audio`` and its score (None: nothing decoded)."""
        recognizer.Reset()
        recognizer.AcceptWaveform(audio)
        alternatives = json.loads(recognizer.FinalResult()).get("alternatives") or []
        if not alternatives:
            return "", None
        best = alternatives[0]
        return best.get("text", ""), float(best["confidence"]) if "confidence" in best else None
