"""The coach: everything the device decides, idle or in an exercise. Pure.

Above the engine, one state machine covers the whole device: idle listening, the
spoken start check ("Wil je ... doen?"), an exercise (the engine, with its own
distress check and crisis), and what is said idle (the list, help, a crisis, words
of distress). It reads no clock and does no I/O: the caller passes what was heard,
the time (one clock for everything: seconds, any origin) and whether it is night,
and gets back timed actions: the engine's, and the device's own below, among them
*what to listen for now* (:class:`ListenFor`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import (
    Action, Answer, Command, Crisis, Distress, Engine, Event, Hush, Listen, SetVolume,
    StopListening, Timing, one_after_another,
)
from .interpret import Interpreter, Listening, Reading
from .library import Library
from .phrases import Intent, list_item, start_check_question
from .script import Script
from .second_opinion import Confirmed, TurnedDown
from .yes_no import YES_NO, YesNoQuestion

CHECK_SECONDS = 10.0
"""How long the start check waits for "ja" before it listens for starts again, silently."""
NIGHT_VOLUME = 0.5
"""What is said idle at night (the start check, a crisis message, words of support) is
said at this fraction of the volume: a start heard by mistake must never speak loudly
in a bedroom, and a crisis message at night must be heard, never skipped."""
START_CHECKS = ("always", "night", "never")
"""When the start check asks: always, only at night, or never."""


@dataclass(frozen=True)
class ListenFor:
    """From now on, listen for this."""

    at: float
    """When."""
    listening: Listening
    """The phrases that mean something now, and whether an open question waits."""


@dataclass(frozen=True)
class Understood:
    """What something heard was taken to mean (for the log: what, never the words)."""

    at: float
    """When it was heard."""
    meaning: object
    """The engine's event during an exercise; the idle intent's name (or None) idle."""
    idle: bool
    """Heard while no exercise ran."""
    said: str = ""
    """What was said: for the person's own terminal only, never for the log."""


@dataclass(frozen=True)
class StartAsked:
    """The start check asked whether to start an exercise."""

    at: float
    """When."""
    script_id: str
    """The exercise asked about."""


@dataclass(frozen=True)
class StartLapsed:
    """The start check went unanswered: listening for starts again, silently."""

    at: float
    """When it lapsed."""
    script_id: str
    """The exercise that was asked about."""


@dataclass(frozen=True)
class ExerciseStarted:
    """An exercise began (the journal opens a session)."""

    at: float
    """When."""
    script_id: str
    """Which exercise."""


@dataclass(frozen=True)
class ExerciseEnded:
    """An exercise ended (the journal closes its session)."""

    at: float
    """When."""
    script_id: str
    """Which exercise."""
    outcome: str
    """``completed``, ``stopped`` or ``crisis``."""


@dataclass(frozen=True)
class CrisisHeard:
    """Words of crisis were heard: kept in the journal at once, not after the message."""

    at: float
    """When."""
    in_exercise: bool
    """During an exercise (its session is marked) or idle (a session of its own)."""


CoachAction = (
    Action | ListenFor | Understood | StartAsked | StartLapsed | ExerciseStarted | ExerciseEnded | CrisisHeard
    | Confirmed | TurnedDown
)


@dataclass(frozen=True)
class CoachSettings:
    """The settings the coach decides with."""

    start_check: str = "always"
    """One of :data:`START_CHECKS`."""
    start_confidence: float = 0.0
    """A start heard less surely than this is asked about whatever ``start_check`` says (0: never)."""
    volume: float = 0.7
    """The volume at start; "zachter" and "harder" change it for the next exercise too."""


