"""Answers in the person's own words: found inside a sentence, negations respected,
"geen idee" meaning no answer. The table is the specification."""

from __future__ import annotations

import pytest

from voice_coach.core.answers import load_answers
from voice_coach.core.library import load_library
from voice_coach.core.loader import SAYABLE_PATTERN
from voice_coach.core.utterance import Utterance
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.core.script import Record

BOOK = load_answers()
LIBRARY = load_library([SCRIPTS_DIR], AUDIO_DIR)
RECORDS = {s.body.key: s.body.answers for script in LIBRARY.scripts.values() for s in script.steps if isinstance(s.body, Record)}
BODY, EMOTION, NEED = RECORDS["lichaam"], RECORDS["emotie"], RECORDS["behoefte"]

# (what was said, the answers listened for, what must be found)
TABLE = [
    ("moe", BODY, ("vermoeidheid",)),
    ("ik ben moe", BODY, ("vermoeidheid",)),
    ("Ik ben echt heel erg moe vandaag.", BODY, ("vermoeidheid",)),
    ("uitgeput", BODY, ("vermoeidheid",)),
    ("gespannen", BODY, ("spanning",)),
    ("mijn schouders zijn gespannen", BODY, ("spanning",)),
    ("ik ben moe en gespannen", BODY, ("vermoeidheid", "spanning")),
    ("ik ben niet moe maar wel gespannen", BODY, ("spanning",)),
    ("ik heb geen pijn", BODY, ()),
    ("pijn in mijn hoofd", BODY, ("hoofdpijn",)),
    ("mijn buik doet pijn", BODY, ("buikpijn",)),
    ("rustig", BODY, ("rust",)),
    ("misselijk", BODY, ("misselijkheid",)),
    ("het is warm", BODY, ("warmte",)),
    ("bang", EMOTION, ("angst",)),
    ("ik ben bang", EMOTION, ("angst",)),
    ("verdrietig", EMOTION, ("verdriet",)),
    ("ik voel me verdrietig en eenzaam", EMOTION, ("verdriet", "eenzaamheid")),
    ("leeg", EMOTION, ("leegte",)),
    ("boos", EMOTION, ("boosheid",)),
    ("ik ben kwaad", EMOTION, ("boosheid",)),
    ("blij", EMOTION, ("blijdschap",)),
    ("ik schaam me", EMOTION, ("schaamte",)),
    ("ik voel me schuldig", EMOTION, ("schuldgevoel",)),
    ("somber", EMOTION, ("somberheid",)),
    ("ik ben opgelucht", EMOTION, ("opluchting",)),
    ("ik voel me zo alleen", EMOTION, ("eenzaamheid",)),
    ("dankbaar", EMOTION, ("dankbaarheid",)),
    ("ik moet huilen", EMOTION, ("verdriet",)),
    ("rust", NEED, ("rust",)),
    ("ik wil gewoon even niks", NEED, ("rust",)),
    ("ik wil wandelen", NEED, ("beweging",)),
    ("iemand spreken", NEED, ("contact",)),
    ("slapen", NEED, ("slaap",)),
    ("een knuffel", NEED, ("troost",)),
    ("naar buiten", NEED, ("buitenlucht",)),
    ("tijd voor mezelf", NEED, ("ruimte",)),
    ("lief zijn voor mezelf", NEED, ("zachtheid",)),
    ("nee zeggen", NEED, ("grenzen",)),
    ("ja", ("ja", "nee"), ("ja",)),
    ("Ja graag!", ("ja", "nee"), ("ja",)),
    ("oké", ("ja", "nee"), ("ja",)),
    ("is goed", ("ja", "nee"), ("ja",)),
    ("prima", ("ja", "nee"), ("ja",)),
    ("doe maar", ("ja", "nee"), ("ja",)),
    ("zeker", ("ja", "nee"), ("ja",)),
    ("nog een keer", ("ja", "nee"), ("ja",)),
    ("nee", ("ja", "nee"), ("nee",)),
    ("nee, dank je.", ("ja", "nee"), ("nee",)),
    ("nee bedankt", ("ja", "nee"), ("nee",)),
    ("hoeft niet", ("ja", "nee"), ("nee",)),
    ("nu niet", ("ja", "nee"), ("nee",)),
    ("genoeg zo", ("ja", "nee"), ("nee",)),
    ("liever niet", ("ja", "nee"), ("nee",)),
    ("klaar", ("klaar",), ("klaar",)),
    ("ik ben zover", ("klaar",), ("klaar",)),
    ("moe", ("ja", "nee"), ()),  # only the words listened for count
    ("ja", BODY, ()),
]


@pytest.mark.parametrize("said,expected,found", TABLE)
def test_answers_in_their_own_words(said, expected, found):
    assert BOOK.find(Utterance.of(said), tuple(expected)) == found


NONE = ["niks", "niets", "weet ik niet", "ik weet het niet", "geen idee", "dat weet ik niet", "moeilijk te zeggen", "ik weet het echt niet"]


@pytest.mark.parametrize("said", NONE)
def test_no_answer_is_an_answer_too(said):
    assert BOOK.means_none(Utterance.of(said))
    assert BOOK.find(Utterance.of(said), (*BODY, *EMOTION, *NEED)) == ()


@pytest.mark.parametrize("said", ["moe", "ik ben bang", "rust graag"])
def test_an_answer_is_not_no_answer(said):
    assert not BOOK.means_none(Utterance.of(said))


def test_every_check_in_answer_has_everyday_phrasings():
    bare = [w for words in RECORDS.values() for w in words if len(BOOK.phrasings_of(w)) < 2]
    assert bare == []


def test_no_phrasing_belongs_to_two_answer_words():
    owner: dict[tuple[str, ...], str] = {}
    clashes = []
    for word in BOOK.phrasings:
        for phrasing in BOOK.phrasings_of(word):
            if owner.setdefault(phrasing, word) != word:
                clashes.append((phrasing, owner[phrasing], word))
    assert clashes == []


def test_every_phrasing_is_sayable():
    bad = [p for word in BOOK.spoken for p in BOOK.spoken[word] if not SAYABLE_PATTERN.match(p)]
    assert bad == []


def test_the_grammar_holds_every_phrasing_of_the_words_asked_for():
    grammar = BOOK.grammar(("vermoeidheid", "rust"))
    assert {"vermoeidheid", "moe", "ik ben zo moe" if False else "uitgeput", "rustig"} <= set(grammar)
    assert "bang" not in grammar
