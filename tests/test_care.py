"""The 113 crisis line: exactly right, in one place, spoken correctly; crisis words detected."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from voice_coach.core.care import CARE_FILE, load_care
from conftest import REPO

CARE = load_care()


def test_crisis_line_is_exactly_right():
    line = CARE.line
    assert (line.name, line.phone, line.written_alternative, line.chat, line.hours, line.emergency) == (
        "113 Zelfmoordpreventie", "113", "0800-0113", "113.nl", "24/7", "112",
    )
    assert line.written() == (
        "113 Zelfmoordpreventie: bel gratis 113 (of 0800-0113) of chat via 113.nl, 24/7 en anoniem. Direct gevaar: 112"
    )


def test_numbers_are_read_aloud_digit_by_digit():
    assert CARE.line.read_aloud("113") == "één één drie"
    assert CARE.line.read_aloud("0800-0113") == "nul acht nul nul, nul één één drie"
    assert CARE.line.read_aloud("113.nl") == "één één drie punt n l"


def test_the_written_alternative_cannot_be_spoken():
    with pytest.raises(KeyError):
        CARE.line.fill("Bel {written_alternative}.")


# Since 3 October 2025 113 itself is free: one number, said to be free, said twice.
CRISIS_MESSAGE = (
    "Ik maak me zorgen om je.",
    "Bel gratis één één drie, dag en nacht.",
    "Of chat via één één drie punt n l. Je mag anoniem blijven.",
    "Heb ik je verkeerd verstaan? Dan is het toch goed om te weten.",
    "Nog een keer het nummer: één één drie. Bellen is gratis.",
    "Is er direct gevaar? Bel dan één één twee.",
    "Zeg hulp, dan noem ik het nummer opnieuw.",
    "Een rustige oefening kan ook. Zeg dan: start adem oefening.",
)
HELP_CARE = (
    "Gaat het niet goed? Bel dan gratis één één drie, dag en nacht.",
    "Of chat via één één drie punt n l. Je mag anoniem blijven.",
    "Nog een keer het nummer: één één drie.",
    "Is er direct gevaar? Bel dan één één twee.",
    "Ik ben een hulpmiddel om zelf mee te oefenen. Ik ben geen behandeling.",
)
EVERY_SPOKEN_CARE_TEXT = ["crisis_message", "help_idle", "help_exercise", "distress_support", "distress_go_on"]


def test_crisis_message_is_exactly_the_113_text():
    assert CARE.crisis_message == CRISIS_MESSAGE
    assert CARE.exercise_stopped == "We stoppen de oefening."


def test_the_number_comes_within_the_first_ten_seconds_of_a_crisis_during_an_exercise():
    from voice_coach.core.engine import SENTENCE_GAP, EstimatedTiming

    timing, said = EstimatedTiming(), [CARE.exercise_stopped, *CARE.crisis_message]
    first = next(i for i, s in enumerate(said) if "één één drie" in s)
    assert first <= 2  # at most two short sentences before it
    before = sum(timing.speech_seconds(s, 1.0) + SENTENCE_GAP for s in said[:first])
    words_before = said[first].split().index("één")
    assert before + timing.speech_seconds(" ".join(said[first].split()[:words_before]), 1.0) < 10


@pytest.mark.parametrize("help_lines", ["help_idle", "help_exercise"])
def test_help_gives_113_first_and_says_self_help_not_treatment_once(help_lines):
    lines = getattr(CARE, help_lines)
    assert lines[: len(HELP_CARE)] == HELP_CARE
    first_two = re.split(r"(?<=[.?!])\s+", " ".join(lines))[:2]
    assert "Bel dan gratis één één drie" in " ".join(first_two)
    assert " ".join(lines).count("geen behandeling") == 1


def test_distress_gives_one_short_113_line_on_both_paths():
    line = "Bel dan gratis één één drie, dag en nacht."
    assert [s for s in CARE.distress_support if "één één drie" in s] == [
        "Voelt het te zwaar? Bel dan gratis één één drie, dag en nacht."
    ]
    assert CARE.distress_go_on == ("Goed. Wordt het je te zwaar? " + line, "We gaan rustig verder.")
    assert CARE.distress_question[0] == "Het klinkt alsof het je nu even te veel wordt."


@pytest.mark.parametrize("field", EVERY_SPOKEN_CARE_TEXT)
def test_every_spoken_care_text_says_113_as_the_one_free_number(field):
    text = " ".join(getattr(CARE, field))
    assert "één één drie" in text, field
    assert "gratis" in text, field
    assert "nul acht nul nul" not in text and "0800" not in text, field  # the alternative is only written
    assert not re.search(r"\d", text), "numbers must be spelled out for the voice"
    assert "zelfmoord" not in text.lower() and "zelfdoding" not in text.lower()


@pytest.mark.parametrize("field", ["crisis_message", "help_idle"])
def test_crisis_and_help_say_the_number_twice_the_chat_and_112(field):
    text = " ".join(getattr(CARE, field))
    assert text.count("één één drie,") + text.count("één één drie.") >= 2
    assert "chat via één één drie punt n l" in text
    assert "dag en nacht" in text and "anoniem" in text
    assert "Bel dan één één twee." in text


def test_every_care_sentence_is_short_enough_to_follow_with_eyes_closed():
    data = tomllib.loads(CARE_FILE.read_text("utf-8"))
    sentences = [
        *data["crisis"]["message"], *data["distress"]["question"], *data["distress"]["support"], *data["distress"]["go_on"],
        *(line for part in ("idle", "exercise", "care") for line in data["help"][part]),
    ]
    for line in sentences:  # a line may hold two short sentences
        assert all(len(s.split()) <= 15 for s in re.split(r"[.?!]\s", line)), line


def test_the_written_alternative_is_always_written_right_and_defined_once():
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    defined_in = []
    for name in files:
        path = REPO / name
        if path.suffix not in {".py", ".toml", ".md", ".service", ".sh", ".txt", ""} or not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        for number in re.findall(r"0800\D?\d+", text):
            assert number == "0800-0113", f"{name}: {number}"
        assert not re.search(r"(gratis|free)\W+0800", text, re.I), f"{name}: 113 itself is the free number now"
        if re.search(r"""written_alternative\s*=\s*["']0800""", text):
            defined_in.append(name)
    assert defined_in == ["voice_coach/data/care.toml"]
