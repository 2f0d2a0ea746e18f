"""The residual gate on its own, with synthetic signals at 16 kHz in 20 ms frames: a breath
tone the filter cancels badly, a filter gone astray, and a person's voice over the coach's."""

from __future__ import annotations

import numpy as np
import pytest

from voice_coach.audio.echo_residual import ResidualGate

RATE = 16000
FRAME = RATE // 50


def tone(seconds: float, frequency: float, level: float) -> np.ndarray:
    """A breath tone: ``frequency`` with two soft harmonics, RMS ``level`` (int16 scale)."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(4 * np.pi * frequency * t) + 0.1 * np.sin(6 * np.pi * frequency * t)
    return wave * level / np.sqrt(np.mean(wave**2))


def voice(seconds: float, level: float, seed: int = 0) -> np.ndarray:
    """A voiced person: a 140 Hz pulse train through two formants (500 and 1500 Hz), syllables
    of 0.2 s with 0.1 s between them, RMS ``level`` while voiced."""
    n = int(seconds * RATE)
    pulses = np.zeros(n)
    pulses[:: RATE // 140] = 1.0
    spectrum = np.fft.rfft(pulses + np.random.default_rng(seed).normal(0, 0.02, n))
    frequencies = np.fft.rfftfreq(n, 1 / RATE)
    formants = sum(1 / (1 + ((frequencies - f) / 120) ** 2) for f in (500, 1500))
    wave = np.fft.irfft(spectrum * formants, n)
    syllables = (np.arange(n) % int(0.3 * RATE)) < 0.2 * RATE
    wave *= syllables
    return wave * level / np.sqrt(np.mean(wave[syllables] ** 2))


def room_noise(seconds: float, level: float = 100.0, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, level, int(seconds * RATE))


def frames_passed(gate: ResidualGate, near: np.ndarray, out: np.ndarray, far: np.ndarray) -> np.ndarray:
    """Per frame, whether the gate passed ``out`` as it was (not softened to the room)."""
    passed = []
    for start in range(0, len(near) - FRAME + 1, FRAME):
        part = slice(start, start + FRAME)
        given = np.clip(out[part], -32768, 32767).astype(np.int16)
        result = gate.softened(np.clip(near[part], -32768, 32767).astype(np.int16), given, np.clip(far[part], -32768, 32767).astype(np.int16))
        passed.append(bool(np.array_equal(result, given)) and np.any(given))
    return np.array(passed)


def breath_tone_in_a_room(seconds: float, echo_db: float = 0.0) -> tuple[ResidualGate, np.ndarray, np.ndarray, np.ndarray]:
    """A gate that has learned the room's noise in 2 s of the coach's silence, then the coach's
    breath tone for ``seconds``: the gate, the far end, its echo at the microphone at
    ``echo_db`` relative to a person's voice, and the room's noise."""
    gate = ResidualGate(RATE)
    quiet = np.clip(room_noise(2.0, seed=7), -32768, 32767).astype(np.int16)
    for start in range(0, len(quiet) - FRAME + 1, FRAME):
        assert gate.room_only(quiet[start : start + FRAME], 0.0)
    return gate, tone(seconds, 220.0, 3000.0), tone(seconds, 220.0, 3000.0 * 10 ** (echo_db / 20)), room_noise(seconds)


@pytest.mark.parametrize("echo_db", [-10.0, 0.0, 10.0])
def test_what_a_poor_filter_leaves_of_a_breath_tone_is_never_the_person(echo_db):
    # The filter removes only 10 dB of the tone: its residual stays as loud as a person's voice
    # at +10 dB. It sits in the tone's own bins, where the gate has learned it.
    seconds = 30.0
    gate, far, echo, noise = breath_tone_in_a_room(seconds, echo_db)
    passed = frames_passed(gate, echo + noise, echo * 10 ** (-10 / 20) + noise, far)
    assert not passed[int(1.0 * 50) :].any()


def test_a_filter_gone_astray_adds_no_voice():
    # Before Speex resets a diverged filter, its output can rise above the microphone itself:
    # what it adds is not in the microphone, so it is not the person.
    seconds = 20.0
    gate, far, echo, noise = breath_tone_in_a_room(seconds)
    out = echo * 0.1 + noise
    out[int(10 * RATE) : int(12 * RATE)] += tone(2.0, 330.0, 3000.0 * 10 ** (11 / 20))  # a burst of its own, at +11 dB
    assert not frames_passed(gate, echo + noise, out, far)[50:].any()


@pytest.mark.parametrize("echo_db", [-10.0, 0.0, 10.0])
def test_the_person_s_voice_over_the_coach_s_residual_is_passed(echo_db):
    seconds = 20.0
    gate, far, echo, noise = breath_tone_in_a_room(seconds, echo_db)
    person = np.zeros(int(seconds * RATE))
    person[int(10 * RATE) :] = voice(seconds - 10, 3000.0)
    # The filter takes the echo down by 25 dB; the person's voice is in the microphone as it is.
    passed = frames_passed(gate, echo + noise + person, echo * 10 ** (-25 / 20) + noise + person, far)
    assert not passed[50 : 10 * 50].any()
    syllable_frames = (np.arange(len(passed)) % 15 < 10) & (np.arange(len(passed)) >= 10 * 50)
    assert passed[syllable_frames].mean() > 0.9


def test_a_pause_of_the_person_is_softened_to_the_room_after_the_hold():
    seconds = 14.0
    gate, far, echo, noise = breath_tone_in_a_room(seconds)
    person = np.zeros(int(seconds * RATE))
    person[int(10 * RATE) : int(11 * RATE)] = voice(1.0, 3000.0)
    passed = frames_passed(gate, echo + noise + person, echo * 10 ** (-25 / 20) + noise + person, far)
    assert passed[10 * 50 : 11 * 50].mean() > 0.9
    assert not passed[12 * 50 :].any()
