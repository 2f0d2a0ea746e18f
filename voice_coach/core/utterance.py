"""Text forms of what was said, and what was said folded once (:class:`Utterance`),
which every check reads (patterns are found in it by :mod:`voice_coach.core.meaning`).

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

STEM = "*"
"""A pattern word ending in this matches every word that starts with it ("zelfmoord*")."""
BREAK = "|"
"""Stands at a clause boundary, or where words were taken out; no phrase spans it."""
PAUSE = ","
"""Stands where typed text has a comma: a clause may end there ("ik kan niet meer,
echt"), but room between words may span it ("ik wil, eerlijk gezegd, dood")."""
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


CLAUSE_END = re.compile(r"[.!?;:]+")
"""Punctuation that ends a clause when the text has it (typed text; a recognizer gives none)."""


@dataclass(frozen=True)
class Utterance:
    """One thing that was said, folded once: every check reads this."""

    said: str
    """As heard or typed."""
    words: tuple[str, ...]
    """Its folded words, with :data:`BREAK` at each clause boundary and :data:`PAUSE` at each comma."""
    spelled: tuple[str, ...] = ()
    """The same words as they were spelled (:func:`normalize`: diacritics kept), one for one."""

    @classmethod
    def of(cls, said: str, boundaries: frozenset[str] = frozenset()) -> "Utterance":
        """``said`` folded; its sentence punctuation and the words in ``boundaries``
        (folded conjunctions such as "omdat") become clause boundaries, its commas pauses."""
        spelled: list[str] = []
        for clause in CLAUSE_END.split(said):
            parts = [[BREAK if fold(w) in boundaries else w for w in normalize(part).split()] for part in clause.split(",")]
            joined = _joined(parts, PAUSE)
            if joined:
                spelled += [BREAK, *joined] if spelled else joined
        return cls(said, tuple(fold(w) if w not in (BREAK, PAUSE) else w for w in spelled), tuple(spelled))

    @property
    def text(self) -> str:
        """The words separated by single spaces, with a space at either end: what patterns search."""
        return f" {' '.join(self.words)} "

    @property
    def plain(self) -> str:
        """The folded words without boundaries or pauses (how whole-utterance commands compare)."""
        return " ".join(w for w in self.words if w not in (BREAK, PAUSE))


def _joined(parts: list[list[str]], between: str) -> list[str]:
    """The non-empty ``parts`` one after another, ``between`` between each two."""
    joined: list[str] = []
    for part in filter(None, parts):
        joined += [between, *part] if joined else part
    return joined
