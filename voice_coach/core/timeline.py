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
from .interpret import Interpreter
from .loader import Problem
from .script import Ask, Record, Script


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
    """Play ``script`` from time 0; each question gets the next of ``answers`` the
    moment it listens, and once they run out, silence (so its default applies).
    ``said``: (time, words) heard at those moments, whatever plays then."""
    engine = new_engine(script, timing, night=night)
    language = Interpreter.load()
    replies, moments = list(answers), sorted(said)
    actions = engine.start(0.0)
    batch = actions
    while not engine.done:
        listen = next((a for a in batch if isinstance(a, Listen)), None)
        due = engine.next_due()
        if moments and (due is None or moments[0][0] <= due):
            at, words = moments.pop(0)
            batch = engine.advance(at)
            event = language.hear(words, engine)
            batch += engine.handle(event, at) if event else []
        elif listen is not None and replies:
            event = language.hear(replies.pop(0), engine)
            batch = engine.handle(event, listen.at) if event else []
        elif due is not None:
            batch = engine.advance(due)
        else:  # paused, and nothing more will be said
            break
        actions += batch
    return Timeline(tuple(actions), engine.outcome or "paused", actions[-1].at)


MINUTES_SLACK = (1.0, 0.3)
"""A script's ``minutes`` may be off by a minute, or by 30 % of itself, before validate warns."""


def length_problem(script: Script, timing: Timing) -> Problem | None:
    """A warning when ``minutes`` is far from how long the script takes when every
    question is answered at once (with its default, or the first answer word)."""
    answers = [
        step.body.default if isinstance(step.body, Ask) else step.body.answers[0]
        for step in script.steps if isinstance(step.body, (Ask, Record))
    ]
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
