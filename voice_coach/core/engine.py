"""The exercise engine: a pure, deterministic state machine over one script.

It does no I/O and reads no clock. The caller passes the time (seconds, any
origin) to :meth:`Engine.start`, :meth:`Engine.advance` and :meth:`Engine.handle`
and gets back timed actions to carry out. Everything is scheduled from the
script's own timeline: a step starts when the previous one was *scheduled* to
end, not when the caller got round to it, so long exercises do not drift.

A step is played as one or more *units*: a breathing round, a sentence, a
question. Pause, herhaal and verder act on the current unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from .answers import Heard, said_back
from .care import Care
from .phrases import Replies
from .yes_no import YES_NO, YesNoQuestion
from .script import NEXT, PHASES, Ask, Breathe, Chime, Goto, Pause, Record, Reflect, Say, Script

SENTENCE_GAP = 1.0
"""Silence after every spoken sentence of a ``say`` step, seconds: room to take a sentence in."""
ASK_ATTEMPTS = 2
"""An unanswered question is asked this often before its default applies."""
TEMPO_STEP = 0.1
TEMPO_RANGE = (0.7, 1.5)
"""Bounds of the breathing / silence tempo factor (1.5 = half again as slow)."""
"""Answers to the gentle question asked after words of distress."""
CHECK_LISTEN_SECONDS = 30.0
"""How long that question stays open (for displays: the exercise waits, paused, until an answer or "verder")."""
VOLUME_STEP = 0.15
VOLUME_RANGE = (0.1, 1.0)


class Timing(Protocol):
    """How long things take to play; the speech adapter knows, estimates do otherwise."""

    def speech_seconds(self, text: str, rate: float) -> float:
        """Length of ``text`` spoken at ``rate`` (1.0 = normal)."""

    def sound_seconds(self, sound: str) -> float:
        """Length of the sound file ``sound`` in ``audio/``."""


@dataclass(frozen=True)
class EstimatedTiming:
    """Length estimates for when no audio is rendered (terminal play, ``show``)."""

    words_per_minute: float = 128.0
    """The coach's default speaking rate."""
    sound_seconds_default: float = 2.0
    """Assumed length of any sound file."""

    def speech_seconds(self, text: str, rate: float) -> float:
        return round(0.3 + len(text.split()) * 60.0 / (self.words_per_minute * rate), 3)

    def sound_seconds(self, sound: str) -> float:
        return self.sound_seconds_default


# -- actions: what the engine asks its adapters to do, each at a time ``at`` --


@dataclass(frozen=True)
class Speak:
    """Say a sentence (or play its recorded clip)."""

    at: float
    text: str
    """The Dutch sentence."""
    clip: str | None = None
    """A recorded clip in ``audio/`` to play instead of synthesizing ``text``."""
    rate: float = 1.0
    """Voice speed relative to normal."""


@dataclass(frozen=True)
class PlaySound:
    """Play a sound file from ``audio/``."""

    at: float
    sound: str
    """File name inside ``audio/``."""
    seconds: float | None = None
    """Cut (fade) the sound after this long; None plays it whole."""


@dataclass(frozen=True)
class BreathPhase:
    """A breathing phase begins."""

    at: float
    phase: str
    """One of :data:`~voice_coach.core.script.PHASES`."""
    seconds: float
    """How long the phase lasts at the current tempo."""
    round: int
    """1-based round number."""
    rounds: int
    """Rounds in this breathing step."""


@dataclass(frozen=True)
class Silence:
    """A pause or a reflection silence begins (nothing to play; for displays)."""

    at: float
    seconds: float
    """How long it lasts at the current tempo."""


@dataclass(frozen=True)
class Listen:
    """Start listening for an answer."""

    at: float
    answers: tuple[str, ...]
    """The answer words valid now (session commands are always valid)."""
    until: float
    """When the question times out."""
    open_answer: bool = False
    """An open question (a ``record`` step): the answer may be said in any words."""


@dataclass(frozen=True)
class StopListening:
    """Stop listening for an answer (session commands stay valid)."""

    at: float


@dataclass(frozen=True)
class Hush:
    """Silence everything that is playing, now."""

    at: float


