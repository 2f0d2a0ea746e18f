"""Turning what the person said (recognized or typed) into an engine event."""

from __future__ import annotations

from .care import Care
from .engine import Answer, Command, Crisis, Event, NotUnderstood
from .phrases import PhraseBook


def interpret(heard: str, expected: tuple[str, ...], phrases: PhraseBook, care: Care) -> Event | None:
    """The event in ``heard`` during an exercise expecting ``expected`` answers.

    Crisis words come first, whatever else was said. None: nothing to act on.
    """
    if care.is_crisis(heard):
        return Crisis()
    intent = phrases.match_session(heard, expected)
    if intent is None:
        return NotUnderstood() if expected else None
    return Answer(intent.value) if intent.name == "answer" else Command(intent.name)
