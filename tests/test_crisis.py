"""Crisis phrasings heard in any sentence, at any moment; look-alikes are not a crisis.

The table is the specification: every phrasing of ../shared/CONTENT.md and the
listening issue, inside longer sentences, in every Unicode form, in every state
of the coach (idle, every step kind, a yes/no question, an open answer).
"""

from __future__ import annotations

import tomllib
import unicodedata
from pathlib import Path

import pytest

from conftest import make_engine
from voice_coach.core.care import CRISIS_FILE, load_care
from voice_coach.core.engine import Crisis, Distress, Finished, Speak
from voice_coach.core.interpret import Interpreter
from voice_coach.core.yes_no import YES_NO as CHECK_ANSWERS

LANGUAGE = Interpreter.load()
CARE = load_care()
CORPUS = tomllib.loads((Path(__file__).parent / "data" / "crisis_corpus.toml").read_text("utf-8"))
CRISIS = CORPUS["crisis"]
NOT_CRISIS = CORPUS["look_alikes"]


def forms(text: str) -> list[str]:
    """The same words as people and recognizers write them: cases, punctuation, Unicode."""
    return [
        text,
        text.upper(),
        f"{text.capitalize()}.",
        f"Eerlijk gezegd, {text}, soms.",
        unicodedata.normalize("NFD", text),
        unicodedata.normalize("NFC", text),
        "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)),
    ]


@pytest.mark.parametrize("said", CRISIS)
def test_every_crisis_phrasing_is_heard_in_every_form(said):
    missed = [form for form in forms(said) if not CARE.is_crisis(form)]
    assert missed == []


@pytest.mark.parametrize("said", NOT_CRISIS)
def test_look_alikes_are_not_a_crisis(said):
    assert [form for form in forms(said) if CARE.is_crisis(form)] == []


