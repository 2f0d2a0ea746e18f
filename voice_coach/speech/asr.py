"""Speech recognition with Vosk: the model, and what every way of recognizing shares.

Two ways of recognizing implement :class:`Recognition`: a grammar of the phrases
that mean something now (:mod:`voice_coach.speech.grammar_asr`, fast and sure, for
commands) and the model's own language model (:mod:`voice_coach.speech.free_asr`, for
open answers in any words).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import vosk

from ..core.utterance import UNKNOWN
from ..paths import command_name
from .model import ModelError, manifest_for, model_status

log = logging.getLogger(__name__)


class Recognition(Protocol):
    """A stream of int16 mono audio in, what was said out."""

    last_confidence: float | None
    """The lowest word confidence of the text last returned (None: none given)."""
    last_continues: str | None
    """The phrase, accepted early, that the text last returned is the rest of."""

    def accept(self, audio: bytes) -> str | None:
        """Feed audio; returns the text of an utterance once it was said."""

    def finish(self) -> str | None:
        """The voice stopped: the text of the utterance so far, if not returned yet."""

    def reset(self) -> None:
        """Forget audio heard so far (e.g. the coach's own voice)."""


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
        raise ModelError(f"cannot load the speech model at {folder} ({err}); check it with: {command_name()} model verify") from None


def heard_text(result: dict, min_confidence: float, unclear_logged: bool = True) -> str | None:
    """The words of a Vosk result, each unclear one (under ``min_confidence``) as
    ``[unk]``, so no phrase is found across it; None when nothing was clear (logged,
    unless ``unclear_logged`` is False: a judgement, not what was heard)."""
    words = [w["word"] if w.get("conf", 0.0) >= min_confidence else UNKNOWN for w in result.get("result", [])]
    if all(w == UNKNOWN for w in words):
        if words and unclear_logged:
            log.info("heard something, but not clearly enough")
        return None
    return " ".join(words)


def lowest_confidence(result: dict) -> float | None:
    """The lowest word confidence of a Vosk result (None: no word)."""
    return min((w.get("conf", 0.0) for w in result.get("result", [])), default=None)
