"""The learned second look at crisis sentences: its features, the shipped model as data (loaded,
validated, rebuilt from the corpus), and what it adds to what the coach understands: words
that may be distress (asked about once, with the 113 line), never the crisis message, never
over a pattern or a look-alike."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from conftest import REPO
from daemon_harness import KOREAN
from voice_coach.core.care import MODEL_FILE_NAME, load_care
from voice_coach.core.crisis_model import MIN_WORDS, CrisisModel, features, load_crisis_model
from voice_coach.core.engine import Crisis, Distress
from voice_coach.core.interpret import Interpreter
from voice_coach.core.tomlfile import TomlFileError
from voice_coach.paths import DATA_DIR

LANGUAGE = Interpreter.load()
MODEL = LANGUAGE.care.model

# Sentences of independent writers that no pattern holds and the model does (held out: never
# in the corpus it was trained on).
CAUGHT = [
    "ik geef al mijn spullen weg want straks heb ik ze toch niet meer nodig",
    "ik stop met mijn insuline want dan is het snel voorbij",
    "ik sta hier aan de kaai van de schelde en ik ga erin springen",
]


def test_features_are_folded_words_pairs_and_letter_groups():
    found = features("Ik wíl")
    assert {"w:ik", "w:wil", "b:ik_wil", "c:<ik", "c:<ik>", "c:wil>", "c:<wil>"} <= found
    assert features("ÉÉN") == features("een") and features("") == set()


def test_the_shipped_model_loads_and_scores_between_0_and_1():
    assert MODEL is not None and 0 < MODEL.threshold < 1 and len(MODEL.weights) > 1000
    for text in ("ik wil dood", "goedemorgen", "x" * 10_000, "ik " * 500):
        assert 0.0 <= MODEL.score(text) <= 1.0


@pytest.mark.parametrize("sentence", CAUGHT)
def test_what_no_pattern_holds_and_the_model_does_is_asked_about_once(sentence):
    reading = LANGUAGE.read(sentence)
    assert reading.crisis is None  # never the crisis message on the model's word alone
    assert reading.distress is not None and reading.distress.concept == "learned"
    assert LANGUAGE.idle(sentence, []).name == "distress"
    assert isinstance(LANGUAGE.event(reading), Distress)
    assert isinstance(LANGUAGE.event(reading, ("vermoeidheid",), open_answer=True), Distress)


@pytest.mark.parametrize("sentence", [
    "ik wil stoppen met roken en dit keer meen ik het echt",  # learned as the look-alike it is
    "ik ben moe", "ja", "nee dank je", "start ademoefening", "wat kan ik doen",  # commands and answers
    "ik heb lekker geslapen vannacht",
])
def test_look_alikes_commands_and_answers_are_not_asked_about(sentence):
    assert LANGUAGE.read(sentence).distress is None


def test_no_command_phrasing_is_asked_about():
    phrasings = LANGUAGE.phrases.session_phrases()
    assert len(phrasings) > 50 and [p for p in phrasings if MODEL.worried(p)] == []


def test_a_pattern_comes_first():
    reading = LANGUAGE.read("ik wil dood")
    assert isinstance(LANGUAGE.event(reading), Crisis) and reading.crisis.concept != "learned"
    assert LANGUAGE.read("ik kan niet meer").distress.concept == "at_the_end"


def test_short_utterances_are_never_scored():
    always = CrisisModel({}, 50.0, 0.5)  # a model that would find everything worrying
    assert not always.worried(" ".join(["dood"] * (MIN_WORDS - 1))) and always.worried(" ".join(["dood"] * MIN_WORDS))


def test_a_language_without_a_model_has_none():
    assert not (KOREAN / MODEL_FILE_NAME).exists() and Interpreter.load(KOREAN).care.model is None


@pytest.mark.parametrize("text, message", [
    ("[model]\nthreshold = 0.8\nbias = 0\n", "needs a [model] table and a [weights] table"),
    ("[model]\nthreshold = 1.5\nbias = 0\n[weights]\n", "threshold must be a number between 0 and 1"),
    ("[model]\nthreshold = true\nbias = 0\n[weights]\n", "threshold must be a number between 0 and 1"),
    ("[model]\nthreshold = 0.8\nbias = nan\n[weights]\n", "bias must be a finite number"),
    ('[model]\nthreshold = 0.8\nbias = 0\n[weights]\n"w:dood" = inf\n', "[weights] 'w:dood' must be a finite number"),
    ('[model]\nthreshold = 0.8\nbias = 0\n[weights]\n"w:dood" = "veel"\n', "[weights] 'w:dood' must be a finite number"),
    ("[model]\nthreshold = 0.8\nbias = 0\n[weights\n", "invalid TOML"),  # truncated
])
def test_a_broken_model_file_is_named_with_what_is_wrong(tmp_path, text, message):
    path = tmp_path / MODEL_FILE_NAME
    path.write_text(text)
    with pytest.raises(TomlFileError, match=str(path)) as err:
        load_crisis_model(path)
    assert message in str(err.value)


def test_a_model_file_that_is_a_fifo_or_huge_is_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(TomlFileError, match="not a regular file"):
        load_crisis_model(fifo)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (2 * 1024 * 1024))
    with pytest.raises(TomlFileError, match="too large"):
        load_crisis_model(huge)


def test_a_language_folder_with_a_broken_model_is_refused_by_name(tmp_path):
    for name in ("phrases.toml", "answers.toml", "crisis.toml"):
        (tmp_path / name).write_bytes((KOREAN / name).read_bytes())
    (tmp_path / MODEL_FILE_NAME).symlink_to("/dev/null/none")  # a dangling link
    load_care.cache_clear()
    with pytest.raises(Exception, match=MODEL_FILE_NAME):
        Interpreter.load(tmp_path)


def test_the_shipped_model_is_what_the_corpus_trains(tmp_path):
    """Grow the corpus without training again, and this fails: run tools/train_crisis_model.py."""
    rebuilt = tmp_path / MODEL_FILE_NAME
    subprocess.run([sys.executable, str(REPO / "tools" / "train_crisis_model.py"), str(rebuilt)], check=True, capture_output=True)
    shipped = tomllib.loads((DATA_DIR / MODEL_FILE_NAME).read_text())
    fresh = tomllib.loads(rebuilt.read_text())
    assert shipped["model"]["threshold"] == fresh["model"]["threshold"]
    assert shipped["model"]["bias"] == pytest.approx(fresh["model"]["bias"], abs=0.01)
    clear = {name for name, weight in fresh["weights"].items() if abs(weight) > 0.03}  # not at the edge of being left out
    assert clear <= set(shipped["weights"])
    assert all(shipped["weights"][name] == pytest.approx(fresh["weights"][name], abs=0.01) for name in clear)
