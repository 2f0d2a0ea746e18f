"""Playing an exercise in the terminal: lines appear when they would be spoken,
breathing phases get a progress bar, and typed lines are the spoken replies.

What the person sees during an exercise is Dutch, like what they hear (the log
and ``show``, for whoever maintains the coach, stay English).
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from typing import TextIO

from ..core.engine import (
    Action, BreathPhase, Finished, Hush, Listen, Paused, Resumed, SaveAnswer, SetVolume, Silence, Speak, StepStarted,
)
from ..core.timeline import clock_text

BAR_WIDTH = 24
PROMPT = "  › "
"""Ends the breathing bar, so what the person types stands after it, not glued to it."""
PHASES = {"in": "adem in", "hold": "vasthouden", "out": "adem uit", "rest": "wachten"}
ENDINGS = {"completed": "afgerond", "stopped": "gestopt", "crisis": "gestopt", "paused": "gepauzeerd"}
HINT = "Zeg bijvoorbeeld: pauze, verder, herhaal, langzamer of stop."
MAX_UTTERANCE = 1000
"""Characters of a typed line that are heard; the rest of a longer line is dropped. Nobody
says this much at once, and every character costs the interpreter time."""
MAX_WAITING = 100
"""Typed lines that may wait unheard; more are dropped, so a flood cannot bury a stop."""

log = logging.getLogger(__name__)


def shown(action: Action) -> str | None:
    """The line the person sees for ``action`` (Dutch); None for what shows nothing."""
    match action:
        case Speak(text=text):
            return f'"{text}"'
        case BreathPhase(phase=phase, seconds=seconds, round=number, rounds=rounds):
            return f"~ {PHASES[phase]} {seconds:.1f} s  (ronde {number}/{rounds})"
        case Silence(seconds=seconds):
            return f"… stilte, {seconds:.0f} s"
        case Listen(answers=answers, open_answer=open_answer):
            if open_answer:
                return "? ik luister naar je antwoord, in je eigen woorden"
            return "? ik luister: " + " / ".join(answers) if answers else None
        case SaveAnswer(key=key, answer=answer):
            return f"✎ {key}: {answer}"
        case SetVolume(level=level):
            return f"volume {level:.0%}"
        case Paused():
            return "(pauze: zeg 'verder' om door te gaan)"
        case Resumed():
            return "(we gaan verder)"
        case Finished(outcome=outcome):
            return f"(einde: {ENDINGS[outcome]})"
    return None


class TerminalPlayer:
    """Shows actions as they happen; on a terminal, redraws the breathing bar."""

    def __init__(self, out: TextIO, live: bool, scripted: list[str], heard: queue.Queue[str]):
        self.out = out
        self.live = live
        """True on a terminal: draw the progress bar in place."""
        self.scripted = scripted
        """Replies given up front, each typed in for the next question."""
        self.heard = heard
        self._phase: BreathPhase | None = None
        self._bar_drawn = False

    def perform(self, action: Action) -> None:
        if isinstance(action, (StepStarted, Hush, Paused, Finished)):
            self._phase = None  # a skipped or stopped round's bar must not run on
        line = shown(action)
        if line is None:
            return
        if isinstance(action, BreathPhase):
            self._phase = action
            if self.live:
                return  # the bar shows it
        self._end_bar()
        self.out.write(f"{clock_text(action.at):>8}  {line}\n")
        if isinstance(action, Listen) and self.scripted:
            reply = self.scripted.pop(0)
            self.out.write(f"{'':>8}  > {reply}\n")
            self.heard.put(reply)
        self.out.flush()

    def refresh(self, now: float) -> None:
        """Redraw the breathing bar for time ``now``."""
        phase = self._phase
        if not self.live or phase is None:
            return
        done = min(max(now - phase.at, 0.0) / phase.seconds, 1.0)
        filled = round(done * BAR_WIDTH)
        self.out.write(
            f"\r{clock_text(now):>8}  [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
            f"{PHASES[phase.phase]:<10} {done * phase.seconds:4.1f}/{phase.seconds:4.1f} s "
            f"ronde {phase.round:>2}/{phase.rounds:<2}{PROMPT}"
        )
        self.out.flush()
        self._bar_drawn = True
        if done >= 1.0:
            self._phase = None

    def not_understood(self, said: str) -> None:
        """Feedback for typed words that mean nothing now."""
        self._end_bar()
        self.out.write(f"{'':>8}  (niet begrepen: {said!r}. {HINT})\n")
        self.out.flush()

    def _end_bar(self) -> None:
        if self._bar_drawn:
            self.out.write("\n")
            self._bar_drawn = False


def read_lines(source: TextIO, heard: queue.Queue[str]) -> threading.Thread:
    """Feed every line typed on ``source`` into ``heard``, in a daemon thread. Bytes that are
    not UTF-8 become U+FFFD instead of ending the reader; a line is cut at
    :data:`MAX_UTTERANCE` characters (read in pieces, never whole in memory); a line that
    finds :data:`MAX_WAITING` others waiting is dropped."""
    if isinstance(source, io.TextIOWrapper):
        source.reconfigure(errors="replace")

    def pump() -> None:
        dropped = 0
        while line := _bounded_line(source):
            if not line.strip():
                continue
            if heard.qsize() >= MAX_WAITING:
                dropped += 1
                if dropped == 1:
                    log.warning("typed lines come faster than they are heard; dropping them while %d wait", MAX_WAITING)
                continue
            dropped = 0
            heard.put(line.strip())

    thread = threading.Thread(target=pump, name="typed-replies", daemon=True)
    thread.start()
    return thread


def _bounded_line(source: TextIO) -> str:
    """The next line of ``source`` (with its newline), at most :data:`MAX_UTTERANCE`
    characters of it; "" at the end."""
    line = source.readline(MAX_UTTERANCE + 1)
    if len(line) <= MAX_UTTERANCE or line.endswith("\n"):
        return line
    while (rest := source.readline(MAX_UTTERANCE)) and not rest.endswith("\n"):
        pass  # the rest of an overlong line is not heard
    return line[:MAX_UTTERANCE] + "\n"
