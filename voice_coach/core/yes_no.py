"""One way to ask a yes/no question: the start check and the distress check both use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

YES = "ja"
NO = "nee"
YES_NO = (YES, NO)
"""The answer words of every yes/no question."""

Subject = TypeVar("Subject")


@dataclass(frozen=True)
class YesNoQuestion(Generic[Subject]):
    """A question waiting for "ja" or "nee"."""

    subject: Subject
    """What the question is about (the exercise that would start, say)."""
    lapses_at: float | None
    """When it lapses unanswered, on the caller's clock; None: it waits for an answer."""
    at_night: bool = False
    """Asked at night: the question and its reply are said softly."""

    @staticmethod
    def reply(word: str) -> bool | None:
        """True for "ja", False for "nee", None for any other answer word."""
        return word == YES if word in YES_NO else None

    def lapsed(self, now: float) -> bool:
        return self.lapses_at is not None and now >= self.lapses_at
