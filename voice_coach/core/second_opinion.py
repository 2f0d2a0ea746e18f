"""A second opinion before the coach acts on what matters most.

A grammar forces almost any sound onto one of its phrases, with high confidence. So a
start, the list or help heard idle, and a crisis or distress phrasing heard in any state,
is heard again over the same utterance, and done only when that hearing agrees: its free
transcript means the same or holds the phrase's sounds, or the phrase explains the audio
nearly as well as the free transcript does (:data:`MARGIN`).

A crisis the second hearing does not confirm is not dropped: it is held, and a crisis
heard again soon after is answered whatever the second hearing says (a missed crisis costs
most; one sound forced onto a crisis phrase costs trust, and is rarely forced twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from .interpret import Reading
from .phrases import Intent
from .utterance import UNKNOWN, fold

TOLERANCE = 0.34
"""At most this share of the phrase's sounds may differ in the second transcript (each letter
left out, added or changed counts one): the second hearing holds the phrase then."""
MARGIN = 30.0
"""The most by which what the first pass heard may explain the audio worse than the free
transcript does (the difference of the two decodes' scores) and still count as agreeing. On
the stand-in model, over 140 real commands and 42 forced ones, it kept 139 of the real ones
and turned down 26 of the forced; the rest of those are short words (목록) that explain any
short sound. The Dutch model's own figure comes from ``voice-coach night-test``, which shows
each shortfall."""
REPEAT_SECONDS = 120.0
"""A crisis not confirmed is answered if a crisis is heard again within this time."""
CARE = ("crisis", "distress")
"""The meanings a second hearing is asked about in every state."""
CRISIS_PATIENCE = 4.0
"""A crisis whose second hearing has not come this long after it was heard is answered as it
is (a second pass stuck behind other work, or hung, must not silence it)."""


@dataclass(frozen=True)
class SecondHearing:
    """What the second pass heard of an utterance."""

    transcript: str
    """Its free transcript (the person's words: never in the system log)."""
    shortfall: float | None
    """How much worse the first pass's words explain the audio than the free transcript does
    (a difference of scores; about 0 when they agree); None when the pass cannot tell."""


@dataclass(frozen=True)
class Question:
    """A hearing the coach waits to have confirmed."""

    meaning: Intent
    """What the first hearing means: ``start`` (with the name said), ``list``, ``help``,
    ``crisis`` or ``distress``."""
    fillers: tuple[str, ...]
    """The grammar's filler words: no part of a phrase."""
    reading: Reading
    """The first hearing, read: what the coach hears once it is confirmed."""
    confidence: float | None
    """The first hearing's lowest word confidence (a weak start is asked about)."""
    asked_at: float
    """When the first hearing was heard (the coach's time)."""

    @property
    def words(self) -> str:
        """What the first pass heard clearly, word for word (what a second pass weighs)."""
        return " ".join(w for w in self.reading.utterance.said.split() if w != UNKNOWN)

    @property
    def phrase(self) -> str:
        """Its words without the fillers: what the second transcript should hold."""
        return " ".join(w for w in self.words.split() if w not in self.fillers)

    def agrees(self, hearing: SecondHearing | None, meaning: Intent | None) -> bool:
        """Whether ``hearing`` (None: none could be had) confirms this; ``meaning``: what the coach
        would make of its transcript."""
        if hearing is None:
            return True  # a broken second pass must not make the coach deaf
        close = hearing.shortfall is not None and hearing.shortfall <= MARGIN
        return close or meaning == self.meaning or holds(self.phrase, hearing.transcript)


@dataclass(frozen=True)
class Confirmed:
    """The second hearing agreed: the coach acts."""

    at: float
    """When the verdict came."""
    meaning: Intent
    """What is acted on."""
    hearing: SecondHearing | None
    """What the second hearing heard (None: it could not hear, and the first hearing stood)."""
    waited: float
    """Seconds from the first hearing to the verdict."""


@dataclass(frozen=True)
class TurnedDown:
    """The second hearing disagreed: nothing is done (a crisis is held, see the module)."""

    at: float
    """When the verdict came."""
    meaning: Intent
    """What the first hearing would have done."""
    hearing: SecondHearing
    """What the second hearing heard instead."""


def sounds(text: str) -> str:
    """The letters of ``text`` in comparison form: folded, without accents or spaces (Hangul
    syllables fall apart into their letters, so a near-miss costs one letter, not a syllable)."""
    return "".join(c for c in fold(text) if c.isalnum())


def holds(phrase: str, transcript: str, tolerance: float = TOLERANCE) -> bool:
    """Whether ``transcript`` holds ``phrase`` anywhere, at most ``tolerance`` of its sounds off."""
    wanted, heard = sounds(phrase), sounds(transcript)
    if not wanted:
        return False
    return _closest(wanted, heard) <= tolerance * len(wanted)


def _closest(wanted: str, heard: str) -> int:
    """The fewest edits that turn ``wanted`` into some stretch of ``heard`` (Sellers' algorithm:
    an edit distance whose start and end in ``heard`` are free)."""
    row = [0] * (len(heard) + 1)
    for i, letter in enumerate(wanted, 1):
        previous, row = row, [i] + [0] * len(heard)
        for j, other in enumerate(heard, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (letter != other))
    return min(row)
