"""The exercise script: what a coach writes, as validated, immutable data.

A script is loaded from TOML by :mod:`voice_coach.core.loader`; the engine plays it.
Every duration is in seconds at normal tempo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Reserved jump target of an ``ask`` answer: go on with the following step.
NEXT = "next"

#: The breathing phases, in the order they are breathed.
PHASES = ("in", "hold", "out", "rest")


class StepKind:
    """What every kind of step answers for the code around the engine (prerender, the
    length estimate): no switch on the kind elsewhere."""

    def sentences(self) -> tuple[str, ...]:
        """Every sentence this step can say itself (a clip's sentence too: it is the fallback)."""
        return ()

    def listens_for(self) -> tuple[str, ...]:
        """The answer words it listens for; none: it is no question."""
        return ()

    def quick_answer(self) -> str | None:
        """The answer that moves on at once (for estimating a script's length); None: no question."""
        return None


@dataclass(frozen=True)
class Say(StepKind):
    """Speak one sentence."""

    text: str
    """The Dutch sentence to speak."""
    clip: str | None = None
    """Path of a recorded clip played instead of the synthesized voice (the script names
    the file; the loader finds it beside the script or among the shared sounds)."""
    at_night: str | None = None
    """Said instead of ``text`` at night (see :func:`voice_coach.service.clock.is_night`): a
    closing that lets the person drift off instead of sending them back into the day."""
    without_answers: str | None = None
    """Said instead of ``text`` when no question of this session got an answer (a
    thank-you for answers after three times "weet ik niet" would not be true)."""

    def sentences(self) -> tuple[str, ...]:
        return tuple(line for line in (self.text, self.at_night, self.without_answers) if line)


@dataclass(frozen=True)
class Pause(StepKind):
    """Silence."""

    seconds: float
    """How long the silence lasts; langzamer / sneller scale it."""


@dataclass(frozen=True)
class Chime(StepKind):
    """Play a sound file."""

    sound: str
    """Path of the sound file (found by the loader, like a clip)."""


@dataclass(frozen=True)
class Breathe(StepKind):
    """Paced breathing: a number of rounds of in / hold / out / rest."""

    phases: dict[str, float]
    """Seconds per phase, keyed by the names in :data:`PHASES`; 0 skips a phase."""
    rounds: int
    """How many rounds to breathe."""
    cues: dict[str, str] = field(default_factory=dict)
    """Spoken cue per phase, said at the phase onset (its length is part of the phase)."""
    tones: dict[str, str] = field(default_factory=dict)
    """Path of the sound file per phase, played at the phase onset and cut at the phase end."""
    cue_rounds: int | None = None
    """Speak the cues only in the first N rounds (tones carry the rest); None: every round."""

    def sentences(self) -> tuple[str, ...]:
        return tuple(self.cues.values())


@dataclass(frozen=True)
class Ask(StepKind):
    """A yes/no-style question whose answer decides where the script goes."""

    question: str
    """The question, spoken."""
    answers: dict[str, str]
    """Answer word -> label to go to (or :data:`NEXT`)."""
    default: str
    """The answer assumed when asking twice brought nothing understood."""
    timeout: float = 8.0
    """Seconds to listen after the question before asking once more."""
    retry: str | None = None
    """Spoken instead of the question the second time; None repeats the question."""
    other: str | None = None
    """Label to go to when something else is said (names, in the support circle): any
    words count as an answer, so the question listens openly. None: they are not understood."""

    def sentences(self) -> tuple[str, ...]:
        return tuple(line for line in (self.question, self.retry) if line)

    def listens_for(self) -> tuple[str, ...]:
        return tuple(self.answers)

    def quick_answer(self) -> str | None:
        return self.default


@dataclass(frozen=True)
class Reflect(StepKind):
    """A question to sit with, followed by silence; no answer is expected."""

    question: str
    """The question, spoken."""
    silence: float
    """Seconds of silence after the question; langzamer / sneller scale it."""

    def sentences(self) -> tuple[str, ...]:
        return (self.question,)


@dataclass(frozen=True)
class Record(StepKind):
    """An open question whose short spoken answer is saved to the journal."""

    question: str
    """The question, spoken."""
    key: str
    """Journal field the answer is saved under (e.g. ``emotie``)."""
    answers: tuple[str, ...]
    """The answer words listened for."""
    confirm: str | None = None
    """Said after an answer; ``{answer}`` is replaced by the person's own words."""
    timeout: float = 12.0
    """Seconds to listen after the question before asking once more."""
    retry: str | None = None
    """Spoken instead of the question the second time; None repeats the question."""
    say_back: tuple[tuple[str, str], ...] = ()
    """(form, sentence) pairs: how an answer is said back, by the form of the person's
    words (``adjective``: "Je voelt je {answer}."); before :attr:`confirm`."""

    def sentences(self) -> tuple[str, ...]:
        confirmations = tuple(self.confirm.replace("{answer}", a) for a in self.answers) if self.confirm else ()
        return tuple(line for line in (self.question, self.retry) if line) + confirmations

    def listens_for(self) -> tuple[str, ...]:
        return self.answers

    def quick_answer(self) -> str | None:
        return self.answers[0]


@dataclass(frozen=True)
class Goto(StepKind):
    """Jump to a label, at most ``times`` times (then fall through)."""

    target: str
    """The label to jump to."""
    times: int | None = None
    """How often the jump is taken; None: always (only allowed forward)."""


StepBody = Say | Pause | Chime | Breathe | Ask | Reflect | Record | Goto


@dataclass(frozen=True)
class Step:
    """One step of a script with its optional label."""

    body: StepBody
    """What the step does."""
    label: str | None = None
    """Name that ``goto`` and ``ask`` answers jump to."""

    @property
    def kind(self) -> str:
        """The step kind as written in the script (``say``, ``breathe``, ...)."""
        return KIND_OF[type(self.body)]


KIND_OF: dict[type, str] = {
    Say: "say",
    Pause: "pause",
    Chime: "chime",
    Breathe: "breathe",
    Ask: "ask",
    Reflect: "reflect",
    Record: "record",
    Goto: "goto",
}


@dataclass(frozen=True)
class Script:
    """A whole exercise."""

    id: str
    """Identifier, equal to the file name without ``.toml``."""
    title: str
    """Human title, spoken when the exercise is listed."""
    triggers: tuple[str, ...]
    """Spoken names that start it (after "start", "begin", "doe de")."""
    summary: str
    """One line saying what it is."""
    minutes: float
    """Estimated duration, for the list."""
    steps: tuple[Step, ...]
    """The steps in order."""
    voice_rate: float = 1.0
    """Speed of the voice relative to normal (vier-zeven-acht speaks slower)."""
    source: str = ""
    """Path of the file it was loaded from (for messages)."""
    spoken_name: str | None = None
    """How a spoken question names it ("een ademoefening", for "Wil je een ademoefening
    doen?"); None: the title is said."""

    @property
    def name_to_say(self) -> str:
        """The name that fits inside a spoken sentence: :attr:`spoken_name`, else the title."""
        return self.spoken_name or self.title

    def label_index(self, label: str) -> int:
        """Index of the step carrying ``label``."""
        for index, step in enumerate(self.steps):
            if step.label == label:
                return index
        raise KeyError(label)
