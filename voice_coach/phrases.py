"""Spoken phrasings: what the person may say, mapped to intents (data in ``data/phrases.toml``).

Pure: text in, intent out. The recognizer and the terminal both feed it text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .paths import DATA_DIR

SLOT = "{oefening}"
"""Placeholder for an exercise trigger in the idle start phrasings."""

SESSION_COMMANDS = ("stop", "pause", "resume", "repeat", "slower", "faster", "skip", "softer", "louder")
"""Commands valid during an exercise, in the order the data file lists them."""


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: the recognizer's form of ``text``."""
    return " ".join(re.sub(r"[^\wà-ÿ]+", " ", text.lower()).split())


def contains_phrase(text: str, phrase: str) -> bool:
    """True when normalized ``text`` holds ``phrase`` as whole words."""
    return f" {phrase} " in f" {text} "


@dataclass(frozen=True)
class Replies:
    """What the coach says back when it acts on a command."""

    paused: str
    """After "pauze"."""
    resumed: str
    """After "verder"."""
    slower: str
    """After "langzamer"."""
    slowest: str
    """After "langzamer" when already at the slowest tempo."""
    faster: str
    """After "sneller"."""
    fastest: str
    """After "sneller" when already at the fastest tempo."""
    softer: str
    """After "zachter"."""
    louder: str
    """After "harder"."""
    list_intro: str
    """Before the spoken list of exercises."""
    list_item: str
    """One exercise in that list; ``{title}`` and ``{trigger}`` are filled in."""


@dataclass(frozen=True)
class Intent:
    """What a phrase means."""

    name: str
    """``start``/``list``/``help`` when idle; a session command; or ``answer``."""
    value: str | None = None
    """The exercise trigger for ``start``, the answer word for ``answer``."""


@dataclass(frozen=True)
class PhraseBook:
    """All phrasings, by intent."""

    idle: dict[str, tuple[str, ...]]
    """Idle intent -> phrasings (``start`` ones hold :data:`SLOT`)."""
    session: dict[str, tuple[str, ...]]
    """Session command -> phrasings."""
    answers: dict[str, tuple[str, ...]]
    """Answer word -> extra phrasings."""
    exercises: dict[str, tuple[str, ...]]
    """Exercise id -> extra spoken names, besides its script's triggers."""
    replies: Replies
    """What the coach says back."""

    def answer_phrasings(self, word: str) -> tuple[str, ...]:
        """Every phrasing of answer ``word``, the word itself first."""
        return (word, *self.answers.get(word, ()))

    def idle_grammar(self, triggers: list[str]) -> list[str]:
        """Every phrase valid while idle, for a recognizer grammar."""
        starts = [p.replace(SLOT, t) for p in self.idle["start"] for t in triggers]
        return starts + [p for intent in ("list", "help") for p in self.idle[intent]]

    def session_grammar(self, answers: tuple[str, ...]) -> list[str]:
        """Every phrase valid during an exercise expecting ``answers``."""
        words = [p for a in answers for p in self.answer_phrasings(a)]
        return words + [p for phrases in self.session.values() for p in phrases]

    def match_idle(self, heard: str, triggers: list[str]) -> Intent | None:
        """The idle intent in ``heard``; a start names the trigger heard."""
        text = normalize(heard)
        for phrase in self.idle["start"]:
            for trigger in sorted(triggers, key=len, reverse=True):
                if text == phrase.replace(SLOT, trigger):
                    return Intent("start", trigger)
        for intent in ("list", "help"):
            if text in self.idle[intent]:
                return Intent(intent)
        return None

    def match_session(self, heard: str, answers: tuple[str, ...] = ()) -> Intent | None:
        """The answer or session command in ``heard``; answers win over commands."""
        text = normalize(heard)
        for candidates in (
            [(Intent("answer", a), p) for a in answers for p in self.answer_phrasings(a)],
            [(Intent(c), p) for c, phrases in self.session.items() for p in phrases],
        ):
            # Longest phrasing first, so "nog een keer" is not read as a shorter phrase inside it.
            for intent, phrase in sorted(candidates, key=lambda c: -len(c[1])):
                if contains_phrase(text, phrase):
                    return intent
        return None


@cache
def load_phrases(path: Path = DATA_DIR / "phrases.toml") -> PhraseBook:
    """The phrase book in ``path`` (by default the shipped Dutch one)."""
    data = tomllib.loads(path.read_text("utf-8"))

    def phrases(table: dict) -> dict[str, tuple[str, ...]]:
        return {key: tuple(normalize(p) if SLOT not in p else p for p in values) for key, values in table.items()}

    return PhraseBook(
        phrases(data["idle"]),
        phrases(data["session"]),
        phrases(data.get("answers", {})),
        phrases(data.get("exercises", {})),
        Replies(**data["replies"]),
    )
