"""Driving an engine in real time: wait until something is due or something is heard."""

from __future__ import annotations

import queue
from typing import Callable

from .clock import Clock
from .engine import Action, Engine, Event


def run_session(
    engine: Engine,
    clock: Clock,
    heard: queue.Queue[str],
    interpret: Callable[[str, tuple[str, ...]], Event | None],
    perform: Callable[[Action], None],
    refresh: Callable[[float], None] | None = None,
    refresh_every: float = 0.1,
    lookahead: float = 0.0,
) -> str:
    """Play ``engine`` to its end; returns the outcome.

    ``heard`` delivers what the person said, ``interpret`` makes it an event,
    ``perform`` carries out each action when it is due, and ``refresh`` (if
    given) is called at least every ``refresh_every`` real seconds. Actions are
    handed out ``lookahead`` seconds early, for adapters that place them exactly
    (the audio mixer schedules every sound on its own frame).
    """
    for action in engine.start(clock.now()):
        perform(action)
    while not engine.done:
        due = engine.next_due()
        wait = None if due is None else max(0.0, clock.real_seconds(due - lookahead - clock.now()))
        if refresh is not None:
            wait = refresh_every if wait is None else min(wait, refresh_every)
        try:
            text = heard.get(timeout=wait)
        except queue.Empty:
            actions = engine.advance(clock.now() + lookahead)
        else:
            event = interpret(text, engine.expected_answers)
            now = clock.now()
            actions = engine.handle(event, now) if event else engine.advance(now)
        for action in actions:
            perform(action)
        if refresh is not None:
            refresh(clock.now())
    return engine.outcome
