"""The journal's side of the coach's actions: sessions opened and closed, answers kept,
a crisis marked at once. A journal that cannot be written is logged and the exercise
goes on; what the coach then says of saving stays true."""

from __future__ import annotations

import logging
from typing import Callable, TypeVar

from ..core.coach import CrisisHeard, ExerciseEnded, ExerciseStarted
from ..core.engine import SaveAnswer
from .journal import Journal, JournalError

log = logging.getLogger(__name__)

NO_EXERCISE = "-"
"""The journal's exercise for a crisis heard while no exercise ran."""

Result = TypeVar("Result")


class JournalKeeper:
    """Keeps what the coach decides to keep in ``journal`` (None: it could not be opened)."""

    def __init__(self, journal: Journal | None):
        self.journal = journal
        self.session_id: int | None = None
        """The journal's session of the running exercise (None: none, or not kept)."""

    def started(self, action: ExerciseStarted) -> None:
        self.session_id = self._write(lambda j: j.start(action.script_id))

    def ended(self, action: ExerciseEnded) -> None:
        if self.session_id is not None:
            self._write(lambda j: j.finish(self.session_id, action.outcome))
        self.session_id = None

    def crisis(self, action: CrisisHeard) -> None:
        """Mark a crisis at once, not after the message."""
        if not action.in_exercise:
            self._write(lambda j: j.finish(j.start(NO_EXERCISE), "crisis"))
        elif self.session_id is not None:
            self._write(lambda j: j.finish(self.session_id, "crisis"))

    def keep(self, answer: SaveAnswer) -> bool:
        """Write ``answer``; True only when it is there."""
        kept = self.session_id is not None and bool(self._write(
            lambda j: j.record(self.session_id, answer.key, answer.question, answer.answer, answer.own_words) or True
        ))
        log.info("%s answer %s: %s", "kept" if kept else "could NOT keep", answer.key, answer.answer)  # INFO: private
        return kept

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()

    def _write(self, write: Callable[[Journal], Result]) -> Result | None:
        if self.journal is None:
            return None
        try:
            return write(self.journal)
        except JournalError as err:
            log.error("%s; the exercise goes on", err)
            return None
