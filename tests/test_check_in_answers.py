"""The check-in through the engine and the real language data: what the person said
is said back in their own words, an answer the coach cannot place is kept as said
(asked once more first), and a need of help is kept as a need with the 113 line
offered once. Pure: typed text, the engine's own clock."""

from __future__ import annotations

from conftest import make_engine
from voice_coach.core.care import load_care
from voice_coach.core.engine import SaveAnswer, Speak
from voice_coach.core.interpret import Interpreter
from voice_coach.core.phrases import load_phrases

LANGUAGE = Interpreter.load()
CARE = load_care()
REPLIES = load_phrases().replies
NEED = {
    "record": "Wat heb je vandaag nodig?",
    "key": "behoefte",
    "answers": ["rust", "contact", "steun", "beweging"],
    "say_back": {"noun": "Je hebt {answer} nodig.", "verb": "Je wilt {answer}."},
    "confirm": "Goed om te weten.",
    "retry": "Bijvoorbeeld rust of iemand spreken.",
    "timeout": 10,
}
FEELING = {
    "record": "Hoe voel je je?",
    "key": "emotie",
    "answers": ["verdriet", "rotgevoel"],
    "say_back": {"adjective": "Je voelt je {answer}.", "noun": "Je voelt {answer}."},
    "timeout": 10,
}


def answer(engine, said: str, at: float) -> list:
    """What the engine does when ``said`` is typed at ``at``, and in the seconds after."""
    return engine.handle(LANGUAGE.hear(said, engine), at) + engine.advance(at + 8.0)


def spoken(actions) -> list[str]:
    """What was said in reply (the next steps' sentences left out)."""
    return [a.text for a in actions if isinstance(a, Speak) and a.text not in ("Einde.", NEED["record"])]


def saved(actions) -> list[SaveAnswer]:
    return [a for a in actions if isinstance(a, SaveAnswer)]


def asked(engine, at: float = 2.0) -> None:
    engine.start(0.0)
    engine.advance(at)


def test_an_answer_is_said_back_in_the_persons_own_word_then_confirmed():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    actions = answer(engine, "ik voel me eigenlijk best rot", 2.0)
    assert spoken(actions) == ["Je voelt je rot."]
    assert saved(actions) == [SaveAnswer(2.0, "emotie", "Hoe voel je je?", "rotgevoel")]


def test_an_adjective_before_a_noun_is_understood_and_said_back_as_it_is_said_alone():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    actions = answer(engine, "een verdrietige dag eigenlijk", 2.0)
    assert spoken(actions) == ["Je voelt je verdrietig."]
    assert saved(actions) == [SaveAnswer(2.0, "emotie", "Hoe voel je je?", "verdriet")]


def test_two_forms_are_said_back_one_sentence_each_and_never_as_the_answer_word():
    engine = make_engine(NEED, {"say": "Einde."})
    asked(engine)
    actions = answer(engine, "rust, en mijn vrienden zien", 2.0)
    assert spoken(actions) == ["Je hebt rust nodig.", "Je wilt je vrienden zien.", "Goed om te weten."]
    assert "contact" not in " ".join(spoken(actions))


def test_an_answer_that_cannot_be_placed_is_asked_once_more_then_kept_as_said():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    first = answer(engine, "alsof ik zweef", 2.0)
    assert saved(first) == [] and spoken(first) == ["Hoe voel je je?"]  # asked once more
    second = answer(engine, "een beetje zweverig en raar", 5.0)
    assert saved(second) == [SaveAnswer(5.0, "emotie", "Hoe voel je je?", "alsof ik zweef / een beetje zweverig en raar", own_words=True)]
    assert spoken(second)[:1] == [REPLIES.own_words]


def test_an_unplaced_answer_then_silence_keeps_the_first_words():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    answer(engine, "alsof ik zweef", 2.0)
    later = engine.advance(100.0)
    assert saved(later) == [SaveAnswer(13.0, "emotie", "Hoe voel je je?", "alsof ik zweef", own_words=True)]


def test_an_unplaced_answer_then_a_clear_one_keeps_only_the_clear_one():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    answer(engine, "alsof ik zweef", 2.0)
    actions = answer(engine, "verdrietig eigenlijk", 5.0)
    assert saved(actions) == [SaveAnswer(5.0, "emotie", "Hoe voel je je?", "verdriet")]


def test_a_need_of_help_is_kept_as_a_need_and_the_113_line_is_offered_once():
    engine = make_engine(NEED, NEED | {"key": "tweede"}, {"say": "Einde."})
    asked(engine)
    first = answer(engine, "ik heb hulp nodig", 2.0)
    assert [a.answer for a in saved(first)] == ["steun"]
    assert spoken(first) == ["Je hebt hulp nodig.", "Goed om te weten.", CARE.answer_care]
    assert "gratis één één drie" in CARE.answer_care
    again = answer(engine, "ik heb hulp nodig", 20.0)
    assert [a.answer for a in saved(again)] == ["steun"] and CARE.answer_care not in spoken(again)


def test_hulp_without_an_answer_in_it_is_still_the_help_command():
    engine = make_engine(NEED, {"say": "Einde."})
    asked(engine)
    actions = answer(engine, "hulp", 2.0)
    assert saved(actions) == [] and spoken(actions)[0] == CARE.help_exercise[0]


def test_unplaced_words_then_no_answer_keeps_the_words_and_says_no_answer_kindly():
    engine = make_engine(FEELING, {"say": "Einde."})
    asked(engine)
    answer(engine, "alsof ik zweef", 2.0)
    actions = answer(engine, "geen idee", 5.0)
    assert saved(actions) == [SaveAnswer(5.0, "emotie", "Hoe voel je je?", "alsof ik zweef", own_words=True)]
    assert spoken(actions)[:1] == [REPLIES.no_answer]
