"""Understanding what the person said (recognized or typed), and what to listen for.

Pure. What was said is folded once into an :class:`~voice_coach.core.utterance.Utterance`
and read once into a :class:`Reading`; then one order decides, in every state:
a crisis first, whatever else was said and whenever (a sentence that holds one is
never a command or an answer); then help; then words that may be distress; then
an expected answer; then a command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from .answers import AnswerBook, Heard, load_answers
from .care import Care, load_care
from .engine import Answer, Command, Crisis, Distress, Engine, Event, NoAnswer, NotUnderstood, question_of
from .library import Library
from .meaning import Found
from .phrases import Intent, PhraseBook, load_phrases
from .script import Script
from .tomlfile import TomlFileError
from .utterance import Utterance
from .yes_no import YES_NO


@dataclass(frozen=True)
class Listening:
    """What the recognizer listens for now."""

    phrases: tuple[str, ...]
    """Every phrase that means something now (recognizer form), for a grammar."""
    open_answer: bool = False
    """An open question is waiting: the answer may be any words, best heard with the
    model's own language model rather than a grammar."""
    fillers: tuple[str, ...] = ()
    """The phrases among :attr:`phrases` that mean nothing: everyday words that take
    other speech away from the commands."""
    at_clause_end: tuple[str, ...] = ()
    """The phrases among :attr:`phrases` that count only at a clause's end."""

    def never_early(self) -> tuple[str, ...]:
        """The phrases a recognizer must not take at a pause, before the utterance has
        ended: the fillers (they mean nothing) and those that count only at a clause's end."""
        return self.fillers + self.at_clause_end


@dataclass(frozen=True)
class Reading:
    """Everything an utterance means whatever the coach is doing, found in one pass."""

    utterance: Utterance
    """What was said, folded."""
    crisis: Found | None
    """The crisis meaning it holds, if any."""
    help: bool
    """It asks for help."""
    distress: Found | None
    """The distress meaning it holds, if any."""
    command: str | None
    """The session command it holds, if any."""


