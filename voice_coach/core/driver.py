"""One loop drives the coach on any clock: real time for the daemon and ``play``,
virtual time for ``show``, ``render`` and the tests.

The driver waits until the coach has something due or something is heard, hands
the coach what was heard (read once) and the time, and passes every action to
``perform``. It reads no clock of its own: the clock and the inbox are given, so
the same loop runs an hour of the device in a moment under :mod:`.virtual_time`.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from typing import Callable, Protocol

from .coach import Coach, CoachAction
from .engine import SaveAnswer


class DriverClock(Protocol):
    """The coach's time, and how long a stretch of it takes in real time."""

    def now(self) -> float: ...

    def real_seconds(self, coach_seconds: float) -> float: ...


class Inbox(Protocol):
    """Where what is heard (and the caller's own items, signals say) arrives, in order."""

    def get(self, timeout: float | None = None) -> tuple[str, object]: ...


@dataclass(frozen=True)
class Heard:
    """A phrase and how sure the recognizer was of it."""

    text: str
    """What was said."""
    confidence: float | None = 1.0
    """The lowest word confidence; None when the recognizer gave none; 1.0 typed."""
    continues: str | None = None
    """A phrase of the same breath, heard (and acted on) just before: this is the rest.
    "stoppen" then "met leven" is one crisis, not a stop and some words."""


HEARD = "heard"
"""The inbox kind of a :class:`Heard`; every other kind is the caller's."""


class TypedLines:
    """An inbox over a queue of plain lines (typed, or a listener's): each is something heard."""

    def __init__(self, lines: queue.Queue[str]):
        self.lines = lines

    def get(self, timeout: float | None = None) -> tuple[str, object]:
        return HEARD, Heard(self.lines.get(timeout=timeout))


class Driver:
    """Runs ``coach`` on ``clock``.

    ``perform`` carries out each action; for a :class:`~.engine.SaveAnswer` it returns
    whether the journal kept the answer, which the coach is told (it says only what is
    true), or None where nothing is kept at all (``play``: then nothing is said of it).
    Actions are handed out ``lookahead`` seconds early, for adapters that place them
    exactly (the audio mixer schedules every sound on its own frame).
    """

    def __init__(
        self,
        coach: Coach,
        clock: DriverClock,
        perform: Callable[[CoachAction], object],
        night: Callable[[], bool] = lambda: False,
        lookahead: float = 0.0,
    ):
        self.coach = coach
        self.clock = clock
        self.perform = perform
        self.night = night
        """Whether it is night now (the wall clock's business, not the coach's)."""
        self.lookahead = lookahead

    def start(self) -> None:
        """Listen, idle."""
        self._do(self.coach.start(self.clock.now()))

    def begin(self, script_id: str) -> None:
        """Start an exercise at once (``play``), without a start check."""
        self._do(self.coach.begin(self.coach.library.scripts[script_id], self.clock.now(), self.night()))

    def wait_seconds(self) -> float | None:
        """Real seconds until the coach next has something to do (None: only something heard)."""
        due = self.coach.next_due()
        if due is None:
            return None
        return max(0.0, self.clock.real_seconds(due - self.lookahead - self.clock.now()))

    def tick(self) -> None:
        """Carry out whatever has come due."""
        self._do(self.coach.advance(self.clock.now() + self.lookahead))

    def hear(self, heard: Heard) -> None:
        """React to what the person said."""
        reading = self.coach.language.read(heard.text)  # folded and read once, whatever happens next
        if heard.continues and reading.crisis is None and self.coach.language.read(heard.continues).crisis is None:
            whole = self.coach.language.read(f"{heard.continues} {heard.text}")
            if whole.crisis is not None:  # crisis first, over the whole breath (once: not for an early crisis)
                reading = whole
        self._do(self.coach.hear(reading, self.clock.now(), self.night(), heard.confidence))

    def reload(self, library, settings) -> None:
        """New exercises and settings (a reloaded configuration)."""
        self._do(self.coach.reload(library, settings, self.clock.now()))

    def stop(self) -> None:
        """End a running exercise at once, silently."""
        self._do(self.coach.stop(self.clock.now()))

    def wait(self, inbox: Inbox, longest: float | None = None) -> tuple[str, object] | None:
        """The next inbox item, or None once something is due (or ``longest`` real seconds passed)."""
        waits = [w for w in (self.wait_seconds(), longest) if w is not None]
        try:
            return inbox.get(timeout=min(waits) if waits else None)
        except queue.Empty:
            return None

    def act(self, item: tuple[str, object] | None) -> None:
        """Hear ``item`` if it is something heard (the caller's own kinds are the caller's),
        then carry out whatever has come due."""
        if item is not None and item[0] == HEARD:
            self.hear(item[1])
        self.tick()

    def step(self, inbox: Inbox, longest: float | None = None) -> None:
        """Wait for something heard or due, and act on it."""
        self.act(self.wait(inbox, longest))

    def run_exercise(
        self, inbox: Inbox, script_id: str, refresh: Callable[[float], None] | None = None, refresh_every: float = 0.1,
    ) -> str:
        """Play one exercise to its end (``play``, ``show``, ``render``); returns its outcome.
        ``refresh`` (if given) is called at least every ``refresh_every`` real seconds."""
        self.begin(script_id)
        while self.coach.state == "exercise":
            self.step(inbox, refresh_every if refresh is not None else None)
            if refresh is not None:
                refresh(self.clock.now())
        return self.coach.last_outcome

    def _do(self, actions: list[CoachAction]) -> None:
        for action in actions:
            kept = self.perform(action)
            if isinstance(action, SaveAnswer) and kept is not None:
                self.coach.answer_kept(bool(kept))
