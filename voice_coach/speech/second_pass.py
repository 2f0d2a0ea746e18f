"""A second hearing of an utterance, and running it off the audio thread.

The interface is small so that another, stronger recognizer can be plugged in later (one on a
home server, say): it hears the audio of an utterance and the phrase the grammar made of it,
and says what it heard (:class:`~voice_coach.core.second_opinion.SecondHearing`). The coach's
rule for whether that agrees lives in :mod:`voice_coach.core.second_opinion`.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from typing import Callable, Protocol

from ..core.second_opinion import Question, SecondHearing

log = logging.getLogger(__name__)

STALE_SECONDS = 3.0
"""A command left waiting this long behind others is not heard again, and not done."""
UNHEARD = SecondHearing("", None)
"""The verdict on a command not heard again: it agrees with nothing."""


class SecondPass(Protocol):
    """Hears an utterance again, more carefully than the grammar did."""

    def hear(self, audio: bytes, said: str) -> SecondHearing:
        """``audio``: the utterance (int16 mono at the listener's rate); ``said``: what the
        grammar heard in it, word for word."""


class AtOnce:
    """Runs a :class:`SecondPass` on the caller's thread and answers before :meth:`ask` returns:
    for a recording heard as fast as it is recognized, where the verdicts must come in order."""

    def __init__(self, second_pass: SecondPass, answer: Callable[[Question, SecondHearing | None], None]):
        self.second_pass = second_pass
        self.answer = answer

    def ask(self, audio: bytes, question: Question) -> None:
        self.answer(question, heard_again(self.second_pass, audio, question))


class InTheBackground:
    """Runs a :class:`SecondPass` on a thread of its own, one question at a time, a crisis before
    anything else, and hands each verdict to ``answer`` (the daemon puts it in its inbox). When
    the pass fails, the verdict is None and the first hearing stands (a broken recognizer never
    makes the coach deaf). A command left waiting longer than :data:`STALE_SECONDS` behind others
    is not heard at all, and so not done: an answer that late would answer nothing (a crisis is
    never left waiting: it goes first, and the driver answers it after a few seconds anyway)."""

    def __init__(self, second_pass: SecondPass, answer: Callable[[Question, SecondHearing | None], None]):
        self.second_pass = second_pass
        self.answer = answer
        self._asked: queue.PriorityQueue[tuple[int, int, float, bytes, Question]] = queue.PriorityQueue()
        self._order = itertools.count()
        threading.Thread(target=self._run, name="second pass", daemon=True).start()

    def ask(self, audio: bytes, question: Question) -> None:
        """Hear ``audio`` again for ``question``; the verdict comes through ``answer``."""
        urgency = 0 if question.meaning.name == "crisis" else 1
        self._asked.put((urgency, next(self._order), time.monotonic(), audio, question))

    def _run(self) -> None:
        while True:
            urgency, _, asked, audio, question = self._asked.get()
            if urgency and time.monotonic() - asked > STALE_SECONDS:
                self.answer(question, UNHEARD)
            else:
                self.answer(question, heard_again(self.second_pass, audio, question))


def heard_again(second_pass: SecondPass, audio: bytes, question: Question) -> SecondHearing | None:
    """``second_pass``'s hearing of ``audio`` for ``question``; None (logged) when it fails."""
    try:
        return second_pass.hear(audio, question.words)
    except Exception as err:  # any failure of a plug-in recognizer: the first hearing stands
        log.warning("the second pass failed (%s); acting on the first hearing", type(err).__name__)  # its text may hold the words
        return None
