"""``voice-coach understand``: what the coach makes of a sentence, in a given state.

For coaches writing their own scripts and phrasings: it reads a sentence exactly as
the daemon does (:meth:`Interpreter.read`, then :meth:`Interpreter.event` or
:meth:`Interpreter.idle_intent`) and says in one line what the coach would do,
and which pattern or phrasing made it so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.answers import said_back
from ..core.engine import Answer, Command, Crisis, Distress, NoAnswer, NotUnderstood, question_of
from ..core.interpret import Interpreter, Reading
from ..core.script import Record, Script


@dataclass(frozen=True)
class State:
    """Where the coach is when it hears the sentence."""

    name: str
    """How the state is shown ("idle", "ademoefening", "check-in step 4")."""
    expected: tuple[str, ...] = ()
    """The answer words a question listens for; empty when none is asked."""
    open_answer: bool = False
    """An open question: any words may be the answer."""
    say_back: tuple[tuple[str, str], ...] = ()
    """How the question says answers back."""
    idle: bool = False
    """No exercise runs."""


def idle_state() -> State:
    return State("idle", idle=True)


def exercise_state(script: Script, step: int | None) -> State:
    """During ``script``, at its 1-based ``step`` (its question, if it asks one)."""
    if step is None:
        return State(script.id)
    body = script.steps[step - 1].body
    expected, open_answer = question_of(body)
    asks = f"asks {'an open question' if open_answer else 'for ' + ' / '.join(expected)}" if expected else "asks nothing"
    return State(f"{script.id} step {step}, {script.steps[step - 1].kind}, {asks}", expected, open_answer, body.say_back if isinstance(body, Record) else ())


def understand(language: Interpreter, said: str, state: State, names: dict[str, str]) -> str:
    """One line: what the coach does with ``said`` in ``state`` (``names``: spoken name -> exercise)."""
    reading = language.read(said)
    if state.idle:
        return _idle(reading, language.idle_intent(reading, list(names)), names)
    return _during(reading, language.event(reading, state.expected, state.open_answer), state)


def _found(found) -> str:
    return f'{found.concept.replace("_", " ")}: "{found.words}" (pattern {found.pattern!r})'


def _idle(reading: Reading, intent, names: dict[str, str]) -> str:
    if intent is None:
        return "nothing: the idle coach stays silent"
    if intent.name == "crisis":
        return f"crisis -> the 113 message; {_found(reading.crisis)}"
    if intent.name == "distress":
        return f"distress -> a word of support with 113; {_found(reading.distress)}"
    if intent.name == "start":
        return f"start {names[intent.value]} (heard as {intent.value!r}), after the start check if it is on"
    return {"list": "list -> the exercises are named", "help": "help -> 113 first, then how to start"}[intent.name]


def _during(reading: Reading, event, state: State) -> str:
    if isinstance(event, Crisis):
        return f"crisis -> the exercise stops gently, the 113 message; {_found(reading.crisis)}"
    if isinstance(event, Distress):
        return f"distress -> pause and ask whether to stop (113 on both answers); {_found(reading.distress)}"
    if isinstance(event, Answer):
        words = ", ".join((event.word, *event.also))
        own = "; ".join(f'"{h.said}"' for h in event.said)
        back = " ".join(said_back(event.said, dict(state.say_back)))
        care = "; the 113 line is offered once" if event.care else ""
        return f"answer {words} (said as {own})" + (f'; said back: "{back}"' if back else "") + care
    if isinstance(event, NoAnswer):
        return "no answer -> said kindly, the exercise goes on"
    if isinstance(event, NotUnderstood):
        return "not understood -> asked once more; a second time, kept in the person's own words"
    if isinstance(event, Command):
        return f"command {event.name}"
    return "nothing: the exercise goes on"
