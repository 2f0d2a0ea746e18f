"""Checking that the model knows every word of every phrase the coach listens for.

Vosk silently drops grammar words it does not know; a trigger with such a word
can never be recognized. This names each such phrase instead.
"""

from __future__ import annotations

import logging
from typing import Iterable

import vosk

from ..core.interpret import Interpreter
from ..core.library import Library
from .speech_cache import script_answers

log = logging.getLogger(__name__)


def unknown_words(model: vosk.Model, phrases: Iterable[str]) -> dict[str, list[str]]:
    """Phrase -> the words of it that ``model`` does not know (only phrases with any)."""
    known: dict[str, bool] = {}
    missing = {}
    for phrase in dict.fromkeys(phrases):
        for word in phrase.split():
            if word not in known:
                known[word] = model.vosk_model_find_word(word) != -1
        unknown = [w for w in phrase.split() if not known[w]]
        if unknown:
            missing[phrase] = unknown
    return missing


def listened_phrases(library: Library, language: Interpreter, names: list[str] | None = None) -> list[str]:
    """Every phrase the coach may listen for with this library; ``names``: the spoken
    exercise names (default: the scripts' triggers)."""
    answers = tuple(sorted({a for script in library.scripts.values() for a in script_answers(script)}))
    names = list(library.trigger_map()) if names is None else names
    return [*language.idle_listening(names).phrases, *language.session_listening(answers).phrases]


SHOWN_WORDS = 12
"""Unknown words named in the one warning line (all of them at INFO)."""


def report_unknown(model: vosk.Model, phrases: Iterable[str]) -> dict[str, list[str]]:
    """One warning naming the words the model does not know and how many phrases
    that makes unhearable (each phrase at INFO); returns phrase -> unknown words."""
    missing = unknown_words(model, phrases)
    if missing:
        words = sorted({w for unknown in missing.values() for w in unknown})
        more = f" and {len(words) - SHOWN_WORDS} more" if len(words) > SHOWN_WORDS else ""
        log.warning(
            "the speech model does not know %d words (%s%s), so %d phrases cannot be recognized; -v lists them",
            len(words), ", ".join(words[:SHOWN_WORDS]), more, len(missing),
        )
        for phrase, unknown in missing.items():
            log.info("cannot recognize %r (unknown: %s)", phrase, ", ".join(unknown))
    return missing
