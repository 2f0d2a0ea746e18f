"""The voice-activity gate: nothing in silence, whole words with their lead-in and trailing silence."""

from __future__ import annotations

import numpy as np

from conftest import espeak, room
from voice_coach.audio.vad import HANGOVER_SECONDS, PREROLL_SECONDS, VoiceGate

RATE, BLOCK = 48000, 2400


def blocks(audio: np.ndarray) -> list[np.ndarray]:
    return [audio[i : i + BLOCK] for i in range(0, len(audio) - BLOCK + 1, BLOCK)]


def test_room_noise_passes_nothing():
    gate = VoiceGate(RATE, BLOCK)
    assert sum(len(gate.admit(b)) for b in blocks(room(10))) == 0


def test_a_word_passes_whole_with_preroll_and_hangover():
    word = espeak("Pauze", "nl", RATE)
    audio = np.concatenate([room(2), word + room(len(word) / RATE + 0.01)[: len(word)], room(3, seed=2)])
    gate = VoiceGate(RATE, BLOCK)
    passed = [gate.admit(b) for b in blocks(audio)]
    first = next(i for i, p in enumerate(passed) if p)
    assert len(passed[first]) == round(PREROLL_SECONDS * RATE / BLOCK) + 1  # the lead-in comes along
    open_blocks = [i for i, p in enumerate(passed) if p]
    voiced = np.nonzero(np.abs(word) > 1000)[0]
    word_end_block = (2 * RATE + voiced[-1]) // BLOCK  # espeak adds silence after the word
    assert open_blocks[-1] - word_end_block >= round(HANGOVER_SECONDS * RATE / BLOCK) - 2
    assert open_blocks[-1] < len(passed) - 5  # and then it closes again


def test_the_noise_floor_follows_a_louder_room():
    gate = VoiceGate(RATE, BLOCK)
    for b in blocks(room(5)):
        gate.admit(b)
    quiet_floor = gate.floor
    louder = (room(20, seed=3).astype(np.float32) * 4).astype(np.int16)  # a fan is switched on
    admitted = [len(gate.admit(b)) for b in blocks(louder)]
    assert gate.floor > 3 * quiet_floor
    assert sum(admitted[-100:]) == 0  # once adapted, the fan is not a voice
