"""The residual gate on its own, with synthetic signals at 16 kHz in 20 ms frames: a breath
tone the filter cancels badly or not at all at first, in a quiet room, a filter gone astray,
and a person's voice over the coach's."""

from __future__ import annotations

import numpy as np
import pytest

from voice_coach.audio.echo_residual import ResidualGate
from voice_coach.audio.vad import level

RATE = 16000
FRAME = RATE // 50


def tone(seconds: float, frequency: float, level: float, harmonics: tuple[float, ...] = (0.3, 0.1)) -> np.ndarray:
    """A breath tone: ``frequency`` with soft ``harmonics`` (amplitudes of the 2nd, 3rd, ...),
    RMS ``level`` (int16 scale)."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = np.sin(2 * np.pi * frequency * t) + sum(a * np.sin(2 * np.pi * (k + 2) * frequency * t) for k, a in enumerate(harmonics))
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


def syllables(start: float, end: float) -> np.ndarray:
    """The frames of :func:`voice`'s syllables (0.2 s voiced, 0.1 s not) said from ``start`` to ``end`` (seconds)."""
    frames = np.arange(round(start * 50), round(end * 50))
    return frames[(frames - frames[0]) % 15 < 10]


def room_noise(seconds: float, level: float = 100.0, seed: int = 1) -> np.ndarray:
    """The room's noise at the microphone: white, RMS ``level`` (100: -50 dBFS)."""
    return np.random.default_rng(seed).normal(0, level, int(seconds * RATE))


def frames_passed(gate: ResidualGate, near: np.ndarray, out: np.ndarray, far: np.ndarray, room: float = 100.0) -> np.ndarray:
    """Per frame, whether the gate passed ``out`` as it was, driven as ``EchoCancellation``
    drives it: frames where the coach and its echo are silent teach it the room and count as
    not passed, and so do frames of ``out`` no louder than twice the room's noise (RMS
    ``room``): softening leaves those as they are."""
    passed = []
    for start in range(0, len(near) - FRAME + 1, FRAME):
        part = slice(start, start + FRAME)
        microphone, given, played = (np.clip(x[part], -32768, 32767).astype(np.int16) for x in (near, out, far))
        if gate.room_only(microphone, level(far[part]) / 32767):
            passed.append(False)
            continue
        result = gate.softened(microphone, given, played)
        assert result.dtype == np.int16 and len(result) == len(given)
        passed.append(bool(np.array_equal(result, given)) and level(given) > 2 * room)
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
    assert passed[syllables(10.0, seconds)].mean() > 0.9


def test_a_pause_of_the_person_is_softened_to_the_room_after_the_hold():
    seconds = 14.0
    gate, far, echo, noise = breath_tone_in_a_room(seconds)
    person = np.zeros(int(seconds * RATE))
    person[int(10 * RATE) : int(11 * RATE)] = voice(1.0, 3000.0)
    passed = frames_passed(gate, echo + noise + person, echo * 10 ** (-25 / 20) + noise + person, far)
    assert passed[syllables(10.0, 11.0)].mean() > 0.9
    assert not passed[12 * 50 :].any()


def breath_tones(count: int, harmonics: tuple[float, ...], frequency: float = 220.0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` breath tones of 6 s with 1 s of silence after each, as played (the far end),
    and what a filter leaves of their echo: all of it in each tone's first 0.3 s (it has not
    learned the new frequency yet), 25 dB less after."""
    played, left = [], []
    for _ in range(count):
        sound = tone(6.0, frequency, 3000.0, harmonics)
        share = np.full(len(sound), 10 ** (-25 / 20))
        share[: int(0.3 * RATE)] = 1.0
        played += [sound, np.zeros(RATE)]
        left += [sound * share, np.zeros(RATE)]
    return np.concatenate(played), np.concatenate(left)


@pytest.mark.parametrize("harmonics", [(0.3, 0.1), (0.05, 0.05, 0.03, 0.02)])
def test_in_a_quiet_room_a_breath_tone_s_onset_and_weak_harmonics_are_not_the_person(harmonics):
    # A room at -70 dBFS, the coach 10 dB over a person's voice: each tone's first moments reach
    # the output whole, and harmonics 26 dB under the fundamental still stand far over the room.
    played, left = breath_tones(8, harmonics)
    gain = 10 ** (10 / 20)
    noise = room_noise(len(played) / RATE, level=10.0)
    gate = ResidualGate(RATE)
    passed = frames_passed(gate, played * gain + noise, left * gain + noise, played, room=10.0)
    assert not passed[21 * 50 :].any()  # from the fourth tone on: the first three teach the residual


def test_the_person_s_voice_in_a_quiet_room_is_passed_over_the_coach_s_residual():
    played, left = breath_tones(5, (0.3, 0.1))
    noise = room_noise(len(played) / RATE, level=10.0)
    person = np.zeros(len(played))
    person[int(28.5 * RATE) : int(30.5 * RATE)] = voice(2.0, 3000.0)  # the fifth tone, from its 0.5th second
    gate = ResidualGate(RATE)
    passed = frames_passed(gate, played + noise + person, left + noise + person, played, room=10.0)
    assert passed[syllables(28.5, 30.5)].mean() > 0.9


def test_a_new_frame_length_starts_the_bins_afresh():
    gate, far, echo, noise = breath_tone_in_a_room(2.0)
    near = np.clip(echo + noise, -32768, 32767).astype(np.int16)
    played = np.clip(far, -32768, 32767).astype(np.int16)
    for length in (320, 318, 330, 320):
        assert len(gate.softened(near[:length], near[:length], played[:length])) == length


def test_a_long_sentence_does_not_teach_the_gate_to_take_the_person_for_the_coach():
    # 3 s of the person's voice in the tone's own bins (500 Hz and 1 kHz), then a "stop": the
    # gate must not have learned the sentence as the coach's residual.
    played, left = breath_tones(5, (0.3,), frequency=500.0)
    gain = 10 ** (-5 / 20)
    noise = room_noise(len(played) / RATE)
    person = np.zeros(len(played))
    person[int(28.5 * RATE) : int(31.5 * RATE)] = voice(3.0, 3000.0)
    person[int(32.1 * RATE) : int(32.7 * RATE)] = voice(0.6, 3000.0, seed=1)  # "stop", 0.6 s later
    gate = ResidualGate(RATE)
    passed = frames_passed(gate, played * gain + noise + person, left * gain + noise + person, played)
    assert passed[syllables(32.1, 32.7)].mean() > 0.9


def test_the_voice_after_minutes_of_tones_is_judged_by_what_the_filter_leaves_of_it_now():
    # The filter learned the room on the coach's voice (25 dB off), then two minutes of breath
    # tones taught it their bins only: when the voice returns it leaves 20 dB more of it. The
    # residual learned before the tones is stale; the coach's own voice is no person's.
    gate, _, _, _ = breath_tone_in_a_room(0.0)
    before, tones, after = voice(5.0, 3000.0, seed=3), tone(120.0, 220.0, 3000.0), voice(5.0, 3000.0, seed=4)
    far = np.concatenate([before, tones, after])
    out = np.concatenate([before * 10 ** (-25 / 20), tones * 10 ** (-25 / 20), after * 10 ** (-5 / 20)])
    passed = frames_passed(gate, far + room_noise(len(far) / RATE), out + room_noise(len(far) / RATE, seed=2), far)
    assert not passed[-5 * 50 :].any()
