"""Spoken commands: what the person may say, mapped to intents (data in ``data/phrases.toml``).

Pure: text in, intent out. The recognizer and the terminal both feed it text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..paths import DATA_DIR
from .script import Script
from .meaning import ONE_PIECE, Pattern, compile_pattern, said_forms
from .templates import expand
from .tomlfile import read_toml_file
from .utterance import Utterance, fold, normalize

SLOT = "{oefening}"
"""Placeholder for an exercise's spoken name in the idle start phrasings."""

SESSION_COMMANDS = ("stop", "pause", "resume", "repeat", "slower", "faster", "skip", "softer", "louder")
"""Commands valid during an exercise, in the order the data file lists them."""


class PhraseError(ValueError):
    """The phrase book is malformed; the message names the file and the entry."""


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
    no_answer: str
    """When the person has no answer to an open question ("weet ik niet")."""
    own_words: str
    """After an answer the coach could not place twice: it is kept in the person's own words."""
    saved: str
    """After an exercise whose answers were all written to the journal."""
    not_saved: str
    """After an exercise whose answers could not (all) be written: never claim otherwise."""
    list_intro: str
    """Before the spoken list of exercises."""
    list_item: str
    """One exercise in that list; ``{title}`` and ``{trigger}`` are filled in."""
    start_check: str
    """Asked before an exercise starts (see the ``start_check`` setting); ``{title}`` is filled in."""
    start_declined: str
    """After "nee" to that question."""


@dataclass(frozen=True)
class Intent:
    """What a phrase means."""

    name: str
    """``start``/``list``/``help`` when idle; ``help`` or a session command during an exercise."""
    value: str | None = None
    """The spoken exercise name for ``start``."""


@dataclass(frozen=True)
class PhraseBook:
    """All command phrasings, by intent, expanded from their templates (recognizer form)."""

    idle: dict[str, tuple[str, ...]]
    """Idle intent -> phrasings (``start`` ones hold :data:`SLOT`)."""
    help: tuple[str, ...]
    """Phrasings of help, heard idle and during an exercise."""
    session: dict[str, tuple[str, ...]]
    """Session command -> phrasings."""
    exercises: dict[str, tuple[str, ...]]
    """Exercise id -> extra spoken names, besides its script's triggers."""
    fillers: tuple[str, ...]
    """Everyday words in every grammar that mean nothing: speech that is no command goes there."""
    replies: Replies
    """What the coach says back."""
    help_patterns: tuple[Pattern, ...]
    """The help phrasings compiled, looked for anywhere in what is said."""
    session_patterns: tuple[tuple[int, str, Pattern], ...]
    """(words, command, pattern) of every session phrasing, the longest first."""
    clause_ends: tuple[str, ...] = ()
    """The session phrasings that count only at a clause's end (``$``), recognizer form:
    never taken at a pause before the utterance has ended ("ik wil stoppen" ... "met roken")."""

    def idle_phrases(self, names: list[str]) -> dict[str, Intent]:
        """Every whole utterance meaning something while idle -> its intent (recognizer form)."""
        found = {p.replace(SLOT, n): Intent("start", n) for p in self.idle["start"] for n in names}
        found.update({p: Intent("list") for p in self.idle["list"]})
        found.update({p: Intent("help") for p in self.help})
        return found

    def session_phrases(self) -> list[str]:
        """Every command phrasing valid during an exercise (recognizer form)."""
        return [*self.help, *(p for phrases in self.session.values() for p in phrases)]

    def match_idle(self, heard: Utterance, names: list[str]) -> Intent | None:
        """The idle intent ``heard`` is as a whole utterance (help too: idle, the coach
        must not speak up at a word inside a conversation in the room)."""
        return {fold(p): intent for p, intent in self.idle_phrases(names).items()}.get(heard.plain)

    def is_help(self, heard: Utterance) -> bool:
        """True when ``heard`` asks for help anywhere in it."""
        return any(p.search(heard.text) for p in self.help_patterns)

    def match_session(self, heard: Utterance) -> Intent | None:
        """The session command in ``heard``; the longest phrasing found wins, so
        "nog een keer" is not read as a shorter phrase inside it."""
        for _, command, pattern in self.session_patterns:
            if pattern.search(heard.text):
                return Intent(command)
        return None


def _expanded(table: dict) -> dict[str, tuple[str, ...]]:
    """Intent -> every phrase its templates stand for, in the recognizer's form."""
    return {
        key: tuple(dict.fromkeys(p for t in templates for p in (expand(t) if SLOT in t else said_forms(t))))
        for key, templates in table.items()
    }


def _session_patterns(table: dict) -> tuple[tuple[int, str, Pattern], ...]:
    found = [
        (max(len(p.split()) for p in said_forms(t)), command, compile_pattern(t, ONE_PIECE, command))
        for command, templates in table.items() for t in templates
    ]
    return tuple(sorted(found, key=lambda f: -f[0]))


@cache
def load_phrases(path: Path = DATA_DIR / "phrases.toml") -> PhraseBook:
    """The phrase book in ``path`` (by default the shipped Dutch one)."""
    data = read_toml_file(path)
    unknown = sorted(set(data.get("session", {})) - set(SESSION_COMMANDS))
    if unknown:
        raise PhraseError(f"{path}: [session] {unknown[0]!r} is no command; the commands are {', '.join(SESSION_COMMANDS)}")
    return PhraseBook(
        _expanded(data["idle"]),
        _expanded(data["anytime"])["help"],
        _expanded(data["session"]),
        _expanded(data.get("exercises", {})),
        tuple(normalize(w) for w in data.get("fillers", {}).get("words", [])),
        Replies(**data["replies"]),
        tuple(compile_pattern(t, ONE_PIECE, "help") for t in data["anytime"]["help"]),
        _session_patterns(data["session"]),
        tuple(dict.fromkeys(p for ts in data["session"].values() for t in ts if "$" in t for p in said_forms(t))),
    )


def list_item(replies: Replies, script: Script) -> str:
    """How ``script`` is named when the exercises are listed aloud."""
    return replies.list_item.format(title=script.title, trigger=script.triggers[0])


def start_check_question(replies: Replies, script: Script) -> str:
    """The question asked before ``script`` starts: "Wil je een ademoefening doen? ..."."""
    return replies.start_check.format(title=script.name_to_say)
