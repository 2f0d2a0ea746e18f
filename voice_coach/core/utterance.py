"""Text forms of what was said, and finding phrases inside it.

Two forms: :func:`normalize` gives the recognizer's form (lowercase words, the
spelling the speech model's vocabulary uses, so it can go into a grammar), and
:func:`fold` gives the form used to compare (also without diacritics, whatever
Unicode composition they came in), so "suïcide", "suicide" and a decomposed
"suïcide" typed into a terminal are one word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .templates import expand

STEM = "*"
"""A pattern word ending in this matches every word that starts with it ("zelfmoord*")."""
UNKNOWN = "[unk]"
"""What the recognizer puts where it heard something outside its grammar or unclearly."""


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: the recognizer's form of ``text``.

    Diacritics stay ("één", "beëindigen": that is how the model spells them);
    ``[unk]`` stays a word of its own, so a phrase never spans it.
    """
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(re.sub(r"[^\w\[\]]+|_", " ", text).split())


def fold(text: str) -> str:
    """The comparison form: :func:`normalize`, then without diacritics."""
    decomposed = unicodedata.normalize("NFKD", normalize(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word_matches(word: str, pattern: str) -> bool:
    if pattern.endswith(STEM):
        return word.startswith(pattern[:-1])
    return word == pattern


def find_phrase(words: list[str], phrase: list[str]) -> int:
    """Index where the words of ``phrase`` (folded, may hold stems) occur in ``words``; -1: nowhere."""
    for start in range(len(words) - len(phrase) + 1):
        if all(_word_matches(words[start + i], p) for i, p in enumerate(phrase)):
            return start
    return -1



def pattern_words(phrase: str) -> tuple[str, ...]:
    """The folded words of a pattern phrase, a trailing :data:`STEM` kept."""
    return tuple(fold(word) + (STEM if word.endswith(STEM) else "") for word in phrase.split())


@dataclass(frozen=True)
class PhraseSet:
    """Phrases looked for anywhere inside an utterance, after taking out look-alikes."""

    phrases: tuple[tuple[str, ...], ...]
    """Each phrase as folded words (see :func:`pattern_words`)."""
    exclusions: tuple[tuple[str, ...], ...] = ()
    """Look-alikes, taken out of the utterance before the phrases are looked for."""

    @classmethod
    def from_templates(cls, phrases: list[str], exclusions: list[str] = ()) -> "PhraseSet":
        """Built from sentence templates (see :mod:`voice_coach.core.templates`)."""
        return cls(_patterns(phrases), _patterns(exclusions))

    def found_in(self, heard: str) -> bool:
        """True when ``heard`` holds one of the phrases (outside every exclusion)."""
        words = self.without_exclusions(fold(heard).split())
        return any(find_phrase(words, phrase) != -1 for phrase in self.phrases)

    def without_exclusions(self, words: list[str]) -> list[str]:
        """``words`` with every look-alike replaced by a break no phrase can span."""
        words = list(words)
        for exclusion in self.exclusions:
            while (start := find_phrase(words, list(exclusion))) != -1:
                words[start : start + len(exclusion)] = [BREAK]
        return words


BREAK = "|"
"""Stands where words were taken out; no phrase holds it, so none matches across it."""


def _patterns(templates) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(pattern_words(p) for t in templates for p in expand(t)))
