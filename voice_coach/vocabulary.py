"""Checking that the model knows every word of every phrase the coach listens for.

Vosk silently drops grammar words it does not know; a trigger with such a word
can never be recognized. This names each such phrase instead.
"""

from __future__ import annotations

import logging
from typing import Iterable

import vosk

from .care import Care
from .library import Library
from .phrases import PhraseBook
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


def listened_phrases(library: Library, phrases: PhraseBook, care: Care, names: list[str] | None = None) -> list[str]:
    """Every phrase the coach may listen for with this library; ``names``: the spoken
    exercise names (default: the scripts' triggers)."""
    answers = tuple(sorted({a for script in library.scripts.values() for a in script_answers(script)}))
    names = list(library.trigger_map()) if names is None else names
    return [*phrases.idle_grammar(names), *phrases.session_grammar(answers), *care.crisis_words]


def report_unknown(model: vosk.Model, phrases: Iterable[str]) -> dict[str, list[str]]:
    """Log a warning for every phrase the model cannot recognize; returns them."""
    missing = unknown_words(model, phrases)
    for phrase, words in missing.items():
        log.warning("the speech model cannot recognize %r (unknown: %s)", phrase, ", ".join(words))
    return missing