@dataclass(frozen=True)
class Interpreter:
    """The language data together: commands, answers, crisis and distress phrasings."""

    phrases: PhraseBook
    """Command phrasings and the coach's replies."""
    answers: AnswerBook
    """Answer words in the person's own words."""
    care: Care
    """Crisis and distress meanings, and the care texts."""

    @classmethod
    def load(cls, language: Path | None = None) -> "Interpreter":
        """The shipped Dutch data, or the ``phrases.toml``, ``answers.toml`` and
        ``crisis.toml`` of another language in the folder ``language``."""
        if language is None:
            return cls(load_phrases(), load_answers(), load_care())
        return cls(
            _loaded(load_phrases, language / "phrases.toml"), _loaded(load_answers, language / "answers.toml"),
            _loaded(load_care, language / "crisis.toml"),
        )

    def read(self, heard: str) -> Reading:
        """``heard`` folded once and read for every meaning that does not depend on the state."""
        utterance = self.care.utterance(heard)
        crisis = self.care.crisis_in(utterance)
        if crisis is not None:  # nothing else matters, and nothing else may be acted on
            return Reading(utterance, crisis, False, None, None)
        intent = self.phrases.match_session(utterance)
        return Reading(
            utterance, None, self.phrases.is_help(utterance), self.care.distress_in(utterance),
            intent.name if intent else None,
        )

    def during(self, heard: str, expected: tuple[str, ...] = (), open_answer: bool = False) -> Event | None:
        """The event in ``heard`` during an exercise expecting ``expected`` answers.

        ``open_answer``: the question is open, so "geen idee" means no answer.
        None: nothing to act on.
        """
        return self.event(self.read(heard), expected, open_answer)

    def event(self, reading: Reading, expected: tuple[str, ...] = (), open_answer: bool = False) -> Event | None:
        """The event ``reading`` is during an exercise expecting ``expected`` answers."""
        if reading.crisis is not None:
            return Crisis()
        found = self.answers.find(reading.utterance, expected) if expected else ()
        if found and open_answer and reading.help:  # "ik heb hulp nodig" is a need: kept, and the 113 line offered once
            return _answer(found, care=True)
        if reading.help:
            return Command("help")
        if reading.distress is not None:
            return Distress()
        if found:
            return _answer(found)
        if open_answer and self.answers.means_none(reading.utterance):
            return NoAnswer()
        if reading.command is not None:
            return Command(reading.command)
        return NotUnderstood(reading.utterance.said) if expected else None

    def hear(self, heard: str, engine: Engine) -> Event | None:
        """The event in ``heard`` for ``engine`` as it stands now."""
        return self.during(heard, engine.expected_answers, engine.open_answer)

    def idle(self, heard: str, names: list[str]) -> Intent | None:
        """What ``heard`` asks for while no exercise runs: ``crisis``, ``distress``,
        ``help``, ``list`` or ``start`` (a whole utterance) with the name said."""
        return self.idle_intent(self.read(heard), names)

    def idle_intent(self, reading: Reading, names: list[str]) -> Intent | None:
        """What ``reading`` asks for while no exercise runs (see :meth:`idle`)."""
        if reading.crisis is not None:
            return Intent("crisis")
        if reading.distress is not None:
            return Intent("distress")
        return self.phrases.match_idle(reading.utterance, names)

    def spoken_names(self, library: Library) -> dict[str, str]:
        """Spoken name -> exercise id: the scripts' triggers and the phrase table's extra names."""
        extra = {name: ex for ex, names in self.phrases.exercises.items() if ex in library.scripts for name in names}
        return {**library.trigger_map(), **extra}

    def idle_listening(self, names: list[str]) -> Listening:
        """What to listen for while idle: the idle phrases and crisis phrasings."""
        phrases = [*self.phrases.idle_phrases(names), *self.care.grammar, *self.phrases.fillers]
        return Listening(_unique(phrases), fillers=self.phrases.fillers)

    def session_listening(self, answers: tuple[str, ...] = (), open_answer: bool = False) -> Listening:
        """What to listen for during an exercise expecting ``answers``."""
        phrases = [
            *self.answers.grammar(answers), *self.phrases.session_phrases(), *self.care.grammar, *self.phrases.fillers,
        ]
        return Listening(_unique(phrases), open_answer, self.phrases.fillers, self.phrases.clause_ends)

    def every_listening(self, scripts: Iterable[Script], names: list[str]) -> tuple[Listening, ...]:
        """Everything the coach may listen for with ``scripts`` and the spoken exercise
        ``names``: idle, a yes/no check (before a start, after distress), an exercise's
        commands and each of its questions; to compile every grammar before it is needed."""
        found = [self.idle_listening(names), self.session_listening(YES_NO), self.session_listening()]
        for script in scripts:
            for step in script.steps:
                answers, open_answer = question_of(step.body)
                if answers:
                    found.append(self.session_listening(answers, open_answer))
        return tuple(dict.fromkeys(found))


class LanguageError(Exception):
    """A language folder's file cannot be used; the message names the file and what is wrong."""


Loaded = TypeVar("Loaded")


def _loaded(load: Callable[[Path], Loaded], path: Path) -> Loaded:
    """``load(path)``, or LanguageError naming ``path`` and what is wrong with it."""
    try:
        return load(path)
    except TomlFileError as err:
        raise LanguageError(str(err)) from None
    except KeyError as err:
        raise LanguageError(f"{path}: {err} is missing; compare it with the shipped file of that name") from None
    except (TypeError, ValueError) as err:  # the data's own errors (answers, patterns, templates, phrases)
        raise LanguageError(str(err) if str(path) in str(err) else f"{path}: {err}") from None


def _answer(found: tuple[Heard, ...], care: bool = False) -> Answer:
    return Answer(found[0].word, tuple(h.word for h in found[1:]), found, care)


def _unique(phrases: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(phrases))
