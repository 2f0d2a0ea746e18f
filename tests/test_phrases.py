"""The phrase data: every phrasing of CONTENT.md means what it should, and nothing is ambiguous."""

from __future__ import annotations

import pytest

from voice_coach.loader import SAYABLE_PATTERN
from voice_coach.phrases import SESSION_COMMANDS, SLOT, Intent, load_phrases, normalize

BOOK = load_phrases()
TRIGGERS = ["ademoefening", "adem oefening", "vier zeven acht", "check in"]

# The phrasings CONTENT.md names, with the intent each must have.
SESSION = {
    "stop": "stop", "stoppen": "stop", "hou op": "stop",
    "pauze": "pause", "wacht even": "pause",
    "verder": "resume", "ga door": "resume",
    "herhaal": "repeat", "nog een keer": "repeat",
    "langzamer": "slower", "sneller": "faster",
    "overslaan": "skip", "volgende": "skip",
    "zachter": "softer", "harder": "louder",
}


@pytest.mark.parametrize("said,command", SESSION.items())
def test_session_phrasings(said, command):
    assert BOOK.match_session(said) == Intent(command)


@pytest.mark.parametrize("template", ["start {}", "begin {}", "doe de {}"])
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_idle_start_phrasings(template, trigger):
    assert BOOK.match_idle(template.format(trigger), TRIGGERS) == Intent("start", trigger)


@pytest.mark.parametrize("said,intent", [("welke oefeningen zijn er", "list"), ("help", "help"), ("hulp", "help")])
def test_idle_list_and_help(said, intent):
    assert BOOK.match_idle(said, TRIGGERS) == Intent(intent)


def test_idle_ignores_unknown_exercises_and_chatter():
    assert BOOK.match_idle("start de auto", TRIGGERS) is None
    assert BOOK.match_idle("het regent", TRIGGERS) is None


@pytest.mark.parametrize("said,answer", [("ja", "ja"), ("Ja graag!", "ja"), ("nee", "nee"), ("nee, dank je.", "nee"), ("klaar", "klaar")])
def test_answers_win_when_expected(said, answer):
    assert BOOK.match_session(said, ("ja", "nee", "klaar")) == Intent("answer", answer)


def test_answer_words_are_not_answers_when_not_expected():
    assert BOOK.match_session("ja") is None


def test_record_answer_inside_a_sentence():
    assert BOOK.match_session("ik voel vooral verdriet", ("rust", "verdriet")) == Intent("answer", "verdriet")


def test_longest_phrase_wins():
    # "nog een keer" must not be read as a shorter phrase it contains.
    assert BOOK.match_session("nog een keer") == Intent("repeat")


def test_normalize_gives_the_recognizer_form():
    assert normalize("  Start, de ADEM-oefening! ") == "start de adem oefening"


def all_phrases():
    for intent, phrases in BOOK.idle.items():
        yield from ((f"idle.{intent}", p.replace(SLOT, "x")) for p in phrases)
    for command, phrases in BOOK.session.items():
        yield from ((f"session.{command}", p) for p in phrases)
    for word in BOOK.answers:
        yield from ((f"answer.{word}", p) for p in BOOK.answer_phrasings(word))


def test_every_phrase_is_sayable():
    bad = [(owner, p) for owner, p in all_phrases() if not SAYABLE_PATTERN.match(p)]
    assert bad == []


def test_no_phrase_belongs_to_two_intents():
    seen: dict[str, str] = {}
    clashes = []
    for owner, phrase in all_phrases():
        if phrase in seen and seen[phrase] != owner:
            clashes.append((phrase, seen[phrase], owner))
        seen[phrase] = owner
    assert clashes == []


def test_every_session_command_has_phrasings_and_a_handler():
    from voice_coach.engine import Engine

    assert tuple(BOOK.session) == SESSION_COMMANDS
    assert all(hasattr(Engine, f"_cmd_{c}") for c in SESSION_COMMANDS)


def test_grammars_hold_every_phrasing():
    idle = BOOK.idle_grammar(TRIGGERS)
    assert "start adem oefening" in idle and "doe de check in" in idle and "hulp" in idle
    session = BOOK.session_grammar(("ja", "nee"))
    assert {"ja", "ja graag", "nee dank je", "stop", "wacht even"} <= set(session)
