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
    assert (line.name, line.phone, line.free_phone, line.chat, line.hours) == (
        "113 Zelfmoordpreventie", "113", "0800-0113", "113.nl", "24/7",
    )
    assert line.written() == "113 Zelfmoordpreventie: bel 113 of gratis 0800-0113, chat via 113.nl (24/7, anoniem)"


def test_numbers_are_read_aloud_digit_by_digit():
    assert CARE.line.read_aloud("113") == "één één drie"
    assert CARE.line.read_aloud("0800-0113") == "nul acht nul nul, nul één één drie"
    assert CARE.line.read_aloud("113.nl") == "één één drie punt n l"


def test_crisis_message_speaks_every_way_to_reach_113_and_the_number_twice():
    message = " ".join(CARE.crisis_message)
    assert "Bel één één drie, of gratis nul acht nul nul, nul één één drie." in message
    assert "één één drie punt n l" in message
    assert "anoniem" in message and "dag en nacht" in message
    assert "Nog een keer het nummer: één één drie." in CARE.crisis_message  # said twice
    assert not re.search(r"\d", message), "numbers must be spelled out for the voice"


def test_crisis_message_fits_a_mishearing_says_how_to_hear_it_again_and_stays():
    message = " ".join(CARE.crisis_message)
    assert "verkeerd verstaan" in message
    assert "Zeg hulp, dan hoor je het nummer opnieuw." in CARE.crisis_message
    assert CARE.crisis_message[-1] == "Ik blijf luisteren."


@pytest.mark.parametrize("help_lines", ["help_idle", "help_exercise"])
def test_help_says_self_help_not_treatment_and_gives_113(help_lines):
    message = " ".join(getattr(CARE, help_lines))
    assert "geen behandeling" in message
    assert "Bel één één drie, of gratis nul acht nul nul, nul één één drie." in message


def test_every_care_sentence_is_short_enough_to_follow_with_eyes_closed():
    data = tomllib.loads(CARE_FILE.read_text("utf-8"))
    sentences = [
        *data["crisis"]["message"], *data["distress"]["question"], *data["distress"]["support"],
        *(line for part in ("idle", "exercise", "care") for line in data["help"][part]),
    ]
    for line in sentences:  # a line may hold two short sentences
        assert all(len(s.split()) <= 15 for s in re.split(r"[.?!]\s", line)), line


def test_distress_support_gives_113():
    assert "Bel één één drie" in " ".join(CARE.distress_support)


def test_the_free_number_is_always_written_right_and_defined_once():
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    defined_in = []
    for name in files:
        path = REPO / name
        if path.suffix not in {".py", ".toml", ".md", ".service", ".sh", ".txt", ""} or not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        for number in re.findall(r"0800\D?\d+", text):
            assert number == "0800-0113", f"{name}: {number}"
        if re.search(r"""free_phone\s*=\s*["']0800""", text):
            defined_in.append(name)
    assert defined_in == ["voice_coach/data/care.toml"]
