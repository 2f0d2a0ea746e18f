"""The meaning matcher: its pattern language, room between words, negation,
clause ends, look-alikes, and clear errors for broken data."""

from __future__ import annotations

import re

import pytest

from voice_coach.core.meaning import Grammar, PatternError, compile_pattern, meaning_set
from voice_coach.core.utterance import BREAK, PAUSE, Utterance

GRAMMAR = Grammar(
    {"want": ("wil", "wou", "zou willen"), "die": ("dood", "sterven"), "soft": ("gewoon", "echt"), "me": ("ik", "{want} ik")},
    frozenset({"niet", "nooit"}),
    3,
)
BOUNDARIES = frozenset({"omdat"})


def finds(pattern: str, said: str) -> bool:
    return compile_pattern(pattern, GRAMMAR).search(Utterance.of(said, BOUNDARIES).text) is not None


# (pattern, said, found)
TABLE = [
    ("ik wil dood", "Ik wil DOOD.", True),
    ("ik wil dood", "ik wil doodgaan", False),  # whole words only
    ("zelfmoord*", "zelfmoordgedachten", True),
    ("zelfmoord*", "zelf moord", True),  # a compound heard split into words
    ("zelfmoord*", "zelf moord gedachten", True),
    ("automutilatie", "auto mutilatie", True),
    ("mezelf", "me zelf", True),
    ("mezelf", "m ezelf", False),  # the first and last part at least two letters
    ("mezelf", "mezel f", False),
    ("dood", "do od", False),  # a short word is no compound
    ("zelfmoord", "zelf en moord", False),
    ("zelfmoord", "zelfmoor d", False),
    ("{want} dood", "ik wou dood", True),
    ("{want} dood", "ik zou willen dood", True),  # a class entry of several words
    ("(wil|wou) [gewoon] dood", "wil gewoon dood", True),
    ("(wil|wou) [gewoon] dood", "wil dood", True),
    ("(wil|wou) [gewoon] dood", "wil echt dood", False),
    ("{want} ~ {die}", "ik wil eigenlijk heel graag dood", True),  # three words between
    ("{want} ~ {die}", "ik wil eigenlijk heel erg graag dood", False),  # four is too far
    ("{want} ~ {die}", "ik wil niet dood", False),  # a negation never fits in the room
    ("{want} ~ {die}", "ik wil nooit sterven", False),
    ("{want} ~ {die}", "ik wil, eerlijk gezegd, dood", True),  # commas do not count
    ("{want} ~ {die}", "ik wil het omdat ik dood", False),  # a boundary word ends the clause
    ("{want} ~ {die}", "ik wil. dood", False),  # so does sentence punctuation
    ("ik kan niet meer $", "ik kan niet meer", True),
    ("ik kan niet meer $", "ik kan niet meer, echt", True),  # a comma may end a clause
    ("ik kan niet meer $", "ik kan niet meer omdat het zwaar is", True),
    ("ik kan niet meer $", "ik kan niet meer slapen", False),
    ("{me} dood", "wil ik dood", True),  # a class entry may hold another class
    ("een (eind|einde) aan", "een einde aan", True),
    ("suïcid*", "suicidaal", True),  # folded: no diacritics
    ("m'n leven", "m'n leven", True),  # an apostrophe or a hyphen folds to two words, in both
    ("me-time", "me time", True),
]


@pytest.mark.parametrize("pattern,said,found", TABLE)
def test_the_pattern_language(pattern, said, found):
    assert finds(pattern, said) is found


def test_look_alikes_are_taken_out_first_so_a_real_meaning_beside_one_still_counts():
    meanings = meaning_set({"dying": ["{want} ~ {die}", "ik ~ dood"]}, ["(lach|lachte) me dood", "is dood"], GRAMMAR)
    found = lambda said: meanings.find(Utterance.of(said, BOUNDARIES))
    assert found("ik lachte me dood") is None
    assert found("mijn opa is dood") is None
    assert found("mijn opa is dood en ik wil ook dood").concept == "dying"
    assert found("ik wil dood").pattern == "{want} ~ {die}"
    assert found("ik wil dood").words == "wil dood"


def test_whole_patterns_see_the_look_alike_they_hold_and_the_rest_do_not():
    meanings = meaning_set(
        {"dying": ["ik ~ overleden"]}, ["is (dood|overleden)"], GRAMMAR, {"joining": ["overleden ~~ {want} ~ hem volgen"]}
    )
    found = lambda said: meanings.find(Utterance.of(said, BOUNDARIES))
    assert found("mijn man is overleden en ik wil hem volgen").concept == "joining"
    assert found("ik ben bijna overleden").concept == "dying"
    assert found("ik wil hem volgen") is None
    assert found("mijn man is overleden") is None
    assert meaning_set({"joining": ["overleden ~~ {want}"]}, ["is overleden"], GRAMMAR).find(
        Utterance.of("mijn man is overleden en ik wil", BOUNDARIES)
    ) is None


def test_an_utterance_is_folded_once_with_its_boundaries_and_pauses():
    heard = Utterance.of("Nee, ik wil NIET. Omdat het regent", BOUNDARIES)
    assert heard.words == ("nee", PAUSE, "ik", "wil", "niet", BREAK, BREAK, "het", "regent")
    assert heard.plain == "nee ik wil niet het regent"
    assert Utterance.of("  ").words == ()


BROKEN = [
    ("{nothing} dood", "no word class {nothing}"),
    ("(wil|wou dood", "missing ')'"),
    ("[wil dood", "missing ']'"),
    ("wil) dood", "unexpected ')'"),
    ("(wil||wou) dood", "a choice is empty"),
    ("", "it is empty"),
    ("wil " * 200, "longer than"),
    ("{wil dood", "cannot read"),
    ("* dood", "holds no word"),
    ("[ik] [wil]", "it matches when nothing is said"),
    ("~ $", "it matches when nothing is said"),
]


@pytest.mark.parametrize("pattern,message", BROKEN)
def test_a_broken_pattern_is_refused_with_the_line_quoted(pattern, message):
    with pytest.raises(PatternError, match=re.escape(message)):
        compile_pattern(pattern, GRAMMAR)


def test_a_class_that_holds_itself_is_refused():
    looping = Grammar({"a": ("x", "{b}"), "b": ("{a}",)}, frozenset(), 3)
    with pytest.raises(PatternError, match=r"holds itself \(a -> b -> a\)"):
        compile_pattern("{a}", looping)