# Every state: (expected answers, open answer).
STATES = {
    "breathing, a spoken step, a silence or reflection": ((), False),
    "a yes/no question": (("ja", "nee"), False),
    "an open answer": (("rust", "vermoeidheid", "verdriet"), True),
    "the spoken start check (Wil je ... doen?)": (CHECK_ANSWERS, False),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("said", CRISIS)
def test_crisis_wins_in_every_state_of_an_exercise(said, state):
    expected, open_answer = STATES[state]
    assert LANGUAGE.during(f"ja {said} nee stop", expected, open_answer) == Crisis()


@pytest.mark.parametrize("said", CRISIS)
def test_crisis_is_heard_while_idle(said):
    assert LANGUAGE.idle(f"weet je, {said}", ["ademoefening"]).name == "crisis"


@pytest.mark.parametrize("said", NOT_CRISIS)
def test_look_alikes_do_not_stop_an_exercise(said):
    assert LANGUAGE.during(said, ("rust", "verdriet"), True) != Crisis()


STEPS = {
    "say": {"say": "Voel je voeten."},
    "pause": {"pause": 30},
    "chime": {"chime": "belletje.wav"},
    "breathe": {"breathe": {"in": 4, "out": 6}, "rounds": 5, "cues": {"in": "In", "out": "Uit"}},
    "reflect": {"reflect": "Wat heb je nodig?", "silence": 60},
    "ask": {"ask": "Nog een keer?", "answers": {"ja": "next", "nee": "next"}, "default": "nee"},
    "record": {"record": "Welke emotie is er?", "key": "emotie", "answers": ["rust", "verdriet"]},
}


@pytest.mark.parametrize("kind", STEPS)
def test_every_step_kind_stops_for_a_crisis_and_speaks_the_113_message(kind):
    engine = make_engine(STEPS[kind], {"say": "Einde."})
    engine.start(0.0)
    engine.advance(2.5)
    event = LANGUAGE.hear("ik zie het niet meer zitten", engine)
    actions = engine.handle(event, 2.5) + engine.advance(1000.0)
    spoken = [a.text for a in actions if isinstance(a, Speak)]
    assert spoken == [CARE.exercise_stopped, *CARE.crisis_message]
    assert [a.outcome for a in actions if isinstance(a, Finished)] == ["crisis"]


# -- the corpus is large enough to mean something ------------------------------------


def test_the_corpus_holds_hundreds_of_sentences_each_once():
    assert len(CRISIS) >= 300 and len(NOT_CRISIS) >= 200
    assert len(set(CRISIS)) == len(CRISIS) and len(set(NOT_CRISIS)) == len(NOT_CRISIS)
    assert not set(CRISIS) & set(NOT_CRISIS)


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_no_look_alike_is_a_crisis_in_any_state(state):
    if state == "idle":
        wrong = [p for p in NOT_CRISIS if getattr(LANGUAGE.idle(p, ["ademoefening"]), "name", None) == "crisis"]
    else:
        expected, open_answer = STATES[state]
        wrong = [p for p in NOT_CRISIS if LANGUAGE.during(p, expected, open_answer) == Crisis()]
    assert wrong == []


# -- a crisis is never a command or an answer ---------------------------------------

NEVER_A_COMMAND = [
    "ik wil stoppen met leven",
    "het mag van mij ophouden",
    "ik wil stoppen, met leven bedoel ik",
    "stop maar, ik wil er niet meer zijn",
    "genoeg, ik wil dood",
    "laat maar, ik zie het niet meer zitten",
    "ja, ik wil dood",
    "nee, ik wil niet meer leven",
    "klaar, ik ben klaar met het leven",
    "ik ben moe en ik wil niet meer leven",
    "verder, ik doe mezelf pijn",
    "hulp, ik heb mezelf gesneden",
]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("said", NEVER_A_COMMAND)
def test_a_crisis_sentence_is_never_a_command_or_an_answer(said, state):
    expected, open_answer = STATES[state]
    assert LANGUAGE.during(said, expected, open_answer) == Crisis()


@pytest.mark.parametrize("said", NEVER_A_COMMAND)
def test_a_crisis_sentence_is_never_an_idle_command(said):
    assert LANGUAGE.idle(said, ["ademoefening"]).name == "crisis"


# -- the data file: every grammar example holds its meaning ----------------------------

DATA = tomllib.loads(CRISIS_FILE.read_text("utf-8"))


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_every_spoken_example_of_the_data_is_heard_in_every_state(state):
    examples = DATA["examples"]["crisis"]
    if state == "idle":
        missed = [p for p in examples if LANGUAGE.idle(f"nou {p} echt", ["ademoefening"]).name != "crisis"]
    else:
        expected, open_answer = STATES[state]
        missed = [p for p in examples if LANGUAGE.during(f"nou {p} echt", expected, open_answer) != Crisis()]
    assert missed == [] and len(examples) > 30


def test_every_pattern_of_the_data_meets_a_sentence_of_the_corpus():
    """A pattern that no sentence of the corpus holds is untested: write the sentence."""
    whole = [CARE.utterance(s).text for s in CRISIS]
    texts = [CARE.crisis.without_look_alikes(t) for t in whole]
    unused = [p.source for p in CARE.crisis.patterns if not any(p.search(t) for t in texts)]
    unused += [p.source for p in CARE.crisis.whole if not any(p.search(t) for t in whole)]
    assert unused == [] and CARE.crisis.whole


# -- distress: asked about once; never for what is good news ----------------------------

DISTRESS = CORPUS["distress"]
NOT_DISTRESS = CORPUS["distress_look_alikes"]


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_distress_is_heard_in_every_state(state):
    if state == "idle":
        missed = [s for s in DISTRESS if getattr(LANGUAGE.idle(s, ["ademoefening"]), "name", None) != "distress"]
    else:
        expected, open_answer = STATES[state]
        missed = [s for s in DISTRESS if LANGUAGE.during(s, expected, open_answer) != Distress()]
    assert missed == [] and len(DISTRESS) >= 40


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_everyday_sentences_are_no_distress_in_any_state(state):
    if state == "idle":
        wrong = [s for s in NOT_DISTRESS if getattr(LANGUAGE.idle(s, ["ademoefening"]), "name", None) in ("distress", "crisis")]
    else:
        expected, open_answer = STATES[state]
        wrong = [s for s in NOT_DISTRESS if LANGUAGE.during(s, expected, open_answer) in (Distress(), Crisis())]
    assert wrong == []


def test_every_distress_pattern_meets_a_sentence_of_the_corpus():
    texts = [CARE.distress.without_look_alikes(CARE.utterance(s).text) for s in DISTRESS]
    assert [p.source for p in CARE.distress.patterns if not any(p.search(t) for t in texts)] == []
