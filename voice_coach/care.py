"""Care and safety: the 113 crisis line, crisis words, and the spoken help.

All of it comes from ``data/care.toml``, the one place the crisis line is written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from .paths import DATA_DIR

from .phrases import contains_phrase, normalize


@dataclass(frozen=True)
class CrisisLine:
    """How to reach 113 Zelfmoordpreventie."""

    name: str
    """The organisation's name."""
    phone: str
    """The short phone number."""
    free_phone: str
    """The free 0800 number."""
    chat: str
    """Where to chat."""
    hours: str
    """When they can be reached."""
    digits: tuple[str, ...]
    """Dutch words for 0-9, to read numbers aloud digit by digit."""

    def written(self) -> str:
        """One line for screens and docs."""
        return f"{self.name}: bel {self.phone} of gratis {self.free_phone}, chat via {self.chat} ({self.hours}, anoniem)"

    def read_aloud(self, value: str) -> str:
        """``value`` as it should be spoken: digits one by one, '-' as a short pause, '.' as "punt"."""
        spoken = re.sub(r"\d", lambda m: f" {self.digits[int(m.group())]} ", value)
        spoken = spoken.replace("-", ", ").replace(".", " punt ")
        # Short letter groups after "punt" (nl) are spelled, not read as a word.
        spoken = re.sub(r"punt\s+([a-z]{1,3})\b", lambda m: "punt " + " ".join(m.group(1)), spoken)
        return re.sub(r"\s+", " ", spoken).replace(" ,", ",").strip()

    def fill(self, template: str) -> str:
        """A Dutch sentence with {name}, {phone}, {free_phone}, {chat} read aloud."""
        return template.format(
            name=self.read_aloud(self.name),
            phone=self.read_aloud(self.phone),
            free_phone=self.read_aloud(self.free_phone),
            chat=self.read_aloud(self.chat),
        )


@dataclass(frozen=True)
class Care:
    """Everything the coach needs to respond safely."""

    line: CrisisLine
    """The crisis line."""
    crisis_words: tuple[str, ...]
    """Phrases in an answer that stop the exercise."""
    crisis_message: tuple[str, ...]
    """Spoken when a crisis phrase is heard, numbers already read aloud."""
    help_message: tuple[str, ...]
    """Spoken for help / hulp, including the crisis line."""

    def is_crisis(self, heard: str) -> bool:
        """True when ``heard`` contains a crisis phrase as whole words."""
        text = normalize(heard)
        return any(contains_phrase(text, phrase) for phrase in self.crisis_words)


@cache
def load_care() -> Care:
    """The care data shipped with the package."""
    data = tomllib.loads((DATA_DIR / "care.toml").read_text("utf-8"))
    line = data["crisis_line"]
    crisis_line = CrisisLine(
        line["name"], line["phone"], line["free_phone"], line["chat"], line["hours"], tuple(line["digits"])
    )
    return Care(
        crisis_line,
        tuple(normalize(w) for w in data["crisis"]["words"]),
        tuple(crisis_line.fill(s) for s in data["crisis"]["message"]),
        tuple(crisis_line.fill(s) for s in data["help"]["message"]),
    )
