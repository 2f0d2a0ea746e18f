"""Listening: microphone -> half-duplex gate -> recognizer -> what was heard, on a queue."""

from __future__ import annotations

import queue
import threading

import numpy as np
import vosk

from .asr import Recognizer
from .mic import BLOCK_SECONDS, Microphone
from .speaker import Speaker
from .vad import VoiceGate

HOLDOFF_SECONDS = 0.3
"""After the coach falls silent, the microphone stays deaf this long (room echo)."""


class Listener:
    """Puts every phrase heard into ``heard``.

    Half-duplex: whatever the microphone picks up while the coach's voice can be
    heard (plus a short hold-off) is thrown away, so the coach never answers
    itself. Breath tones and chimes do not deafen it: "pauze" works during them.
    ``stop_phrases`` are acted on sooner than other phrases; with ``barge_in``, a
    second recognizer that knows only them keeps listening while the coach speaks.
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
        barge_in: bool = False,
        stop_phrases: tuple[str, ...] = (),
        wait_for_device: bool = False,
    ):
        self.heard = heard
        self.speaker = speaker
        self.holdoff = holdoff
        self.mic = Microphone(self._on_audio, microphone, rate, wait_for_device)
        self.recognizer = Recognizer(model, self.mic.rate, min_confidence, urgent=stop_phrases)
        self.gate = VoiceGate(self.mic.rate, int(self.mic.rate * BLOCK_SECONDS))
        self.barge_in = Recognizer(model, self.mic.rate, min_confidence, urgent=stop_phrases) if barge_in else None
        if self.barge_in:
            self.barge_in.set_phrases(stop_phrases)
        self._lock = threading.Lock()
        self._was_deaf = False

    def listen_for(self, phrases: list[str]) -> None:
        """Recognize exactly these phrases from now on."""
        with self._lock:
            self.recognizer.set_phrases(phrases)

    def start(self) -> "Listener":
        self.mic.start()
        return self

    def close(self) -> None:
        self.mic.close()

    def __enter__(self) -> "Listener":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _coach_audible(self, captured_at: float) -> bool:
        return self.speaker is not None and captured_at < self.speaker.speaking_until + self.holdoff

    def _on_audio(self, samples: np.ndarray, captured_at: float) -> None:
        audio = samples.tobytes()
        with self._lock:
            if self._coach_audible(captured_at):
                if not self._was_deaf:
                    self.recognizer.reset()
                    self._was_deaf = True
                text = self.barge_in.accept(audio) if self.barge_in else None
            else:
                if self._was_deaf and self.barge_in:
                    self.barge_in.reset()
                self._was_deaf = False
                text = None
                for block in self.gate.admit(samples):
                    text = self.recognizer.accept(block.tobytes()) or text
        if text:
            self.heard.put(text)
