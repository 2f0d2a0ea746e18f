"""The 113 crisis line: exactly right, in one place, spoken correctly; crisis words detected."""

from __future__ import annotations

import re
import subprocess

import pytest

from voice_coach.care import load_care
from voice_coach.paths import PROJECT_ROOT

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


def test_crisis_message_speaks_every_way_to_reach_113():
    message = " ".join(CARE.crisis_message)
    assert "Bel één één drie, of gratis nul acht nul nul, nul één één drie." in message
    assert "één één drie punt n l" in message
    assert "anoniem" in message and "dag en nacht" in message
    assert not re.search(r"\d", message), "numbers must be spelled out for the voice"


def test_help_says_self_help_not_treatment_and_gives_113():
    message = " ".join(CARE.help_message)
    assert "geen behandeling" in message
    assert "nul acht nul nul, nul één één drie" in message


@pytest.mark.parametrize("said", ["ik wil dood", "Ik wil niet meer leven.", "ik denk aan zelfmoord", "ik wil er niet meer zijn"])
def test_crisis_words_are_detected(said):
    assert CARE.is_crisis(said)


@pytest.mark.parametrize("said", ["ik ben doodmoe", "rust", "verdriet", "ik wil leven", "boosheid"])
def test_ordinary_words_are_not_crisis(said):
    assert not CARE.is_crisis(said)


def test_the_free_number_is_always_written_right_and_defined_once():
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout.split()
    defined_in = []
    for name in files:
        path = PROJECT_ROOT / name
        if path.suffix not in {".py", ".toml", ".md", ".service", ".sh", ".txt", ""} or not path.is_file():
            continue
        text = path.read_text("utf-8", errors="replace")
        for number in re.findall(r"0800\D?\d+", text):
            assert number == "0800-0113", f"{name}: {number}"
        if re.search(r"""free_phone\s*=\s*["']0800""", text):
            defined_in.append(name)
    assert defined_in == ["voice_coach/data/care.toml"]
