"""Care and safety: the 113 crisis line, crisis words, and the spoken help.

All of it comes from ``data/care.toml``, the one place the crisis line is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from ..paths import DATA_DIR
from .templates import expand
from .utterance import STEM, PhraseSet, normalize


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
    crisis: PhraseSet
    """Crisis phrasings, looked for inside everything the person says."""
    grammar: tuple[str, ...]
    """Every crisis and distress phrasing a recognizer grammar can hold (recognizer form)."""
    crisis_message: tuple[str, ...]
    """Spoken when a crisis phrase is heard, numbers already read aloud."""
    exercise_stopped: str
    """Said before :attr:`crisis_message` when an exercise was running."""
    distress: PhraseSet
    """Phrasings that may mean exhaustion or despair: the coach asks once, gently."""
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

    def is_crisis(self, heard: str) -> bool:
        """True when ``heard`` holds a crisis phrasing anywhere, look-alikes aside."""
        return self.crisis.found_in(heard)

    def is_distress(self, heard: str) -> bool:
        """True when ``heard`` holds a phrasing that may be exhaustion or despair."""
        return self.distress.found_in(heard)

    @property
    def spoken(self) -> tuple[str, ...]:
        """Every sentence the care texts may speak (for prerendering)."""
        return (
            *self.crisis_message, self.exercise_stopped, *self.distress_question, *self.distress_support,
            *self.distress_go_on, *self.help_idle, *self.help_exercise,
        )


CARE_FILE = DATA_DIR / "care.toml"
"""The shipped care data: the crisis line, the care texts and the Dutch phrasings."""


@cache
def load_care(phrasings: Path = CARE_FILE) -> Care:
    """The care data shipped with the package. ``phrasings``: another language's
    ``[crisis]`` and ``[distress]`` phrasings (tests with a stand-in model); the
    crisis line and everything spoken always come from the shipped file."""
    data = tomllib.loads(CARE_FILE.read_text("utf-8"))
    words = tomllib.loads(phrasings.read_text("utf-8")) if phrasings != CARE_FILE else data
    line = data["crisis_line"]
    crisis_line = CrisisLine(
        line["name"], line["phone"], line["written_alternative"], line["chat"], line["hours"], line["emergency"],
        tuple(line["digits"]),
    )
    crisis, distress, helps = data["crisis"], data["distress"], data["help"]

    def spoken(lines: list[str]) -> tuple[str, ...]:
        return tuple(crisis_line.fill(s) for s in lines)

    said = [words["crisis"]["phrases"], words["distress"]["phrases"]]
    grammar = [p for templates in said for t in templates for p in expand(t) if STEM not in p]
    return Care(
        crisis_line,
        PhraseSet.from_templates(words["crisis"]["phrases"], words["crisis"]["exclusions"]),
        tuple(dict.fromkeys(normalize(p) for p in grammar + words["crisis"]["stem_words"])),
        spoken(crisis["message"]),
        crisis["exercise_stopped"],
        PhraseSet.from_templates(words["distress"]["phrases"], words["distress"]["exclusions"]),
        spoken(distress["question"]),
        spoken(distress["support"]),
        spoken(distress["go_on"]),
        spoken([*helps["care"], *helps["idle"], *helps["exercise"]]),
        spoken([*helps["care"], *helps["exercise"], helps["resume"]]),
    )
