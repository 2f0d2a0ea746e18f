"""Playing an exercise in the terminal: lines appear when they would be spoken,
breathing phases get a progress bar, and typed lines are the spoken replies."""

from __future__ import annotations

import queue
import threading
from typing import TextIO

from .engine import Action, BreathPhase, Listen
from .timeline import PHASE_NAMES, clock_text, describe

BAR_WIDTH = 24


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
        line = describe(action)
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
            f"{PHASE_NAMES[phase.phase]:<12} {done * phase.seconds:4.1f}/{phase.seconds:.1f} s "
            f"round {phase.round}/{phase.rounds}"
        )
        self.out.flush()
        self._bar_drawn = True
        if done >= 1.0:
            self._phase = None

    def _end_bar(self) -> None:
        if self._bar_drawn:
            self.out.write("\n")
            self._bar_drawn = False


def read_lines(source: TextIO, heard: queue.Queue[str]) -> threading.Thread:
    """Feed every line typed on ``source`` into ``heard``, in a daemon thread."""

    def pump() -> None:
        for line in source:
            if line.strip():
                heard.put(line.strip())

    thread = threading.Thread(target=pump, name="typed-replies", daemon=True)
    thread.start()
    return thread
