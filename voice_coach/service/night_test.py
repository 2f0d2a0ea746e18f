"""`voice-coach night-test`: listen as the idle coach does, for a night, and act on
nothing; log what it would have done, with confidence and time, then sum it up and say
how to tune. So a person measures false starts in their own bedroom, with their model.

It is the daemon's own coach on the daemon's driver, with the listener it would have,
only the actions are logged instead of carried out: what it hears is read exactly as
the daemon reads it, and it listens for what the coach says to listen for."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
import time
import wave
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..audio.sound import SoundError, open_wav
from ..core.coach import Coach, CoachAction, CoachSettings, ExerciseStarted, ListenFor, StartAsked, Understood
from ..core.driver import Driver, Heard
from ..core.phrases import Intent
from ..core.second_opinion import Question, SecondHearing, TurnedDown
from ..core.engine import EstimatedTiming
from ..core.interpret import Interpreter
from ..core.library import Library
from ..speech.listener import Listener
from ..speech.model_second_pass import ModelSecondPass
from ..speech.second_pass import AtOnce, InTheBackground

TARGET_PER_HOUR = 0.1
"""At most one false start in ten hours."""
THRESHOLDS = (0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
"""Confidence thresholds the summary tries for the starts it logged."""
ADVICE_HOURS = 6.0
"""Audio to have listened to, most of a night, before saying that asking only at night is safe."""
RECORDING_HINT = "record a night as 16-bit PCM, e.g. arecord -f S16_LE -r 16000 night.wav"


@dataclass(frozen=True)
class Recording:
    """A recorded night, checked and open for reading."""

    wav: wave.Wave_read
    """The reader, at the first frame."""
    rate: int
    """Frames a second."""
    channels: int
    """1 or 2."""
    seconds: float
    """Its length."""


@contextlib.contextmanager
def open_recording(path: Path) -> Iterator[Recording]:
    """The recording at ``path``, checked as every WAV file is (:func:`~voice_coach.audio.sound.open_wav`:
    a FIFO refused, not waited on; 16-bit PCM, mono or stereo, a sane rate, a header that
    fits the file) and holding audio; SoundError, naming it, otherwise."""
    with open_wav(path) as (wav, frames):
        if frames == 0:
            raise SoundError(f"{path}: holds no audio; {RECORDING_HINT}")
        yield Recording(wav, wav.getframerate(), wav.getnchannels(), frames / wav.getframerate())


@dataclass(frozen=True)
class WouldDo:
    """One thing the coach would have done."""

    at: str
    """When it was heard: the time of day, or the place in a recording."""
    intent: str
    """start, list, help, crisis or distress."""
    exercise: str | None
    """For a start: the exercise."""
    heard: str
    """What the recognizer heard in that breath."""
    confidence: float | None
    """The lowest word confidence; None when no word carried one."""
    second: SecondHearing | None = None
    """What the second pass heard (None: there was none)."""
    turned_down: bool = False
    """The second pass disagreed: it would not have been done."""

    def __str__(self) -> str:
        what = {"start": f"would start {self.exercise}", "asked": f"would ask about {self.exercise}"}.get(self.intent, f"would answer {self.intent}")
        if self.turned_down:
            what = f"turned down by the second pass: {what}"
        confidence = "no confidence" if self.confidence is None else f"confidence {self.confidence:.2f}"
        second = ""
        if self.second is not None:
            shortfall = "" if self.second.shortfall is None else f", shortfall {self.second.shortfall:.1f}"
            second = f"; second pass heard {self.second.transcript!r}{shortfall}"
        return f"{self.at}  {what}  (heard {self.heard!r}, {confidence}{second})"


LOGGED = ("list", "help", "crisis", "distress")
"""What the idle coach answers that is logged as it is understood (a start: once it starts)."""


@dataclass
class NightTest:
    """The idle coach of the daemon, with a log instead of actions. By default it never asks
    before a start (``start_check = "never"``): each start it logs is one the check would have
    to catch. An exercise is stopped as soon as it starts, so it goes on listening idle."""

    language: Interpreter
    """The phrases, as the daemon has them."""
    library: Library
    """The exercises whose names start them."""
    report: Callable[[WouldDo], None]
    """Called with each thing it would have done, as it happens."""
    logged: list[WouldDo] = field(default_factory=list)
    """Everything it would have done."""
    listener: Listener | None = None
    """The listener, once :meth:`listen_with` made it."""
    position: float | None = None
    """Seconds into the recording being fed; None while listening live."""
    settings: CoachSettings = CoachSettings(start_check="never")
    """How the coach decides (the bench asks before starts, as shipped, and logs each question)."""
    second_pass: bool = True
    """Hear again what a grammar heard before acting, as the daemon does by default."""

    def __post_init__(self) -> None:
        self.coach = Coach(self.language, self.library, EstimatedTiming(), self.settings)
        self.driver = Driver(self.coach, self, self._log)
        self._heard = Heard("")
        self._second: SecondHearing | None = None
        self._lock = threading.RLock()  # live, the microphone's thread and the second pass's both drive the coach

    def listen_with(self, make_listener: Callable[["NightTest"], Listener]) -> Listener:
        """Make the listener (with this test as its sink); the coach then says what to listen for."""
        self.listener = make_listener(self)
        if self.second_pass:
            hearing = ModelSecondPass(self.listener.model, self.listener.rate)
            # a recording: heard again at once, in order; live: off the microphone's thread
            self.driver.second_pass = (AtOnce if self.listener.mic is None else InTheBackground)(hearing, self._judge).ask
        self.listener.prepare(self.coach.listenings())
        self.driver.start()
        return self.listener

    def _judge(self, question: Question, hearing: SecondHearing | None) -> None:
        """The second pass's verdict (on the second pass's thread, live)."""
        with self._lock:
            self._second = hearing
            self.driver.second_opinion(question, hearing)
            self._second = None

    def now(self) -> float:
        """The coach's time: the place in the recording, or the monotonic clock live."""
        return time.monotonic() if self.position is None else self.position

    def real_seconds(self, coach_seconds: float) -> float:
        return coach_seconds

    def put(self, text: str) -> None:
        """The listener's sink, called on its audio thread just after recognition."""
        with self._lock:
            self._heard = self.listener.as_heard(text) if self.listener else Heard(text, None)
            self.driver.hear(self._heard)
            if self.coach.state == "exercise":
                self.driver.stop()

    def _log(self, action: CoachAction) -> None:
        """Carry out nothing but the listening; log what the coach would have done."""
        match action:
            case ListenFor(listening=listening) if self.listener is not None:
                self.listener.listen_for(listening)
            case Understood(idle=True, meaning=intent) if intent in LOGGED:
                self._would(intent, None)
            case ExerciseStarted(script_id=script_id):
                self._would("start", script_id)
            case StartAsked(script_id=script_id):
                self._would("asked", script_id)
            case TurnedDown(meaning=Intent(name="start", value=name)):
                self._would("asked", self.language.spoken_names(self.library)[name], turned_down=True)
            case TurnedDown(meaning=meaning):
                self._would(meaning.name, None, turned_down=True)

    def _would(self, intent: str, exercise: str | None, turned_down: bool = False) -> None:
        at = f"{datetime.now():%H:%M:%S}" if self.position is None else _clock(self.position)
        said = " ".join(filter(None, (self._heard.continues, self._heard.text)))  # the whole breath
        done = WouldDo(at, intent, exercise, said, self._heard.confidence, self._second, turned_down)
        self.logged.append(done)
        self.report(done)

    def feed_recording(self, recording: Recording) -> None:
        """A recorded night (at the listener's rate), fed in blocks of a tenth of a second as
        fast as it is recognized, never whole in memory; a partial last frame is left out."""
        frame_bytes = 2 * recording.channels
        fed = 0
        while frames := recording.wav.readframes(recording.rate // 10):
            whole = frames[: len(frames) - len(frames) % frame_bytes]
            if not whole:
                break
            samples = np.frombuffer(whole, dtype="<i2").reshape(-1, recording.channels).mean(axis=1).astype("<i2")
            self.feed(samples, fed / recording.rate)
            fed += len(samples)

    def feed(self, samples: np.ndarray, position: float) -> None:
        """Recorded int16 mono samples that start ``position`` seconds in; what comes due
        meanwhile (a start check lapsing) is done on the same thread."""
        self.position = position
        self.listener.feed(samples, position)
        self.driver.tick()

    def summary(self, hours: float) -> list[str]:
        """What it would have done per hour, and how to tune the coach."""
        done = [d for d in self.logged if not d.turned_down]
        starts = [d for d in done if d.intent == "start"]
        lines = [f"Listened {hours:.2f} h. Exercises it would have started: {len(starts)} ({_rate(len(starts), hours)})."]
        for intent, count in sorted(Counter(d.intent for d in done if d.intent != "start").items()):
            lines.append(f"Times it would have answered {intent}: {count} ({_rate(count, hours)}).")
        for intent, count in sorted(Counter(d.intent for d in self.logged if d.turned_down).items()):
            what = "a start" if intent == "asked" else intent
            lines.append(f"Times the second pass turned down {what}: {count} ({_rate(count, hours)}).")
        if not starts:
            if hours < ADVICE_HOURS:
                lines.append(
                    f"Too little audio heard to tell whether start_check = \"night\" (ask only at night) is safe: "
                    f"listen to at least {ADVICE_HOURS:g} hours of a night."
                )
            else:
                lines.append('No false start: start_check = "night" (ask only at night) is safe here.')
            return lines
        lines.append("Starts left at a higher confidence threshold: " + ", ".join(
            f"{t:.2f}: {sum(d.confidence is not None and d.confidence >= t for d in starts)}" for t in THRESHOLDS
        ))
        if len(starts) / max(hours, 1e-9) > TARGET_PER_HOUR:
            lines.append(
                'More than one false start in ten hours: keep start_check = "always" in the config (the coach asks '
                '"Wil je ... doen?" and starts only on "ja"), so a false start costs one soft question and no exercise.'
            )
        else:
            lines.append('Fewer than one false start in ten hours: start_check = "night" would be safe here.')
        confident = [t for t in THRESHOLDS if sum(d.confidence is not None and d.confidence >= t for d in starts) / max(hours, 1e-9) <= TARGET_PER_HOUR]
        if confident:
            lines.append(
                f"With start_confidence = {confident[0]:.2f} in the config, the coach would have asked first about every one "
                "of these (and started the rest at once); check that your own spoken starts still start without a question."
            )
        else:
            lines.append("No confidence threshold up to 1.00 would have caught these: rely on start_check.")
        return lines


def _clock(seconds: float) -> str:
    """``h:mm:ss`` into a recording."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def _rate(count: int, hours: float) -> str:
    return f"{count / hours:.2f} per hour" if hours > 0 else "no time listened"