@dataclass(frozen=True)
class SetVolume:
    """Change the playback volume."""

    at: float
    level: float
    """0.1 (soft) to 1.0 (full)."""


@dataclass(frozen=True)
class SaveAnswer:
    """Keep an answer in the journal."""

    at: float
    key: str
    """The journal field (e.g. ``emotie``)."""
    question: str
    """The question that was asked."""
    answer: str
    """The answer words heard, or the person's own words (:attr:`own_words`)."""
    own_words: bool = False
    """The coach could not place the answer: it is kept as said."""


@dataclass(frozen=True)
class StepStarted:
    """A new step begins (for displays and logs)."""

    at: float
    number: int
    """1-based step number."""
    kind: str
    """The step kind."""


@dataclass(frozen=True)
class Paused:
    """The exercise is paused until "verder"."""

    at: float


@dataclass(frozen=True)
class Resumed:
    """The exercise goes on after a pause."""

    at: float


@dataclass(frozen=True)
class Finished:
    """The exercise is over."""

    at: float
    outcome: str
    """``completed``, ``stopped`` or ``crisis``."""


Action = (
    Speak | PlaySound | BreathPhase | Silence | Listen | StopListening | Hush | SetVolume
    | SaveAnswer | StepStarted | Paused | Resumed | Finished
)


# -- events: what the engine is told --


@dataclass(frozen=True)
class Command:
    """A session command was heard."""

    name: str
    """A key of :data:`COMMANDS`: one of :data:`~voice_coach.core.phrases.SESSION_COMMANDS`, or ``help``."""


@dataclass(frozen=True)
class Answer:
    """An expected answer word was heard."""

    word: str
    """The answer word (canonical, e.g. ``ja``)."""
    also: tuple[str, ...] = ()
    """More expected answer words said in the same breath ("moe en gespannen")."""
    said: tuple[Heard, ...] = field(default=(), compare=False)
    """The person's own words for each answer word, to say back (not part of what it means)."""
    care: bool = False
    """Said with words of help or distress ("ik heb hulp nodig"): the 113 line is offered once."""


@dataclass(frozen=True)
class NoAnswer:
    """The person said they have no answer ("weet ik niet", "niks"): fine, go on."""


@dataclass(frozen=True)
class Distress:
    """Words that may be exhaustion or despair ("ik kan niet meer"): ask once, gently."""


@dataclass(frozen=True)
class NotUnderstood:
    """Something was said while an answer was expected, but no answer was in it."""

    said: str = field(default="", compare=False)
    """What was said: kept as the person's own words if it stays unplaced."""


@dataclass(frozen=True)
class Crisis:
    """Words of crisis were heard."""


Event = Command | Answer | NoAnswer | NotUnderstood | Crisis | Distress


