"""Driving an engine in real time: wait until something is due or something is heard."""

from __future__ import annotations

import queue
from typing import Callable, Protocol

from ..core.engine import Action, Engine, Event

AUDIO_LOOKAHEAD = 0.25
"""How early sounds are handed to the speaker's mixer, so each starts on its exact
frame even when this process is held up for a moment (more than the mixer's lead
plus an idle block; measured: at 0.1 s one onset in 600 came 25 ms late under load).
A hush still cancels everything handed over."""


class SessionClock(Protocol):
    """Script time, and how long a stretch of it takes in real time."""

    def now(self) -> float: ...

    def real_seconds(self, script_seconds: float) -> float: ...


class Session:
    """One exercise in real time.

    ``perform`` carries out each action when it is due. Actions are handed out
    ``lookahead`` seconds early, for adapters that place them exactly (the audio
    mixer schedules every sound on its own frame).
    """

    def __init__(self, engine: Engine, clock: SessionClock, perform: Callable[[Action], None], lookahead: float = 0.0):
        self.engine = engine
        self.clock = clock
        self.perform = perform
        self.lookahead = lookahead

    def start(self) -> None:
        self._do(self.engine.start(self.clock.now()))

    def wait_seconds(self) -> float | None:
        """Real seconds until the engine next has something to do (None: only an event)."""
        due = self.engine.next_due()
        if due is None:
            return None
        return max(0.0, self.clock.real_seconds(due - self.lookahead - self.clock.now()))

    def tick(self) -> None:
        """Carry out whatever has come due."""
        self._do(self.engine.advance(self.clock.now() + self.lookahead))

    def hear(self, event: Event | None) -> None:
        """React to what the person said (None: nothing to act on)."""
        if event is None:
            self.tick()
        else:
            self._do(self.engine.handle(event, self.clock.now()))

    def _do(self, actions: list[Action]) -> None:
        for action in actions:
            self.perform(action)


def run_session(
    session: Session,
    heard: queue.Queue[str],
    interpret: Callable[[str, Engine], Event | None],
    refresh: Callable[[float], None] | None = None,
    refresh_every: float = 0.1,
) -> str:
    """Play ``session`` to its end; returns the outcome.

    ``heard`` delivers what the person said and ``interpret`` makes it an event for the engine;
    ``refresh`` (if given) is called at least every ``refresh_every`` real seconds.
    """
    session.start()
    engine = session.engine
    while not engine.done:
        wait = session.wait_seconds()
        if refresh is not None:
            wait = refresh_every if wait is None else min(wait, refresh_every)
        try:
            text = heard.get(timeout=wait)
        except queue.Empty:
            session.tick()
        else:
            session.hear(interpret(text, engine))
        if refresh is not None:
            refresh(session.clock.now())
    return engine.outcome