class Coach:
    """The device's state machine: idle, asking whether to start, or in an exercise."""

    def __init__(self, language: Interpreter, library: Library, timing: Timing, settings: CoachSettings):
        self.language = language
        self.library = library
        self.timing = timing
        self.settings = settings
        self.volume = settings.volume
        """Kept from one exercise to the next: "zachter" stays softer."""
        self._level = settings.volume  # the level last set on the speaker (which starts at the setting's)
        self.engine: Engine | None = None
        """The running exercise, if any."""
        self.start_check: YesNoQuestion[Script] | None = None
        """The start asked about and not yet answered."""
        self.last_outcome: str | None = None
        """How the last exercise ended."""
        self._answers_kept: list[bool] = []  # per answer of the running exercise: whether the journal holds it

    # -- the protocol ----------------------------------------------------
    @property
    def state(self) -> str:
        """``exercise``, ``asking`` (the start check) or ``idle``."""
        if self.engine is not None:
            return "exercise"
        return "asking" if self.start_check is not None else "idle"

    def start(self, now: float) -> list[CoachAction]:
        """Begin listening, idle."""
        return [self._listen_idle(now)]

    def next_due(self) -> float | None:
        """When :meth:`advance` next has something to do; None: only what is heard can move it."""
        if self.engine is not None:
            return self.engine.next_due()
        return self.start_check.lapses_at if self.start_check is not None else None

    def advance(self, now: float) -> list[CoachAction]:
        """Everything due by ``now``."""
        if self.engine is not None:
            return self._from_engine(self.engine.advance(now), now)
        if self.start_check is not None and self.start_check.lapsed(now):
            lapsed = StartLapsed(now, self.start_check.subject.id)
            self.start_check = None
            return [lapsed, self._listen_idle(now)]
        return []

    def hear(self, reading: Reading, now: float, night: bool, confidence: float | None = 1.0) -> list[CoachAction]:
        """React to what was said at ``now``; ``confidence``: how sure the recognizer was
        (None: it gave no confidence)."""
        out = self.advance(now)
        if self.engine is not None:
            return out + self._hear_in_exercise(reading, now)
        if self.start_check is None:
            return out + self._hear_idle(reading, now, night, confidence)
        answered = self._answer_start_check(reading, now)
        if answered is not None:
            return out + answered
        ended = self.start_check is None
        idle = self._hear_idle(reading, now, night, confidence)
        if ended and not any(isinstance(a, ListenFor) for a in idle):  # after what is said: it is placed on exact frames
            idle.append(self._listen_idle(now))
        return out + idle

    def begin(self, script: Script, now: float, night: bool) -> list[CoachAction]:
        """Start ``script`` at once, without a start check (``play``)."""
        self.start_check = None
        return self._start_exercise(script, now, night)

    def answer_kept(self, kept: bool) -> None:
        """Whether the journal holds the answer of the last :class:`SaveAnswer`: what is
        said at the end must be true."""
        self._answers_kept.append(kept)

    def stop(self, now: float) -> list[CoachAction]:
        """The device stops (SIGTERM): the exercise ends at once, silently."""
        if self.engine is None:
            return []
        return [Hush(now), *self._end_exercise("stopped", now, closing=False)]

    def reload(self, library: Library, settings: CoachSettings, now: float) -> list[CoachAction]:
        """New exercises and settings; a running exercise plays on, and a start asked about
        still waits for its answer."""
        self.library, self.settings = library, settings
        return [self._listen_idle(now)] if self.state == "idle" else []

    def checked_meaning(self, reading: Reading) -> Intent | None:
        """What ``reading`` would make the coach do now that a second hearing must confirm
        first (:mod:`.second_opinion`): while no exercise runs (idle, or at the start check), a
        start, the list or help; in any state, a crisis or distress. None for the rest (the
        check's ja and nee, answers, commands during an exercise)."""
        if self.engine is not None:
            event = self.language.event(reading, self.engine.expected_answers, self.engine.open_answer)
            return Intent("crisis") if isinstance(event, Crisis) else Intent("distress") if isinstance(event, Distress) else None
        intent = self.language.idle_intent(reading, list(self.language.spoken_names(self.library)))
        return intent

    def listenings(self) -> tuple[Listening, ...]:
        """Everything the coach may listen for with this library, for a recognizer to prepare."""
        return self.language.every_listening(self.library.scripts.values(), list(self.language.spoken_names(self.library)))

    # -- idle ------------------------------------------------------------
    def _hear_idle(self, reading: Reading, now: float, night: bool, confidence: float | None) -> list[CoachAction]:
        names = self.language.spoken_names(self.library)
        intent = self.language.idle_intent(reading, list(names))
        out: list[CoachAction] = [Understood(now, intent.name if intent else None, True, reading.utterance.said)]
        if intent is None:
            return out
        care, replies = self.language.care, self.language.phrases.replies
        if intent.name == "start":
            threshold = self.settings.start_confidence
            weak = threshold > 0 and (confidence is None or confidence < threshold)
            return out + self._start_or_ask(self.library.scripts[names[intent.value]], now, night, weak)
        if intent.name == "list":
            return out + self._say([replies.list_intro, *(list_item(replies, s) for s in self.library.scripts.values())], now)
        if intent.name == "crisis":  # never skipped; at night softly
            return out + [CrisisHeard(now, in_exercise=False), *self._say(care.crisis_message, now, soft=night)]
        if intent.name == "distress":
            return out + self._say(care.distress_support, now, soft=night)
        return out + self._say(care.help_idle, now)

    def _say(self, lines, now: float, soft: bool = False) -> list[CoachAction]:
        """Sentences one after another from ``now``, instead of whatever was being said;
        ``soft``: at :data:`NIGHT_VOLUME` of the volume."""
        spoken, _ = one_after_another(lines, now, self.timing)
        return [Hush(now), *self._set_level(self.volume * (NIGHT_VOLUME if soft else 1.0), now), *spoken]

    def _set_level(self, level: float, now: float) -> list[CoachAction]:
        """A SetVolume, unless the speaker is at ``level`` already."""
        if level == self._level:
            return []
        self._level = level
        return [SetVolume(now, level)]

    def _idle_listening(self) -> Listening:
        return self.language.idle_listening(list(self.language.spoken_names(self.library)))

    def _listen_idle(self, now: float) -> ListenFor:
        return ListenFor(now, self._idle_listening())

    # -- the start check ---------------------------------------------------
    def _start_or_ask(self, script: Script, now: float, night: bool, weak: bool) -> list[CoachAction]:
        """Start ``script``, or first ask whether to (the ``start_check`` setting, or a
        ``weak`` hearing): a start heard by mistake then costs one short question, said
        softly at night."""
        check = self.settings.start_check
        if not (check == "always" or (check == "night" and night) or weak):
            return self._start_exercise(script, now, night)
        self.start_check = YesNoQuestion(script, now + CHECK_SECONDS, night)
        question = start_check_question(self.language.phrases.replies, script)
        return [
            *self._say([question], now, soft=night),
            ListenFor(now, self.language.session_listening(YES_NO)),
            StartAsked(now, script.id),
        ]

    def _answer_start_check(self, reading: Reading, now: float) -> list[CoachAction] | None:
        """Act on an answer to the start check; None when what was said is for idle listening
        (a crisis, help, another start: then the check ends unless it only meant nothing)."""
        event = self.language.event(reading, YES_NO)
        check = self.start_check
        yes = check.reply(event.word) if isinstance(event, Answer) else None
        if yes is not None:
            self.start_check = None
            if yes:
                return self._start_exercise(check.subject, now, check.at_night)
            return [*self._say([self.language.phrases.replies.start_declined], now, soft=check.at_night), self._listen_idle(now)]
        if isinstance(event, Command) and event.name == "stop":
            self.start_check = None
            return [self._listen_idle(now)]
        if isinstance(event, (Crisis, Distress, Command)):
            self.start_check = None
        return None

    # -- an exercise -------------------------------------------------------
    def _start_exercise(self, script: Script, now: float, night: bool) -> list[CoachAction]:
        replies, care = self.language.phrases.replies, self.language.care
        self.engine = Engine(script, self.timing, replies, care, self.volume, night)
        self._answers_kept = []
        opening = [*self._set_level(self.volume, now), ExerciseStarted(now, script.id)]
        played = self._from_engine(self.engine.start(now), now)
        if not any(isinstance(a, ListenFor) for a in played):  # the first step is no question
            played.append(ListenFor(now, self.language.session_listening()))
        return opening + played

    def _hear_in_exercise(self, reading: Reading, now: float) -> list[CoachAction]:
        engine = self.engine
        event: Event | None = self.language.event(reading, engine.expected_answers, engine.open_answer)
        out: list[CoachAction] = [Understood(now, event, False, reading.utterance.said)]
        if isinstance(event, Crisis):  # kept at once, not after the message
            out.append(CrisisHeard(now, in_exercise=True))
        actions = engine.advance(now) if event is None else engine.handle(event, now)
        return out + self._from_engine(actions, now)

    def _from_engine(self, actions: list[Action], now: float) -> list[CoachAction]:
        """The engine's actions, each change of listening made explicit; the end of the
        exercise once everything was handed out. (What to listen for comes after the sounds
        of the same moment: they are placed on exact frames, and listening can wait.)"""
        out: list[CoachAction] = []
        for action in actions:
            out.append(action)
            if isinstance(action, SetVolume):
                self._level = action.level
            elif isinstance(action, Listen):
                out.append(ListenFor(action.at, self.language.session_listening(action.answers, action.open_answer)))
            elif isinstance(action, StopListening):
                out.append(ListenFor(action.at, self.language.session_listening()))
        if self.engine.done:
            out += self._end_exercise(self.engine.outcome, now)
        return out

    def _end_exercise(self, outcome: str, now: float, closing: bool = True) -> list[CoachAction]:
        """Back to idle; ``closing``: say whether the answers were kept (only what is true)."""
        engine, kept = self.engine, self._answers_kept
        self.volume, self.last_outcome = engine.volume, outcome
        self.engine, self._answers_kept = None, []
        out: list[CoachAction] = [ExerciseEnded(now, engine.script.id, outcome)]
        if kept and closing and outcome in ("completed", "stopped"):
            replies = self.language.phrases.replies
            out += self._say([replies.saved if all(kept) else replies.not_saved], now)
        return out + [self._listen_idle(now)]
