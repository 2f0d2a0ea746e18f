"""Understanding what the person said (recognized or typed), and what to listen for.

Pure. Crisis phrasings come first, whatever else was said and whenever; then
help; then words that may be distress; then an expected answer; then a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .answers import AnswerBook, load_answers
from .care import Care, load_care
from .engine import Answer, Command, Crisis, Distress, Engine, Event, NoAnswer, NotUnderstood
from .library import Library
from .phrases import Intent, PhraseBook, load_phrases


@dataclass(frozen=True)
class Listening:
    """What the recognizer listens for now."""

    phrases: tuple[str, ...]
    """Every phrase that means something now (recognizer form), for a grammar."""
    open_answer: bool = False
    """An open question is waiting: the answer may be any words, best heard with the
    model's own language model rather than a grammar."""


@dataclass(frozen=True)
class Interpreter:
    """The language data together: commands, answers, crisis and distress phrasings."""

    phrases: PhraseBook
    """Command phrasings and the coach's replies."""
    answers: AnswerBook
    """Answer words in the person's own words."""
    care: Care
    """Crisis and distress phrasings, and the care texts."""

    @classmethod
    def load(cls, language: Path | None = None) -> "Interpreter":
        """The shipped Dutch data, or the ``phrases.toml``, ``answers.toml`` and
        ``care.toml`` (phrasings only) of another language in the folder ``language``."""
        if language is None:
            return cls(load_phrases(), load_answers(), load_care())
        return cls(
            load_phrases(language / "phrases.toml"), load_answers(language / "answers.toml"),
            load_care(language / "care.toml"),
        )

    def during(self, heard: str, expected: tuple[str, ...] = (), open_answer: bool = False) -> Event | None:
        """The event in ``heard`` during an exercise expecting ``expected`` answers.

        ``open_answer``: the question is open, so "geen idee" means no answer.
        None: nothing to act on.
        """
        if self.care.is_crisis(heard):
            return Crisis()
        if self.phrases.is_help(heard):
            return Command("help")
        if self.care.is_distress(heard):
            return Distress()
        if expected:
            found = self.answers.find(heard, expected)
            if found:
                return Answer(found[0], found[1:])
            if open_answer and self.answers.means_none(heard):
                return NoAnswer()
        intent = self.phrases.match_session(heard)
        if intent is not None:
            return Command(intent.name)
        return NotUnderstood() if expected else None

    def hear(self, heard: str, engine: Engine) -> Event | None:
        """The event in ``heard`` for ``engine`` as it stands now."""
        return self.during(heard, engine.expected_answers, engine.open_answer)

    def idle(self, heard: str, names: list[str]) -> Intent | None:
        """What ``heard`` asks for while no exercise runs: ``crisis``, ``distress``,
        ``help``, ``list`` or ``start`` (a whole utterance) with the name said."""
        if self.care.is_crisis(heard):
            return Intent("crisis")
        if self.care.is_distress(heard):
            return Intent("distress")
        return self.phrases.match_idle(heard, names)

    def spoken_names(self, library: Library) -> dict[str, str]:
        """Spoken name -> exercise id: the scripts' triggers and the phrase table's extra names."""
        extra = {name: ex for ex, names in self.phrases.exercises.items() if ex in library.scripts for name in names}
        return {**library.trigger_map(), **extra}

    def idle_listening(self, names: list[str]) -> Listening:
        """What to listen for while idle: the idle phrases and crisis phrasings."""
        return Listening(_unique([*self.phrases.idle_phrases(names), *self.care.grammar, *self.phrases.fillers]))

    def session_listening(self, answers: tuple[str, ...] = (), open_answer: bool = False) -> Listening:
        """What to listen for during an exercise expecting ``answers``."""
        phrases = [
            *self.answers.grammar(answers), *self.phrases.session_phrases(), *self.care.grammar, *self.phrases.fillers,
        ]
        return Listening(_unique(phrases), open_answer)


def _unique(phrases: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(phrases))
