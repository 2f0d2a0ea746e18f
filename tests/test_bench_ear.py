"""The bench's ear (bench/ear.py) without the ear itself: silences cut out before it hears, and
how its transcript is scored against what was said."""

from __future__ import annotations

import sys

import numpy as np

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from ear import KEEP_SECONDS, ear_words, missed_words, most_missed, without_silences, word_error_rate  # noqa: E402

RATE = 16000


def tone(seconds: float) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * RATE)) / RATE)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def test_every_silence_is_cut_to_a_short_pause_and_the_speech_is_kept():
    audio = np.concatenate([silence(2.0), tone(1.0), silence(6.0), tone(0.5), silence(3.0)])
    cut = without_silences(audio, RATE)
    assert 1.5 < len(cut) / RATE <= 1.5 + 3 * KEEP_SECONDS + 0.02  # the speech, and three short pauses at most
    assert np.count_nonzero(np.abs(cut) > 0.01) >= 0.95 * np.count_nonzero(np.abs(audio) > 0.01)


def test_a_short_pause_between_words_is_left_as_it_is():
    audio = np.concatenate([tone(0.4), silence(0.1), tone(0.4)])
    assert abs(len(without_silences(audio, RATE)) - len(audio)) <= 0.02 * RATE


def test_silence_alone_leaves_nothing_to_hear_into():
    assert len(without_silences(silence(30.0), RATE)) <= KEEP_SECONDS * RATE


def test_the_words_missed_and_the_error_rate():
    said, heard = ear_words("Adem in door je neus."), ear_words("Adam in door hier neus, ja")
    assert word_error_rate(said, heard) == (3, 5)  # two replaced, one added
    assert sorted(missed_words(said, heard)) == ["adem", "je"]
    assert ear_words("Tel tot 4.") == ["tel", "tot", "vier"]
    assert word_error_rate(ear_words("Laten we even stilstaan."), ear_words("laten we even stil staan")) == (0, 4)  # a spelling, not a hearing
    assert word_error_rate(ear_words("Genoeg, alsjeblieft."), ear_words("genoeg als je blieft")) == (0, 2)
    assert word_error_rate(ear_words("Noem de oefeningen."), ear_words("noemde oefeningen")) == (0, 3)
    assert word_error_rate(ear_words("Adem in."), ear_words("adam in")) == (1, 2)  # a word heard wrong stays wrong
    assert most_missed([(said, heard), (ear_words("Adem uit."), ear_words("Adam uit."))]) == [("adem", 2, 2), ("je", 1, 1)]
