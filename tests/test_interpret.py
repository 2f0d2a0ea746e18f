"""What a whole utterance means, in every state: crisis first, then help, then
words of distress, then an expected answer, then a command."""

from __future__ import annotations

import pytest

from voice_coach.core.engine import Answer, Command, Crisis, Distress, NoAnswer, NotUnderstood
from voice_coach.core.interpret import Interpreter
from voice_coach.core.phrases import Intent
from voice_coach.core.yes_no import YES_NO as CHECK_ANSWERS

LANGUAGE = Interpreter.load()
YES_NO = ("ja", "nee")
FEELINGS = ("vermoeidheid", "spanning", "rust", "verdriet")

# (said, expected answers, open answer, event)
DURING = [
    ("stop", (), False, Command("stop")),
    ("ik wil stoppen", FEELINGS, True, Command("stop")),
    ("hulp", (), False, Command("help")),
    ("help", YES_NO, False, Command("help")),
    ("hulp", FEELINGS, True, Command("help")),
    ("ik weet het niet, help me", FEELINGS, True, Command("help")),
    ("ik kan niet meer", (), False, Distress()),
    ("ik wil niet meer", YES_NO, False, Distress()),
    ("ik kan het niet meer", FEELINGS, True, Distress()),
    ("ik wil niet meer leven", FEELINGS, True, Crisis()),
    ("ik ben moe", FEELINGS, True, Answer("vermoeidheid")),
    ("moe en gespannen", FEELINGS, True, Answer("vermoeidheid", ("spanning",))),
    ("geen idee", FEELINGS, True, NoAnswer()),
    ("weet ik niet", FEELINGS, True, NoAnswer()),
    ("niks", FEELINGS, True, NoAnswer()),
    ("weet ik niet", YES_NO, False, NotUnderstood()),  # a yes/no question asks again, then takes its default
    ("sla maar over", FEELINGS, True, NoAnswer()),
    ("sla maar over", (), False, Command("skip")),
    ("nog een keer", YES_NO, False, Answer("ja")),
    ("nog een keer", (), False, Command("repeat")),
    ("genoeg zo", YES_NO, False, Answer("nee")),
    ("genoeg", (), False, Command("stop")),
    ("het regent", FEELINGS, True, NotUnderstood()),
    ("het regent", (), False, None),
    ("pauze", FEELINGS, True, Command("pause")),
    ("wacht even, ik ben moe", FEELINGS, True, Answer("vermoeidheid")),
]


@pytest.mark.parametrize("said,expected,open_answer,event", DURING)
def test_during_an_exercise(said, expected, open_answer, event):
    assert LANGUAGE.during(said, expected, open_answer) == event


IDLE = [
    ("start ademoefening", Intent("start", "ademoefening")),
    ("ademoefening", Intent("start", "ademoefening")),
    ("welke oefeningen zijn er", Intent("list")),
    ("hulp", Intent("help")),
    ("ik zie het niet meer zitten", Intent("crisis")),
    ("ik kan niet meer", Intent("distress")),
    ("ik lachte me dood", None),
    ("stop", None),
]


@pytest.mark.parametrize("said,intent", IDLE)
def test_while_idle(said, intent):
    assert LANGUAGE.idle(said, ["ademoefening"]) == intent


def test_every_grammar_holds_the_crisis_phrasings():
    for listening in (
        LANGUAGE.idle_listening(["ademoefening"]),
        LANGUAGE.session_listening(),
        LANGUAGE.session_listening(YES_NO),
        LANGUAGE.session_listening(FEELINGS, open_answer=True),
        LANGUAGE.session_listening(CHECK_ANSWERS),  # the daemon's spoken start check
    ):
        assert {"ik wil dood", "ik zie het niet meer zitten", "zelfmoord", "ik kan niet meer"} <= set(listening.phrases)


def test_an_open_question_asks_for_free_listening_with_the_answer_phrasings_as_its_grammar():
    listening = LANGUAGE.session_listening(FEELINGS, open_answer=True)
    assert listening.open_answer
    assert {"moe", "gespannen", "rustig", "stop", "hulp"} <= set(listening.phrases)
    assert not LANGUAGE.session_listening(YES_NO).open_answer
