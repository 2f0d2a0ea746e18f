"""Crisis phrasings heard in any sentence, at any moment; look-alikes are not a crisis.

The table is the specification: every phrasing of ../shared/CONTENT.md and the
listening issue, inside longer sentences, in every Unicode form, in every state
of the coach (idle, every step kind, a yes/no question, an open answer).
"""

from __future__ import annotations

import tomllib
import unicodedata

import pytest

from conftest import make_engine
from voice_coach.core.care import CARE_FILE, load_care
from voice_coach.core.templates import expand
from voice_coach.core.engine import Crisis, Finished, Speak
from voice_coach.core.interpret import Interpreter
from voice_coach.service.daemon import CHECK_ANSWERS

LANGUAGE = Interpreter.load()
CARE = load_care()

CRISIS = [
    "het hoeft voor mij niet meer",
    "het hoeft niet meer",
    "ik zie het niet meer zitten",
    "ik zie het echt niet meer zitten",
    "ik wil slapen en niet meer wakker worden",
    "ik hoop dat ik nooit meer wakker word",
    "ik wil dood",
    "ik wil gewoon dood",
    "ik wil doodgaan",
    "ik wil sterven",
    "ik zou dood willen",
    "was ik maar dood",
    "ik ben liever dood",
    "ik wou dat ik dood was",
    "ik wil niet meer leven",
    "ik wil niet langer leven",
    "ik wil er niet meer zijn",
    "ik hoef niet meer te leven",
    "iedereen is beter af zonder mij",
    "ze zijn beter af als ik er niet meer ben",
    "het leven heeft geen zin meer",
    "ik heb geen reden meer om te leven",
    "ik wil er een eind aan maken",
    "ik maak er een einde aan",
    "ik wil een eind aan mijn leven maken",
    "ik wil mijn leven beëindigen",
    "ik wil me van kant maken",
    "ik wil mezelf van kant maken",
    "ik wil mezelf wat aandoen",
    "ik doe mezelf iets aan",
    "ik wil me iets aandoen",
    "ik wil mezelf pijn doen",
    "zelfmoord",
    "ik denk aan zelfmoord",
    "zelfmoordgedachten",
    "zelfdoding",
    "ik ben suïcidaal",
    "suïcide",
    "suicide",
    "suïcidale gedachten",
    "zelfbeschadiging",
    "mijn vader is dood en ik wil ook dood",
    # word order turns round after a word in front: "soms wil ik ..."
    "eerlijk gezegd zie ik het niet meer zitten",
    "soms wil ik gewoon dood",
    "dan wil ik er niet meer zijn",
    "eigenlijk wil ik niet meer leven",
    "soms denk ik aan zelfdoding",
]

NOT_CRISIS = [
    "ik ben doodmoe",
    "ik ben doodop",
    "ik ben doodsbang",
    "ik lachte me dood",
    "ik lach me dood",
    "ik schrok me dood",
    "ik verveel me dood",
    "mijn opa is dood",
    "mijn hond is doodgegaan",
    "mijn moeder is vorig jaar gestorven",
    "ik wil niet dood",
    "ik zou niet dood willen",
    "ik wil leven",
    "het hoeft niet meer te regenen",
    "ik ben moe",
    "rust",
    "verdriet",
    "boosheid",
    "start ademoefening",
    "ik wil stoppen",
]


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


# -- every phrasing and every look-alike of the data, in every state ------------------

DATA = tomllib.loads(CARE_FILE.read_text("utf-8"))
EVERY_PHRASING = sorted({p.replace("*", "en") for t in DATA["crisis"]["phrases"] for p in expand(t)} | set(DATA["crisis"]["stem_words"]))
EVERY_LOOK_ALIKE = sorted({p for t in DATA["crisis"]["exclusions"] for p in expand(t)})


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_every_crisis_phrasing_of_the_data_is_heard_in_every_state(state):
    if state == "idle":
        missed = [p for p in EVERY_PHRASING if LANGUAGE.idle(f"nou {p} echt", ["ademoefening"]).name != "crisis"]
    else:
        expected, open_answer = STATES[state]
        missed = [p for p in EVERY_PHRASING if LANGUAGE.during(f"nou {p} echt", expected, open_answer) != Crisis()]
    assert missed == [] and len(EVERY_PHRASING) > 800


@pytest.mark.parametrize("state", [*STATES, "idle"])
def test_no_look_alike_of_the_data_is_a_crisis_in_any_state(state):
    if state == "idle":
        wrong = [p for p in EVERY_LOOK_ALIKE if getattr(LANGUAGE.idle(p, ["ademoefening"]), "name", None) == "crisis"]
    else:
        expected, open_answer = STATES[state]
        wrong = [p for p in EVERY_LOOK_ALIKE if LANGUAGE.during(p, expected, open_answer) == Crisis()]
    assert wrong == [] and len(EVERY_LOOK_ALIKE) > 50
