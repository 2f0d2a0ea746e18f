"""One loop drives the coach on any clock: real time for the daemon and ``play``,
virtual time for ``show``, ``render`` and the tests.

The driver waits until the coach has something due or something is heard, hands
the coach what was heard (read once) and the time, and passes every action to
``perform``. It reads no clock of its own: the clock and the inbox are given, so
the same loop runs an hour of the device in a moment under :mod:`.virtual_time`.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field, replace
from typing import Callable, Protocol

from .coach import Coach, CoachAction
from .engine import SaveAnswer
from .phrases import Intent
from .second_opinion import CARE, CRISIS_PATIENCE, REPEAT_SECONDS, Confirmed, Question, SecondHearing, TurnedDown


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
    audio: bytes | None = field(default=None, repr=False)
    """The utterance up to the phrase (int16 at the listener's rate) when a grammar heard it,
    for a second pass to hear again; None when typed, or heard by the model's own language
    model already."""


HEARD = "heard"
"""The inbox kind of a :class:`Heard`."""
SECOND_OPINION = "second opinion"
"""The inbox kind of a second pass's verdict: ``(Question, SecondHearing or None)``; every other
kind is the caller's."""


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
        second_pass: Callable[[bytes, Question], None] | None = None,
    ):
        self.coach = coach
        self.clock = clock
        self.perform = perform
        self.night = night
        """Whether it is night now (the wall clock's business, not the coach's)."""
        self.lookahead = lookahead
        self.second_pass = second_pass
        """Hears an utterance again and answers through :meth:`second_opinion` (at once, or
        later through the inbox as :data:`SECOND_OPINION`); None: what a grammar heard is acted
        on as it is."""
        self._crisis_held_at: float | None = None  # a crisis the second hearing did not confirm
        self._waiting: list[Question] = []  # heard, and waiting for their second hearing

    def start(self) -> None:
        """Listen, idle."""
        self._do(self.coach.start(self.clock.now()))

    def begin(self, script_id: str) -> None:
        """Start an exercise at once (``play``), without a start check. It starts ``lookahead``
        from now, so its first sound is handed over as early as every other one and starts on
        its own frame even when the first hand-over is held up."""
        self._do(self.coach.begin(self.coach.library.scripts[script_id], self.clock.now() + self.lookahead, self.night()))

    def wait_seconds(self) -> float | None:
        """Real seconds until the coach next has something to do (None: only something heard)."""
        dues = [due for due in (self.coach.next_due(), self._crisis_deadline()) if due is not None]
        if not dues:
            return None
        return max(0.0, self.clock.real_seconds(min(dues) - self.lookahead - self.clock.now()))

    def tick(self) -> None:
        """Carry out whatever has come due."""
        self._answer_overdue_crises()
        self._do(self.coach.advance(self.clock.now() + self.lookahead))

    def hear(self, heard: Heard) -> None:
        """React to what the person said."""
        reading = self.coach.language.read(heard.text)  # folded and read once, whatever happens next
        if heard.continues and reading.crisis is None and self.coach.language.read(heard.continues).crisis is None:
            whole = self.coach.language.read(f"{heard.continues} {heard.text}")
            if whole.crisis is not None:  # crisis first, over the whole breath (once: not for an early crisis)
                reading = whole
        now = self.clock.now()
        meaning = self.coach.checked_meaning(reading) if self.second_pass is not None and heard.audio else None
        if meaning is not None and not (meaning.name == "crisis" and self._crisis_held(now)):
            question = Question(meaning, self.coach.language.phrases.fillers, reading, heard.confidence, now)
            self._waiting.append(question)
            self.second_pass(heard.audio, question)
            return
        self._do(self.coach.hear(reading, now, self.night(), heard.confidence))

    def second_opinion(self, question: Question, hearing: SecondHearing | None) -> None:
        """What the second pass heard for ``question`` (None: it could not hear): the coach
        hears the question if it agrees, and a crisis the second hearing found in any case."""
        if not self._take(question):
            return  # answered already: a crisis that could not wait
        second = self.coach.language.read(hearing.transcript) if hearing is not None else None
        if second is not None and second.crisis is not None and question.meaning.name != "crisis":
            self._act(replace(question, meaning=Intent("crisis"), reading=second), hearing)  # crisis first
            return
        meaning_now = self.coach.checked_meaning(question.reading)
        if meaning_now != question.meaning:  # the coach moved on meanwhile (an exercise began or ended)
            if meaning_now is None and question.meaning.name in CARE:  # as this state takes it, unchecked
                self._do(self.coach.hear(question.reading, self.clock.now(), self.night(), question.confidence))
            return
        agrees = question.agrees(hearing, self.coach.checked_meaning(second) if second is not None else None)
        if not agrees and question.meaning.name == "crisis" and self._crisis_held(question.asked_at):
            agrees = True  # a crisis said twice before either verdict came
        if agrees:
            self._act(question, hearing)
            return
        self.perform(TurnedDown(self.clock.now(), question.meaning, hearing))
        if question.meaning.name == "crisis":
            self._crisis_held_at = question.asked_at

    def _act(self, question: Question, hearing: SecondHearing | None) -> None:
        """Confirmed (or a crisis that could not wait): the coach hears ``question``'s reading."""
        now = self.clock.now()
        self.perform(Confirmed(now, question.meaning, hearing, now - question.asked_at))
        self._do(self.coach.hear(question.reading, now, self.night(), question.confidence))

    def _crisis_held(self, now: float) -> bool:
        """Whether a crisis turned down lately makes this one be answered at once."""
        held, self._crisis_held_at = self._crisis_held_at, None
        return held is not None and now - held <= REPEAT_SECONDS

    def _crisis_deadline(self) -> float | None:
        """When the first crisis still waiting for its second hearing is answered without it."""
        return min((q.asked_at + CRISIS_PATIENCE for q in self._waiting if q.meaning.name == "crisis"), default=None)

    def _answer_overdue_crises(self) -> None:
        now = self.clock.now()
        for question in [q for q in self._waiting if q.meaning.name == "crisis" and now >= q.asked_at + CRISIS_PATIENCE]:
            self._take(question)
            self._act(question, None)

    def _take(self, question: Question) -> bool:
        """Stop waiting for ``question``; whether it was still waited for."""
        waiting = len(self._waiting)
        self._waiting = [q for q in self._waiting if q is not question]
        return len(self._waiting) < waiting

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
        elif item is not None and item[0] == SECOND_OPINION:
            self.second_opinion(*item[1])
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
