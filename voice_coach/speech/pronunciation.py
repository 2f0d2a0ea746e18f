"""How to say words the synthesizers get wrong (data in ``data/pronunciation.toml``).

Pure: a sentence in, the sentence to render out, per engine family.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from ..paths import DATA_DIR

PRONUNCIATION_FILE = DATA_DIR / "pronunciation.toml"


@cache
def load_pronunciations(path: Path = PRONUNCIATION_FILE) -> dict[str, dict[str, str]]:
    """Engine family -> word (lowercase) -> how to write it for that engine."""
    data = tomllib.loads(path.read_text("utf-8"))
    return {family: {word.lower(): said for word, said in words.items()} for family, words in data.items()}


def pronounce(text: str, family: str, table: dict[str, dict[str, str]] | None = None) -> str:
    """``text`` with every listed word of ``family`` replaced (whole words, any case)."""
    words = (table or load_pronunciations()).get(family, {})
    if not words:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: words[m.group(0).lower()], text)
