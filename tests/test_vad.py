"""The voice-activity gate: nothing in silence, whole words with their lead-in and trailing
silence, timed in seconds whatever the block size it is fed."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import espeak, room
from voice_coach.audio.vad import FRAME_SECONDS, VoiceGate

RATE, BLOCK = 48000, 2400
BLOCK_SIZES = (0.01, 0.02, 0.1)
"""Seconds per block: a small one, the live microphone's, and the bench's and night test's."""


def blocks(audio: np.ndarray) -> list[np.ndarray]:
    return [audio[i : i + BLOCK] for i in range(0, len(audio) - BLOCK + 1, BLOCK)]


def placed(parts: list[tuple[int, np.ndarray]], seconds: float, rate: int = RATE, seed: int = 1) -> np.ndarray:
    """Room noise with each part added from its sample on."""
    audio = room(seconds, rate, seed).astype(np.int32)
    for at, samples in parts:
        audio[at : at + len(samples)] += samples
    return np.clip(audio, -32768, 32767).astype(np.int16)


def decisions(audio: np.ndarray, block_seconds: float, rate: int = RATE) -> list[tuple[int, int, bool]]:
    """Feed ``audio`` in blocks; per utterance passed: (first sample, sample after the last,
    whether its end was reported), as places in ``audio``."""
    gate, block = VoiceGate(rate), int(rate * block_seconds)
    utterances, current = [], []
    for start in range(0, len(audio), block):
        for segment in gate.admit(audio[start : start + block]):
            current.append(segment.samples)
            if segment.ends_utterance:
                utterances.append((np.concatenate(current), True))
                current = []
    if current:
        utterances.append((np.concatenate(current), False))
    return [(*taken_from(audio, passed), ended) for passed, ended in utterances]


def taken_from(audio: np.ndarray, passed: np.ndarray) -> tuple[int, int]:
    """Where in ``audio`` the run ``passed`` is, whole and in order (room noise makes it unique)."""
    starts = np.nonzero(audio[: len(audio) - len(passed) + 1] == passed[0])[0]
    found = [int(s) for s in starts if np.array_equal(audio[s : s + len(passed)], passed)]
    assert len(found) == 1, "the gate passed audio that is not one stretch of what it was fed"
    return found[0], found[0] + len(passed)


def vowel(rate: int) -> np.ndarray:
    """0.6 s of a sustained espeak-ng vowel, loud in every frame, cut at frame boundaries."""
    frame = int(rate * FRAME_SECONDS)
    samples = espeak("aaaaaaaaaaa", "nl", rate)[frame : 31 * frame]
    levels = np.sqrt(np.mean(samples.reshape(-1, frame).astype(np.float32) ** 2, axis=1))
    assert levels.min() > 1000  # every frame of it is voice, so where it starts and stops is known
    return samples


def test_room_noise_passes_nothing():
    gate = VoiceGate(RATE)
    assert sum(len(gate.admit(b)) for b in blocks(room(10))) == 0


def test_a_word_passes_whole_with_preroll_and_hangover():
    word = espeak("Pauze", "nl", RATE)
    audio = np.concatenate([room(2), word + room(len(word) / RATE + 0.01)[: len(word)], room(3, seed=2)])
    [(start, stop, ended)] = decisions(audio, BLOCK / RATE)
    voiced = 2 * RATE + np.nonzero(np.abs(word) > 1000)[0]
    assert voiced[0] - start >= 1.0 * RATE  # the lead-in comes along
    assert stop - voiced[-1] >= 1.2 * RATE - RATE * FRAME_SECONDS  # and the silence after it
    assert ended and stop < len(audio) - RATE  # and then it closes again


@pytest.mark.parametrize("rate", [48000, 11025])
@pytest.mark.parametrize("block_seconds", BLOCK_SIZES)
def test_preroll_is_one_second_and_hangover_one_point_two_at_every_block_size(rate, block_seconds):
    frame = int(rate * FRAME_SECONDS)
    voice = vowel(rate)
    at = 101 * frame  # about 2 s in, on a frame
    [(start, stop, ended)] = decisions(placed([(at, voice)], 6, rate), block_seconds, rate)
    assert at - start == round(1.0 * rate)
    assert stop - (at + len(voice)) == round(1.2 * rate)
    assert ended


@pytest.mark.parametrize("rate", [48000, 11025])
@pytest.mark.parametrize("block_seconds", BLOCK_SIZES)
def test_an_utterance_ends_in_its_place_when_the_same_block_starts_the_next(rate, block_seconds):
    frame = int(rate * FRAME_SECONDS)
    voice = vowel(rate)
    first = 101 * frame
    end = first + len(voice) + round(1.2 * rate)
    second = (end // frame + 1) * frame  # the frame after the one that ends the hang-over
    block = int(rate * 0.1)
    assert (end - 1) // block == second // block  # one 100 ms block both ends one and starts the next
    audio = placed([(first, voice), (second, voice)], 9, rate)
    assert decisions(audio, block_seconds, rate) == [
        (first - round(1.0 * rate), end, True),
        (end, second + len(voice) + round(1.2 * rate), True),  # its pre-roll: only what came after the end
    ]


def test_the_same_speech_in_10_20_and_100_ms_blocks_gets_the_same_decisions():
    """Dutch speech in a quiet room; "ja" said just as the hang-over after "Pauze" ends, in the
    same 100 ms block; then a fan is switched on."""
    frame, tenth = int(RATE * FRAME_SECONDS), RATE // 10
    sentence = espeak("Ik wil graag de ademhalingsoefening doen, alsjeblieft.", "nl", RATE)
    words = [(int(1.5 * RATE), sentence), (7 * RATE + 2 * frame, espeak("Pauze", "nl", RATE))]
    [_, (_, pause_end, _)] = decisions(placed(words, 14), 0.02)
    yes = espeak("Ja", "nl", RATE)
    yes_at = pause_end + frame
    assert (pause_end - 1) // tenth == yes_at // tenth  # one 100 ms block ends the one and starts the other
    fan = (room(6, seed=3).astype(np.float32) * 4).astype(np.int16)
    audio = np.concatenate([placed([*words, (yes_at, yes[np.argmax(np.abs(yes) > 2000) :])], 14), fan])
    per_size = {size: decisions(audio, size) for size in BLOCK_SIZES}
    _, pause_heard, yes_heard, *_ = per_size[0.02]
    assert pause_heard[1:] == (pause_end, True) and yes_heard[0] == pause_end and yes_heard[2]  # "ja" begins where "Pauze" ended
    assert per_size[0.01] == per_size[0.02] == per_size[0.1]


def test_the_noise_floor_follows_a_louder_room():
    gate = VoiceGate(RATE)
    for b in blocks(room(5)):
        gate.admit(b)
    quiet_floor = gate.floor
    louder = (room(20, seed=3).astype(np.float32) * 4).astype(np.int16)  # a fan is switched on
    admitted = [len(gate.admit(b)) for b in blocks(louder)]
    assert gate.floor > 3 * quiet_floor
    assert sum(admitted[-100:]) == 0  # once adapted, the fan is not a voice
