"""A whole exercise played out in virtual time: for ``show``, ``render`` and tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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
from .coach import Coach, CoachAction, CoachSettings
from .driver import HEARD, Driver, Heard
from .interpret import Interpreter
from .library import Library
from .loader import Problem
from .script import Script
from .virtual_time import NothingMoreWillHappen, VirtualTime


@dataclass(frozen=True)
class Timeline:
    """Every action of one play-through, with its time from the start."""

    actions: tuple[Action, ...]
    """All actions in the order they happen."""
    outcome: str
    """How it ended."""
    seconds: float
    """Total length."""


def new_engine(script: Script, timing: Timing, volume: float = 0.7, night: bool = False) -> Engine:
    """An engine with the shipped replies and care texts."""
    language = Interpreter.load()
    return Engine(script, timing, language.phrases.replies, language.care, volume, night)


def simulate(
    script: Script, timing: Timing, answers: Iterable[str] = (), said: Iterable[tuple[float, str]] = (), night: bool = False
) -> Timeline:
    """Play ``script`` from time 0 on the driver in virtual time; each question gets the
    next of ``answers`` the moment it listens, and once they run out, silence (so its
    default applies). ``said``: (time, words) heard at those moments, whatever plays then."""
    coach = Coach(Interpreter.load(), Library({script.id: script}), timing, CoachSettings())
    time = VirtualTime()
    replies, actions = list(answers), []

    def perform(action: CoachAction) -> None:
        if isinstance(action, Action):  # the exercise's own, not the device's
            actions.append(action)
        if isinstance(action, Listen) and replies:
            time.put_at(action.at, HEARD, Heard(replies.pop(0)))

    for at, words in sorted(said):
        time.put_at(at, HEARD, Heard(words))
    try:
        outcome = Driver(coach, time, perform, night=lambda: night).run_exercise(time, script.id)
    except NothingMoreWillHappen:  # paused, and nothing more will be said
        outcome = "paused"
    return Timeline(tuple(actions), outcome, actions[-1].at)


MINUTES_SLACK = (1.0, 0.3)
"""A script's ``minutes`` may be off by a minute, or by 30 % of itself, before validate warns."""


def length_problem(script: Script, timing: Timing) -> Problem | None:
    """A warning when ``minutes`` is far from how long the script takes when every
    question is answered at once (with its default, or the first answer word)."""
    answers = [answer for step in script.steps if (answer := step.body.quick_answer()) is not None]
    minutes = simulate(script, timing, answers * 4).seconds / 60
    slack = max(MINUTES_SLACK[0], MINUTES_SLACK[1] * script.minutes)
    if abs(minutes - script.minutes) <= slack:
        return None
    return Problem(
        script.source, f"says {script.minutes:g} minutes but takes about {minutes:.1f} when answered at once; "
        f"set minutes = {max(1, round(minutes))}", field="minutes", warning=True,
    )


def describe(action: Action) -> str | None:
    """One line for a person reading along; None for actions with nothing to show."""
    match action:
        case Speak(text=text, clip=clip):
            return f'"{text}"' + (f"  [clip {Path(clip).name}]" if clip else "")
        case BreathPhase(phase=phase, seconds=seconds, round=number, rounds=rounds):
            return f"~ {PHASE_NAMES[phase]} {seconds:.1f} s  (round {number}/{rounds})"
        case PlaySound(sound=sound):
            return f"♪ {Path(sound).name}"
        case Silence(seconds=seconds):
            return f"… silence {seconds:.1f} s"
        case Listen(answers=answers):
            return "? listening for: " + (" / ".join(answers) if answers else "commands")
        case SaveAnswer(key=key, answer=answer):
            return f"✎ answer {key}: {answer}"
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