class Engine:
    """Plays one script; see the module docstring for the protocol."""

    def __init__(
        self,
        script: Script,
        timing: Timing,
        replies: Replies,
        care: Care,
        volume: float = 0.7,
        night: bool = False,
    ):
        self.script = script
        self.timing = timing
        self.replies = replies
        self.care = care
        self.night = night
        """Speak the scripts' night lines (``at_night``) instead of their day lines."""
        self.tempo = 1.0
        """Factor on breathing and silences: above 1 is slower."""
        self.volume = volume
        """Current playback volume."""
        self.outcome: str | None = None
        """How it ended, once it has."""
        self.paused = False
        self._pending: list[Action] = []  # actions of the current unit, by time
        self._index = 0  # current step
        self._unit = 0  # current unit of that step
        self._attempts = 0  # times the current question was asked unanswered
        self._unit_end: float | None = None  # None: waiting for an answer
        self._listen_until = 0.0
        self._goto_counts: dict[int, int] = {}
        self._last_spoken: str | None = None
        self._check: YesNoQuestion[None] | None = None  # paused, asking whether to stop after words of distress
        self._speech_end = 0.0  # when the last sentence handed out ends
        self._answered = False  # an open question of this session got an answer
        self._own_words: list[str] = []  # unplaced answers to the current open question
        self._care_offered = False  # the 113 line was offered after an answer

    # -- the protocol ----------------------------------------------------
    @property
    def done(self) -> bool:
        """True once finished and every action was handed out."""
        return self.outcome is not None and not self._pending

    @property
    def expected_answers(self) -> tuple[str, ...]:
        """Answer words that mean something now (empty when no question is open)."""
        if self._check is not None:
            return YES_NO
        if self.outcome or self.paused:
            return ()
        return question_of(self.script.steps[self._index].body)[0]

    @property
    def open_answer(self) -> bool:
        """True while an open question (a ``record`` step, or an ``ask`` that takes any
        words) waits for its answer."""
        return self._check is None and bool(self.expected_answers) and question_of(self.script.steps[self._index].body)[1]

    def start(self, now: float) -> list[Action]:
        """Begin at ``now``; returns what is due at once."""
        self._enter(0, now)
        return self.advance(now)

    def next_due(self) -> float | None:
        """When :meth:`advance` next has something to do; None: only an event can move it."""
        if self._pending:
            return self._pending[0].at
        if self.outcome or self.paused:
            return None
        return self._unit_end if self._unit_end is not None else self._listen_until

    def advance(self, now: float) -> list[Action]:
        """Everything due by ``now``, moving through the schedule as far as it goes."""
        out: list[Action] = []
        while True:
            if self._pending:
                if self._pending[0].at > now:
                    break
                action = self._pending.pop(0)
                if isinstance(action, Speak):
                    self._last_spoken = action.text
                    self._speech_end = max(self._speech_end, action.at + self._length(action))
                out.append(action)
            elif self.outcome or self.paused:
                break
            elif self._unit_end is not None:
                if self._unit_end > now:
                    break
                self._next_unit(self._unit_end)
            elif self._listen_until <= now:
                self._unanswered(self._listen_until)
            else:
                break
        return out

    def handle(self, event: Event, now: float) -> list[Action]:
        """React to ``event`` at ``now``; returns everything due by then."""
        out = self.advance(now)
        if self.outcome is None:
            if isinstance(event, Command):
                COMMANDS[event.name](self, now)
            elif isinstance(event, Answer):
                self._answer(event, now)
            elif isinstance(event, NotUnderstood):
                if self._is_listening():
                    self._not_understood(event, now)
            elif isinstance(event, NoAnswer):
                if self._is_listening():
                    self._no_answer(now)
            elif isinstance(event, Crisis):
                self._crisis(now)
            elif isinstance(event, Distress):
                self._distress(now)
        return out + self.advance(now)

    # -- scheduling ------------------------------------------------------
    def _speak(self, at: float, text: str, clip: str | None = None) -> float:
        """Queue a sentence; returns its length."""
        speak = Speak(at, text, clip, self.script.voice_rate)
        self._pending.append(speak)
        return self._length(speak)

    def _length(self, speak: Speak) -> float:
        if speak.clip:
            return self.timing.sound_seconds(speak.clip)
        return self.timing.speech_seconds(speak.text, speak.rate)

    def _enter(self, index: int, at: float) -> None:
        """Start step ``index`` at ``at``, following gotos."""
        steps = self.script.steps
        while index < len(steps) and isinstance(steps[index].body, Goto):
            goto = steps[index].body
            taken = self._goto_counts.get(index, 0)
            if goto.times is None or taken < goto.times:
                self._goto_counts[index] = taken + 1
                index = self.script.label_index(goto.target)
            else:
                index += 1
        if index >= len(steps):
            self._finish(at, "completed")
            return
        self._index, self._unit, self._attempts = index, 0, 0
        self._own_words = []
        self._pending.append(StepStarted(at, index + 1, steps[index].kind))
        self._expand(at)

    def _expand(self, t0: float) -> None:
        """Queue the current unit's actions from ``t0`` and set when it ends."""
        body = self.script.steps[self._index].body
        if isinstance(body, Say):
            if self.night and body.at_night:
                self._unit_end = t0 + self._speak(t0, body.at_night) + SENTENCE_GAP
            elif body.without_answers and not self._answered:
                self._unit_end = t0 + self._speak(t0, body.without_answers) + SENTENCE_GAP
            else:
                self._unit_end = t0 + self._speak(t0, body.text, body.clip) + SENTENCE_GAP
        elif isinstance(body, Pause):
            self._unit_end = t0 + self._silence(t0, body.seconds)
        elif isinstance(body, Chime):
            self._pending.append(PlaySound(t0, body.sound))
            self._unit_end = t0 + self.timing.sound_seconds(body.sound)
        elif isinstance(body, Breathe):
            self._unit_end = self._breathing_round(body, t0)
        elif isinstance(body, Reflect):
            spoken = t0 + self._speak(t0, body.question)
            self._unit_end = spoken + self._silence(spoken, body.silence)
        else:  # Ask or Record
            first = self._attempts == 0 or body.retry is None
            spoken = t0 + self._speak(t0, body.question if first else body.retry)
            self._listen_until = spoken + body.timeout
            self._pending.append(Listen(spoken, self.expected_answers, self._listen_until, question_of(body)[1]))
            self._unit_end = None

    def _silence(self, at: float, seconds: float) -> float:
        length = seconds * self.tempo
        self._pending.append(Silence(at, length))
        return length

    def _breathing_round(self, body: Breathe, t0: float) -> float:
        """Queue one round; phase onsets are offsets from the round's start. Returns its end."""
        number = self._unit + 1
        with_cues = body.cue_rounds is None or number <= body.cue_rounds
        onset = t0
        for phase in PHASES:
            seconds = body.phases[phase] * self.tempo
            if not seconds:
                continue
            self._pending.append(BreathPhase(onset, phase, seconds, number, body.rounds))
            if phase in body.tones:
                self._pending.append(PlaySound(onset, body.tones[phase], seconds))
            if with_cues and phase in body.cues:
                self._speak(onset, body.cues[phase])
            onset += seconds
        return onset

    def _next_unit(self, at: float) -> None:
        body = self.script.steps[self._index].body
        if isinstance(body, Breathe) and self._unit + 1 < body.rounds:
            self._unit += 1
            self._expand(at)
        else:
            self._enter(self._index + 1, at)

    def _finish(self, at: float, outcome: str) -> None:
        self.outcome = outcome
        self._unit_end = None
        self._pending.append(Finished(at, outcome))

    # -- questions -------------------------------------------------------
    def _is_listening(self) -> bool:
        return self._unit_end is None and not self._pending and not self.paused

    def _unanswered(self, at: float) -> None:
        """Nothing (understood) came back: ask again, then take the default."""
        self._attempts += 1
        self._pending.append(StopListening(at))
        if self._attempts < ASK_ATTEMPTS:
            self._expand(at)
            return
        body = self.script.steps[self._index].body
        if isinstance(body, Ask):
            self._jump(body.answers[body.default], at)
        elif self._keep_own_words(at):
            self._enter(self._index + 1, at + self._speak(at, self.replies.own_words) + SENTENCE_GAP)
        else:
            self._enter(self._index + 1, at)

    def _keep_own_words(self, at: float) -> bool:
        """Save what the person said to this open question that could not be placed, as said."""
        body = self.script.steps[self._index].body
        if not (isinstance(body, Record) and self._own_words):
            return False
        self._pending.append(SaveAnswer(at, body.key, body.question, " / ".join(self._own_words), own_words=True))
        self._answered = True
        return True

    def _not_understood(self, event: NotUnderstood, now: float) -> None:
        """Words that are no answer word: an ask that takes any words goes on with
        them (names said aloud); an open question keeps them as the person's own
        words, asks once more, and saves them if it cannot place the next answer
        either; otherwise it is as if nothing was said."""
        body = self.script.steps[self._index].body
        if isinstance(body, Ask) and body.other:
            self._pending = [StopListening(now)]
            self._jump(body.other, now)
            return
        if isinstance(body, Record) and event.said.strip():
            self._own_words.append(event.said.strip())
        self._unanswered(now)

    def _jump(self, target: str, at: float) -> None:
        self._enter(self._index + 1 if target == NEXT else self.script.label_index(target), at)

    def _no_answer(self, now: float) -> None:
        """No answer is an answer too: say so kindly and go on (an ask takes its default)."""
        self._pending = [StopListening(now)]
        body = self.script.steps[self._index].body
        self._keep_own_words(now)
        after = now + self._speak(now, self.replies.no_answer) + SENTENCE_GAP
        if isinstance(body, Ask):
            self._jump(body.answers[body.default], after)
        else:
            self._enter(self._index + 1, after)

    def _answer(self, event: Answer, now: float) -> None:
        if self._check is not None:
            yes = self._check.reply(event.word)
            if yes is not None:
                self._checked(yes, now)
            return
        words = [w for w in (event.word, *event.also) if w in self.expected_answers]
        if not words:
            return
        self._pending = [StopListening(now)]
        body = self.script.steps[self._index].body
        if isinstance(body, Ask):
            self._jump(body.answers[words[0]], now)
            return
        self._pending.append(SaveAnswer(now, body.key, body.question, ", ".join(words)))
        self._answered = True
        lines = list(said_back(tuple(h for h in event.said if h.word in words), dict(body.say_back)))
        if body.confirm:
            lines.append(body.confirm.replace("{answer}", " en ".join(words)))
        if event.care and not self._care_offered:
            self._care_offered = True
            lines.append(self.care.answer_care)
        self._enter(self._index + 1, self._speak_all(lines, now))

    def _crisis(self, now: float) -> None:
        self._interrupt(now)
        self._check = None
        at = self._speak_all([self.care.exercise_stopped, *self.care.crisis_message], now)
        self._finish(at, "crisis")

    def _speak_all(self, sentences: list[str] | tuple[str, ...], at: float) -> float:
        """Queue sentences one after another from ``at``; returns when the last one ends."""
        spoken, end = one_after_another(sentences, at, self.timing, self.script.voice_rate)
        self._pending += spoken
        return end

    # -- words of distress: ask once, gently ---------------------------------
    def _distress(self, now: float) -> None:
        if self._check is not None:
            return
        self._hold(now)
        spoken = self._speak_all(self.care.distress_question, now)
        self._check = YesNoQuestion(None, lapses_at=None)  # held until answered, or "verder"
        self._pending.append(Listen(spoken, YES_NO, spoken + CHECK_LISTEN_SECONDS))

    def _checked(self, yes: bool, now: float) -> None:
        """The answer to "wil je stoppen?": ja stops with a word of support, nee goes on."""
        self._check = None
        if yes:
            self._pending = [Hush(now), StopListening(now)]
            self._finish(self._speak_all(self.care.distress_support, now), "stopped")
        else:
            self._go_on(self.care.distress_go_on, now)

    # -- session commands ------------------------------------------------
    def _interrupt(self, now: float) -> None:
        """Drop the rest of the current unit and silence it (a hush fades, it does not click)."""
        self._pending = [Hush(now), StopListening(now)]
        self._speech_end = min(self._speech_end, now)

    def _cmd_stop(self, now: float) -> None:
        self._interrupt(now)
        self._check = None
        self._finish(now, "stopped")

    def _hold(self, now: float) -> None:
        """Stop what plays and wait for "verder" (already held: just hush)."""
        self._interrupt(now)
        if not self.paused:
            self._pending.append(Paused(now))
            self.paused = True

    def _cmd_pause(self, now: float) -> None:
        if self.paused:
            return
        self._hold(now)
        self._speak(now, self.replies.paused)

    def _cmd_help(self, now: float) -> None:
        """Help pauses the exercise: the commands, the care lines with 113, how to go on."""
        self._check = None
        self._hold(now)
        self._speak_all(self.care.help_exercise, now)

    def _cmd_resume(self, now: float) -> None:
        if not self.paused:
            return
        self._check = None
        self._go_on((self.replies.resumed,), now)

    def _go_on(self, sentences: tuple[str, ...], now: float) -> None:
        """Leave a pause: say ``sentences``, then the interrupted unit again from its start."""
        self.paused = False
        self._pending = [StopListening(now), Resumed(now)]
        self._expand(self._speak_all(sentences, now))

    def _cmd_repeat(self, now: float) -> None:
        if self.paused:
            return
        self._interrupt(now)
        body = self.script.steps[self._index].body
        at = now
        if isinstance(body, (Pause, Chime)) and self._last_spoken:
            at += self._speak(now, self._last_spoken) + SENTENCE_GAP
        self._expand(at)

    def _cmd_skip(self, now: float) -> None:
        self._interrupt(now)
        self._check = None
        if self.paused:
            self.paused = False
            self._pending.append(Resumed(now))
        body = self.script.steps[self._index].body
        if isinstance(body, Ask):
            self._jump(body.answers[body.default], now)
        else:
            self._enter(self._index + 1, now)

    def _cmd_slower(self, now: float) -> None:
        self._change_tempo(+TEMPO_STEP, self.replies.slower, self.replies.slowest, now)

    def _cmd_faster(self, now: float) -> None:
        self._change_tempo(-TEMPO_STEP, self.replies.faster, self.replies.fastest, now)

    def _change_tempo(self, step: float, reply: str, at_limit: str, now: float) -> None:
        """New tempo applies from the next breathing round, pause or silence."""
        tempo = round(min(max(self.tempo + step, TEMPO_RANGE[0]), TEMPO_RANGE[1]), 2)
        changed, self.tempo = tempo != self.tempo, tempo
        self._speak_now(reply if changed else at_limit, now)

    def _cmd_softer(self, now: float) -> None:
        self._change_volume(-VOLUME_STEP, self.replies.softer, now)

    def _cmd_louder(self, now: float) -> None:
        self._change_volume(+VOLUME_STEP, self.replies.louder, now)

    def _change_volume(self, step: float, reply: str, now: float) -> None:
        self.volume = round(min(max(self.volume + step, VOLUME_RANGE[0]), VOLUME_RANGE[1]), 2)
        self._speak_now(reply, now)
        self._pending.insert(0, SetVolume(now, self.volume))

    def _speak_now(self, text: str, now: float) -> None:
        """An acknowledgement, said at once, never over the coach's own voice.

        Over tones and silence it simply plays (what follows waits for it). When a
        sentence is still being said, or one is due before the acknowledgement
        ends, that sentence is cut (the hush fades) and the interrupted unit
        starts again after the acknowledgement, so the cut sentence is repeated.
        While paused it waits for the sentence being said to end.
        """
        speak = Speak(now, text, None, self.script.voice_rate)
        ends = now + self._length(speak) + SENTENCE_GAP
        if self.paused:
            at = self._speech_end + SENTENCE_GAP if now < self._speech_end else now
            self._queue(Speak(at, text, None, speak.rate))
        elif now < self._speech_end or any(isinstance(a, Speak) and a.at < ends for a in self._pending):
            self._interrupt(now)
            self._pending.append(speak)
            self._expand(ends)
        else:
            self._queue(speak)
            # What comes after this unit may open with a sentence: it waits for the acknowledgement.
            if self._unit_end is not None:
                self._unit_end = max(self._unit_end, ends)
            else:
                self._listen_until = max(self._listen_until, ends)

    def _queue(self, action: Action) -> None:
        """Add ``action`` to the pending ones in time order (after those at the same time)."""
        index = next((i for i, a in enumerate(self._pending) if a.at > action.at), len(self._pending))
        self._pending.insert(index, action)


