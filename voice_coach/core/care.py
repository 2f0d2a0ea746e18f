"""Care and safety: the 113 crisis line, crisis words, and the spoken help.

The crisis line and everything spoken come from ``data/care.toml``, the one place
the crisis line is written; what a crisis or distress sounds like comes from
``data/crisis.toml``, as meanings (see :mod:`voice_coach.core.meaning`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..paths import DATA_DIR
from .crisis_model import CrisisModel, load_crisis_model
from .meaning import Found, Grammar, MeaningSet, PatternError, meaning_set
from .utterance import Utterance, fold, normalize
from .tomlfile import read_toml_file


@dataclass(frozen=True)
class CrisisLine:
    """How to reach 113 Zelfmoordpreventie."""

    name: str
    """The organisation's name."""
    phone: str
    """The short phone number, free since 3 October 2025: the one number ever spoken."""
    written_alternative: str
    """The 0800 number, which still works: written only, never spoken."""
    chat: str
    """Where to chat."""
    hours: str
    """When they can be reached."""
    emergency: str
    """The number to call in immediate danger."""
    digits: tuple[str, ...]
    """Dutch words for 0-9, to read numbers aloud digit by digit."""

    def written(self) -> str:
        """One line for screens and docs."""
        return (
            f"{self.name}: bel gratis {self.phone} (of {self.written_alternative}) of chat via {self.chat}, "
            f"{self.hours} en anoniem. Direct gevaar: {self.emergency}"
        )

    def read_aloud(self, value: str) -> str:
        """``value`` as it should be spoken: digits one by one, '-' as a short pause, '.' as "punt"."""
        spoken = re.sub(r"\d", lambda m: f" {self.digits[int(m.group())]} ", value)
        spoken = spoken.replace("-", ", ").replace(".", " punt ")
        # Short letter groups after "punt" (nl) are spelled, not read as a word.
        spoken = re.sub(r"punt\s+([a-z]{1,3})\b", lambda m: "punt " + " ".join(m.group(1)), spoken)
        return re.sub(r"\s+", " ", spoken).replace(" ,", ",").strip()

    def fill(self, template: str) -> str:
        """A Dutch sentence with {name}, {phone}, {chat}, {emergency} read aloud (the
        written alternative cannot be spoken: it is no placeholder)."""
        return template.format(
            name=self.read_aloud(self.name),
            phone=self.read_aloud(self.phone),
            chat=self.read_aloud(self.chat),
            emergency=self.read_aloud(self.emergency),
        )


@dataclass(frozen=True)
class Care:
    """Everything the coach needs to respond safely."""

    line: CrisisLine
    """The crisis line."""
    crisis: MeaningSet
    """Crisis meanings, looked for inside everything the person says."""
    grammar: tuple[str, ...]
    """Spoken crisis and distress phrasings for a recognizer grammar (recognizer form)."""
    boundaries: frozenset[str]
    """Folded words that start a new clause (see :meth:`Utterance.of`)."""
    crisis_message: tuple[str, ...]
    """Spoken when a crisis phrase is heard, numbers already read aloud."""
    exercise_stopped: str
    """Said before :attr:`crisis_message` when an exercise was running."""
    distress: MeaningSet
    """Meanings that may be exhaustion or despair: the coach asks once, gently."""
    distress_question: tuple[str, ...]
    """Asked during an exercise when distress is heard (answered ja / nee)."""
    distress_support: tuple[str, ...]
    """Said after "ja" to that question, or when distress is heard while idle."""
    distress_go_on: tuple[str, ...]
    """Said after "nee" to that question (a 113 line too), before the exercise goes on."""
    help_idle: tuple[str, ...]
    """Help while no exercise runs: the care lines (113 first), how to start one, the exercise lines."""
    help_exercise: tuple[str, ...]
    """Help during an exercise (which pauses): the care lines (113 first), the commands, how to go on."""
    answer_care: str
    """Said once after an answer that asks for help or sounds like despair ("ik heb hulp nodig")."""
    model: CrisisModel | None = None
    """The learned second look where no pattern holds (:mod:`.crisis_model`); None for a
    language without one."""

    def utterance(self, heard: str) -> Utterance:
        """``heard`` folded once, with this language's clause boundaries."""
        return Utterance.of(heard, self.boundaries)

    def crisis_in(self, heard: Utterance) -> Found | None:
        """The crisis meaning ``heard`` holds anywhere, look-alikes aside; None: none."""
        return self.crisis.find(heard)

    def distress_in(self, heard: Utterance) -> Found | None:
        """The meaning in ``heard`` that may be exhaustion or despair; None: none. Where no
        pattern holds, a sentence the learned model finds like a crisis counts too (asked about
        once: the model is never sure enough for the crisis message). It reads the whole
        sentence: it learned the look-alikes as they are said ("stoppen met roken")."""
        found = self.distress.find(heard)
        if found is None and self.model is not None and self.model.worried(heard.text):
            return Found("learned", MODEL_FILE_NAME, heard.said)
        return found

    def is_crisis(self, heard: str) -> bool:
        """True when the text ``heard`` holds a crisis meaning (for tests and tools)."""
        return self.crisis_in(self.utterance(heard)) is not None

    @property
    def spoken(self) -> tuple[str, ...]:
        """Every sentence the care texts may speak (for prerendering)."""
        return (
            *self.crisis_message, self.exercise_stopped, *self.distress_question, *self.distress_support,
            *self.distress_go_on, *self.help_idle, *self.help_exercise, self.answer_care,
        )


