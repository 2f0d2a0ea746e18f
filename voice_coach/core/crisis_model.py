"""A learned second look at what may be a crisis, where no pattern of ``crisis.toml`` holds.

Patterns keep up with the phrasings they were written for, and new sentences by new people
slip past them ("ik heb expres te veel insuline gespoten"). This is a linear model over the
words, word pairs and letter groups of what was said, trained on the corpus of crisis
sentences and look-alikes (``tools/train_crisis_model.py``), kept as data beside the
patterns. It never decides a crisis on its own: a sentence it scores high is read as words
that may be distress, so the coach asks once, gently, and gives the 113 line. The
patterns, and their look-alikes, come first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .tomlfile import TomlFileError, read_toml_file
from .utterance import fold

MIN_WORDS = 3
"""Shorter utterances are commands and answers ("ja", "ik ben moe"), never scored."""
LETTER_GROUPS = (3, 4, 5)
"""The lengths of the letter groups taken from each word (with its edges marked)."""


def features(text: str) -> set[str]:
    """What the model weighs in ``text``: its folded words, neighbouring word pairs, and the
    letter groups of each word (so "insulinepen" shares weight with "insuline")."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    found = {f"w:{w}" for w in words} | {f"b:{a}_{b}" for a, b in zip(words, words[1:])}
    for word in words:
        edged = f"<{word}>"
        found |= {f"c:{edged[i : i + n]}" for n in LETTER_GROUPS for i in range(len(edged) - n + 1)}
    return found


@dataclass(frozen=True)
class CrisisModel:
    """The model's weights and where it speaks up."""

    weights: dict[str, float]
    """Weight per feature (see :func:`features`); a feature not listed weighs nothing."""
    bias: float
    """Added before the logistic function."""
    threshold: float
    """A score at or above this (0-1) is read as words that may be distress."""

    def score(self, text: str) -> float:
        """How much ``text`` looks like the crisis sentences the model was trained on (0-1)."""
        found = features(text)
        if not found:
            return 0.0
        total = sum(self.weights.get(f, 0.0) for f in found) / math.sqrt(len(found)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, total))))

    def worried(self, text: str) -> bool:
        """Whether ``text`` (of at least :data:`MIN_WORDS` words) scores at the threshold or above."""
        return len(text.split()) >= MIN_WORDS and self.score(text) >= self.threshold


def load_crisis_model(path: Path) -> CrisisModel:
    """The model in ``path`` (TOML: ``[model]`` with ``threshold`` and ``bias``, ``[weights]``);
    TomlFileError naming the file and what is wrong."""
    data = read_toml_file(path)
    model, weights = data.get("model"), data.get("weights")
    if not isinstance(model, dict) or not isinstance(weights, dict):
        raise TomlFileError(path, "needs a [model] table and a [weights] table; rebuild it with tools/train_crisis_model.py")
    threshold, bias = model.get("threshold"), model.get("bias")
    if not _number(threshold) or not 0 < threshold < 1:
        raise TomlFileError(path, "[model] threshold must be a number between 0 and 1")
    if not _number(bias):
        raise TomlFileError(path, "[model] bias must be a finite number")
    wrong = next((name for name, weight in weights.items() if not _number(weight)), None)
    if wrong is not None:
        raise TomlFileError(path, f"[weights] {wrong!r} must be a finite number")
    return CrisisModel({name: float(w) for name, w in weights.items()}, float(bias), float(threshold))


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
