"""A whole exercise played out in virtual time: for ``show``, ``render`` and tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .engine import (
    Action,
    BreathPhase,
    Engine,
    Finished,
    Listen,
    Paused,
    PlaySound,
    Resumed,
    SaveAnswer,
    SetVolume,
    Silence,
    Speak,
    Timing,
)
from .interpret import Interpreter
from .script import Script


@dataclass(frozen=True)
class Timeline:
    """Every action of one play-through, with its time from the start."""

    actions: tuple[Action, ...]
    """All actions in the order they happen."""
    outcome: str
    """How it ended."""
    seconds: float
    """Total length."""


def new_engine(script: Script, timing: Timing, volume: float = 0.7, language: Interpreter | None = None) -> Engine:
    """An engine with the replies and care texts of ``language`` (default: the shipped Dutch)."""
    language = language or Interpreter.load()
    return Engine(script, timing, language.phrases.replies, language.care, volume)


def simulate(script: Script, timing: Timing, answers: Iterable[str] = ()) -> Timeline:
    """Play ``script`` from time 0; each question gets the next of ``answers`` the
    moment it listens, and once they run out, silence (so its default applies)."""
    engine = new_engine(script, timing)
    replies = list(answers)
    actions = engine.start(0.0)
    batch = actions
    while not engine.done:
        listen = next((a for a in batch if isinstance(a, Listen)), None)
        if listen is not None and replies:
            event = Interpreter.load().hear(replies.pop(0), engine)
            batch = engine.handle(event, listen.at) if event else []
        else:
            batch = engine.advance(engine.next_due())
        actions += batch
    return Timeline(tuple(actions), engine.outcome, actions[-1].at)


def describe(action: Action) -> str | None:
    """One line for a person reading along; None for actions with nothing to show."""
    match action:
        case Speak(text=text, clip=clip):
            return f'"{text}"' + (f"  [clip {clip}]" if clip else "")
        case BreathPhase(phase=phase, seconds=seconds, round=number, rounds=rounds):
            return f"~ {PHASE_NAMES[phase]} {seconds:.1f} s  (round {number}/{rounds})"
        case PlaySound(sound=sound):
            return f"♪ {sound}"
        case Silence(seconds=seconds):
            return f"… silence {seconds:.1f} s"
        case Listen(answers=answers):
            return "? listening for: " + (" / ".join(answers) if answers else "commands")
        case SaveAnswer(key=key, answer=answer):
            return f"✎ noted {key}: {answer}"
        case SetVolume(level=level):
            return f"volume {level:.0%}"
        case Paused():
            return "(paused: say 'verder' to go on)"
        case Resumed():
            return "(resumed)"
        case Finished(outcome=outcome):
            return f"(finished: {outcome})"
    return None


PHASE_NAMES = {"in": "breathe in", "hold": "hold", "out": "breathe out", "rest": "rest"}


def clock_text(seconds: float) -> str:
    """``m:ss.s``."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