CARE_FILE = DATA_DIR / "care.toml"
"""The shipped care data: the crisis line and the care texts."""
CRISIS_FILE = DATA_DIR / "crisis.toml"
"""The shipped Dutch meanings of crisis and distress, with their look-alikes."""


@cache
def load_care(meanings: Path = CRISIS_FILE) -> Care:
    """The care data shipped with the package. ``meanings``: another language's
    ``crisis.toml`` (tests with a stand-in model); the crisis line and everything
    spoken always come from the shipped care file."""
    data = read_toml_file(CARE_FILE)
    line = data["crisis_line"]
    crisis_line = CrisisLine(
        line["name"], line["phone"], line["written_alternative"], line["chat"], line["hours"], line["emergency"],
        tuple(line["digits"]),
    )
    crisis, distress, helps = data["crisis"], data["distress"], data["help"]

    def spoken(lines: list[str]) -> tuple[str, ...]:
        return tuple(crisis_line.fill(s) for s in lines)

    crisis_meanings, distress_meanings, grammar, boundaries = _meanings(meanings)
    return Care(
        crisis_line,
        crisis_meanings,
        grammar,
        boundaries,
        spoken(crisis["message"]),
        crisis["exercise_stopped"],
        distress_meanings,
        spoken(distress["question"]),
        spoken(distress["support"]),
        spoken(distress["go_on"]),
        spoken([*helps["care"], *helps["idle"], *helps["exercise"]]),
        spoken([*helps["care"], *helps["exercise"], helps["resume"]]),
        crisis_line.fill(data["answers"]["care"]),
        _model(meanings.with_name(MODEL_FILE_NAME)),
    )


MODEL_FILE_NAME = "crisis_model.toml"
"""The learned second look, beside a language's ``crisis.toml`` (a language may have none)."""


def _model(path: Path) -> CrisisModel | None:
    return load_crisis_model(path) if os.path.lexists(path) else None


def _meanings(path: Path) -> tuple[MeaningSet, MeaningSet, tuple[str, ...], frozenset[str]]:
    """The crisis and distress meanings of ``path``, its grammar examples and boundary words.

    Every example must hold the meaning it is listed under: a :class:`PatternError`
    names the one that does not, and the file.
    """
    data = read_toml_file(path)
    rules = data["grammar"]
    grammar = Grammar(
        {name: tuple(entries) for name, entries in data["classes"].items()},
        frozenset(fold(w) for w in rules["negations"]),
        rules["gap"],
    )
    try:
        crisis = meaning_set(
            _patterns(data["crisis"]), data["crisis_look_alikes"]["patterns"], grammar, _whole_patterns(data["crisis"])
        )
        distress = meaning_set(
            _patterns(data["distress"]), data["distress_look_alikes"]["patterns"], grammar, _whole_patterns(data["distress"])
        )
    except PatternError as err:
        raise PatternError(f"{path}: {err}") from None
    boundaries = frozenset(fold(w) for w in rules["boundaries"])
    examples = data["examples"]
    for kind, meanings in (("crisis", crisis), ("distress", distress)):
        for example in examples[kind]:
            if meanings.find(Utterance.of(example, boundaries)) is None:
                raise PatternError(f"{path}: the {kind} example {example!r} holds no {kind} meaning; fix a pattern")
    return crisis, distress, tuple(dict.fromkeys(normalize(e) for e in [*examples["crisis"], *examples["distress"]])), boundaries


def _patterns(concepts: dict) -> dict[str, list[str]]:
    return {name: table["patterns"] for name, table in concepts.items()}


def _whole_patterns(concepts: dict) -> dict[str, list[str]]:
    """A concept's ``whole_patterns``: looked for in the whole utterance, look-alikes and all (:attr:`MeaningSet.whole`)."""
    return {name: table.get("whole_patterns", []) for name, table in concepts.items()}
