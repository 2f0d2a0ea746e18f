"""Answers in the person's own words (data in ``data/answers.toml``).

Pure: what was said and the answer words a step listens for in, the answer
words found out. "ik ben echt moe" answers vermoeidheid; "niet moe" does not;
"geen idee" means the person has no answer, which is fine.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..paths import DATA_DIR
from .templates import expand
from .utterance import Utterance, find_phrase, fold, normalize, pattern_words

NEGATION_REACH = 2
"""A negation this many words or fewer before a phrasing cancels it."""


@dataclass(frozen=True)
class Found:
    """One answer phrasing found in an utterance."""

    word: str
    """The answer word it means."""
    start: int
    """Index of its first word in the utterance."""
    length: int
    """How many words it spans."""


@dataclass(frozen=True)
class AnswerBook:
    """Every answer word's phrasings, the no-answer phrasings and the negations."""

    phrasings: dict[str, tuple[tuple[str, ...], ...]]
    """Answer word -> its phrasings as folded words (the word itself always among them)."""
    none: tuple[tuple[str, ...], ...]
    """Phrasings meaning "I have no answer"."""
    negations: frozenset[str]
    """Words that cancel a phrasing shortly after them."""
    spoken: dict[str, tuple[str, ...]]
    """Answer word -> its phrasings as the recognizer writes them, for grammars."""

    def phrasings_of(self, word: str) -> tuple[tuple[str, ...], ...]:
        """The phrasings of ``word``; an answer word is always a phrasing of itself."""
        own = (tuple(fold(word).split()),)
        return tuple(dict.fromkeys(own + self.phrasings.get(word, ())))

    def grammar(self, words: tuple[str, ...]) -> list[str]:
        """Every phrasing of ``words`` in the recognizer's form."""
        return [p for w in words for p in (w, *self.spoken.get(w, ()))]

    def find(self, heard: Utterance, expected: tuple[str, ...]) -> tuple[str, ...]:
        """The expected answer words in ``heard``, in the order said, each once.

        Longer phrasings win over shorter ones inside them ("pijn in mijn hoofd"
        is hoofdpijn, not pijn); a negation just before one cancels it.
        """
        words = list(heard.words)
        found = [f for w in expected for p in self.phrasings_of(w) for f in _occurrences(words, p, w)]
        kept: list[Found] = []
        taken: set[int] = set()
        for f in sorted(found, key=lambda f: (-f.length, f.start)):
            span = set(range(f.start, f.start + f.length))
            if span & taken:
                continue
            taken |= span
            if not self._negated(words, f.start):
                kept.append(f)
        return tuple(dict.fromkeys(f.word for f in sorted(kept, key=lambda f: f.start)))

    def means_none(self, heard: Utterance) -> bool:
        """True when ``heard`` says there is no answer ("niks", "weet ik niet")."""
        words = list(heard.words)
        return any(find_phrase(words, p) != -1 for p in self.none)

    def _negated(self, words: list[str], start: int) -> bool:
        return any(w in self.negations for w in words[max(0, start - NEGATION_REACH) : start])


def _occurrences(words: list[str], phrase: tuple[str, ...], word: str) -> list[Found]:
    found, at = [], 0
    while (start := find_phrase(words[at:], phrase)) != -1:
        found.append(Found(word, at + start, len(phrase)))
        at += start + 1
    return found


@cache
def load_answers(path: Path = DATA_DIR / "answers.toml") -> AnswerBook:
    """The answer book in ``path`` (by default the shipped Dutch one)."""
    data = tomllib.loads(path.read_text("utf-8"))
    spoken = {w: tuple(dict.fromkeys(normalize(p) for t in ts for p in expand(t))) for w, ts in data["words"].items()}
    return AnswerBook(
        {w: tuple(pattern_words(p) for p in ps) for w, ps in spoken.items()},
        tuple(pattern_words(p) for t in data["none"] for p in expand(t)),
        frozenset(fold(w) for w in data["negations"]),
        spoken,
    )