COMMANDS: dict[str, Callable[[Engine, float], None]] = {
    "stop": Engine._cmd_stop, "pause": Engine._cmd_pause, "resume": Engine._cmd_resume,
    "repeat": Engine._cmd_repeat, "slower": Engine._cmd_slower, "faster": Engine._cmd_faster,
    "skip": Engine._cmd_skip, "softer": Engine._cmd_softer, "louder": Engine._cmd_louder,
    "help": Engine._cmd_help,
}
"""Command name -> the engine's handler: every session command of the phrase book
(tested against :data:`~voice_coach.core.phrases.SESSION_COMMANDS`), and help."""


def one_after_another(sentences: Iterable[str], at: float, timing: Timing, rate: float = 1.0) -> tuple[list[Speak], float]:
    """``sentences`` said one after another from ``at``, :data:`SENTENCE_GAP` apart, and
    when the last gap ends."""
    spoken = []
    for sentence in sentences:
        spoken.append(Speak(at, sentence, None, rate))
        at += timing.speech_seconds(sentence, rate) + SENTENCE_GAP
    return spoken, at


def question_of(body: object) -> tuple[tuple[str, ...], bool]:
    """The answer words a step listens for while it asks (none for a step that asks
    nothing), and whether its answer may be any words: a ``record``, or an ``ask``
    with ``other``."""
    if isinstance(body, Ask):
        return tuple(body.answers), body.other is not None
    if isinstance(body, Record):
        return body.answers, True
    return (), False
