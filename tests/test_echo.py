"""Echo cancellation on synthetic signals: the real libspeexdsp canceller behind the
EchoCancellation interface, the delay found by cross-correlation, the far end kept by frame."""

from __future__ import annotations

import numpy as np
import pytest

from voice_coach.audio import echo, speex_echo
from voice_coach.audio.echo import CONVERGE_SECONDS, EchoCancellation, FarEnd, load_canceller
from voice_coach.audio.echo_delay import estimate_delay, far_span
from voice_coach.audio.speex_echo import SpeexCanceller

RATE = 16000
BLOCK = RATE // 50


def speech_like(seconds: float, seed: int) -> np.ndarray:
    """Noise shaped into syllables (4 a second) with pauses: broadband and bursty, like a voice."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 2 * t), 0, None) * (rng.random(len(t) // RATE + 1)[(t).astype(int)] > 0.2)
    colored = np.convolve(rng.normal(0, 1, len(t)), np.exp(-np.arange(40) / 8), "same")
    return (colored / np.std(colored) * envelope * 0.25).astype(np.float32)


def room(played: np.ndarray, delay: float, seed: int, gain: float = 0.6) -> np.ndarray:
    """``played`` (full scale 1.0) as the microphone hears it: ``delay`` late, with a decaying
    reflection tail, at int16 scale plus quiet room noise."""
    rng = np.random.default_rng(seed)
    tail = rng.normal(0, 1, int(0.2 * RATE)) * np.exp(-np.arange(int(0.2 * RATE)) / (0.02 * RATE)) * 0.15
    tail[0] = 1.0
    response = np.concatenate([np.zeros(int(delay * RATE)), tail])
    heard = np.convolve(played, response)[: len(played)] * gain * 32767
    return np.clip(heard + rng.normal(0, 10, len(heard)), -32768, 32767).astype(np.int16)


def run(cancellation: EchoCancellation, far_end: FarEnd, played: np.ndarray, microphone: np.ndarray, at: float = 0.0) -> np.ndarray:
    """Feed 20 ms blocks of ``microphone`` from ``at`` seconds on, the far end (``played``, from
    the same moment) filled 40 ms ahead of what is heard, as the mixer runs; at 0 the mix starts
    with its lead. Returns what came out."""
    lead = 2 * BLOCK
    if at == 0.0:
        far_end.played(played[:lead])
    out = []
    for start in range(0, len(microphone) - BLOCK + 1, BLOCK):
        far_end.played(played[start + lead : start + lead + BLOCK])
        out.append(cancellation.clean(microphone[start : start + BLOCK], at + (start + BLOCK) / RATE))
    return np.concatenate(out)


def erle_db(before: np.ndarray, after: np.ndarray) -> float:
    """Echo return loss enhancement over the 20 ms frames where the echo is well above the
    room's noise (in the pauses, the noise alone would set the figure)."""
    frames = len(before) // BLOCK * BLOCK
    power = lambda x: np.mean(x[:frames].astype(np.float64).reshape(-1, BLOCK) ** 2, axis=1)
    loud = power(before) > 100 * 10**2
    if not loud.any():
        return float("nan")
    return float(10 * np.log10(np.sum(power(before)[loud]) / max(np.sum(power(after)[loud]), 1e-9)))


def cancellation_for(far_end: FarEnd) -> EchoCancellation:
    return EchoCancellation(SpeexCanceller(RATE, BLOCK), far_end, lambda at: at * far_end.rate, RATE)


@pytest.mark.parametrize("delay", [0.005, 0.03, 0.05])
def test_the_echo_is_cancelled_by_more_than_20_db_once_learned(delay):
    played = speech_like(20, seed=1)
    microphone = room(played, delay, seed=2)
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    out = run(cancellation, far_end, played, microphone)
    assert cancellation.delay == pytest.approx(delay, abs=0.001)
    assert cancellation.working
    seconds = [erle_db(microphone[at : at + RATE], out[at : at + RATE]) for at in range(10 * RATE, len(out) - RATE + 1, RATE)]
    assert np.median([s for s in seconds if np.isfinite(s)]) >= 20  # the coach's silent seconds have no echo to measure


def test_the_far_end_is_resampled_to_the_microphone_s_rate():
    played = speech_like(12, seed=3)
    microphone = room(played, 0.02, seed=4)
    far_end = FarEnd(48000)  # the speaker at 48 kHz, the microphone at 16 kHz
    cancellation = EchoCancellation(SpeexCanceller(RATE, BLOCK), far_end, lambda at: at * 48000, RATE)
    three = np.repeat(played, 3)
    far_end.played(three[: 6 * BLOCK])
    out = []
    for start in range(0, len(microphone) - BLOCK + 1, BLOCK):
        far_end.played(three[3 * start + 6 * BLOCK : 3 * (start + BLOCK) + 6 * BLOCK])
        out.append(cancellation.clean(microphone[start : start + BLOCK], (start + BLOCK) / RATE))
    out = np.concatenate(out)
    assert cancellation.delay == pytest.approx(0.02, abs=0.001)
    assert erle_db(microphone[-4 * RATE :], out[-4 * RATE :]) >= 20


def test_the_person_s_voice_survives_while_the_echo_goes():
    played = speech_like(14, seed=5)
    echo_only = room(played, 0.03, seed=6)
    person = (speech_like(14, seed=7) * 8000).astype(np.int16)
    person[: 10 * RATE] = 0  # the person speaks over the coach's voice in the last 4 s
    far_end = FarEnd(RATE)
    out = run(cancellation_for(far_end), far_end, played, np.clip(echo_only.astype(np.int32) + person, -32768, 32767).astype(np.int16))
    late = slice(10 * RATE, len(out))
    residual = out[late].astype(np.float64) - person[late]
    assert erle_db(echo_only[late], residual) >= 10  # what is not the person is mostly gone
    assert erle_db(person[late], out[late]) == pytest.approx(0, abs=3)  # the person's level is kept


def test_without_any_echo_it_never_counts_as_working():
    played = speech_like(10, seed=8)
    quiet = np.random.default_rng(9).normal(0, 30, len(played)).astype(np.int16)  # a muted speaker
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    run(cancellation, far_end, played, quiet)
    assert cancellation.delay is None and not cancellation.working


def test_it_works_only_after_the_filter_heard_the_coach_long_enough():
    played = speech_like(16, seed=10)
    microphone = room(played, 0.02, seed=11)
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    working_from = None
    lead = 2 * BLOCK
    far_end.played(played[:lead])
    for start in range(0, len(microphone) - BLOCK + 1, BLOCK):
        far_end.played(played[start + lead : start + lead + BLOCK])
        cancellation.clean(microphone[start : start + BLOCK], (start + BLOCK) / RATE)
        if cancellation.working and working_from is None:
            working_from = start / RATE
    assert working_from is not None and working_from >= CONVERGE_SECONDS + 1.0  # found after two windows of a second


def breath_tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.25 * np.sin(2 * np.pi * 220 * t) + 0.08 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def test_breath_tones_alone_never_teach_the_filter_the_room():
    # Found by bench/echo.py: a filter that converged on minutes of tones let the first sentence
    # after them through as commands. Only the coach's voice counts towards working.
    voice, tones = speech_like(3, seed=12), breath_tone(20)
    played = np.concatenate([voice, tones])
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    run(cancellation, far_end, played, room(played, 0.02, seed=13))
    assert cancellation.delay is not None and not cancellation.working


def test_after_minutes_of_tones_the_filter_must_learn_the_voice_again():
    # The first sentence after hartcoherentie's two minutes of tones went through as commands.
    voice, tones, again = speech_like(24, seed=16), breath_tone(25), speech_like(24, seed=17)
    played = np.concatenate([voice, tones, again])
    microphone = room(played, 0.02, seed=18)
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    run(cancellation, far_end, played, microphone[: len(voice)])
    assert cancellation.working
    run(cancellation, far_end, played[len(voice) :], microphone[len(voice) : len(voice) + len(tones)], len(voice) / RATE)
    assert cancellation.working  # "pauze" is heard over the tones
    start = len(voice) + len(tones)
    run(cancellation, far_end, played[start:], microphone[start : start + RATE], start / RATE)
    assert not cancellation.working  # the voice is back: learned again first
    run(cancellation, far_end, played[start + RATE :], microphone[start + RATE :], start / RATE + 1.0)
    assert cancellation.working


def test_a_filter_that_starts_over_on_its_own_is_half_duplex_until_it_has_learned_again():
    played = speech_like(40, seed=14)  # the coach speaks half of the time
    microphone = room(played, 0.02, seed=15)
    far_end = FarEnd(RATE)
    cancellation = cancellation_for(far_end)
    split = 18 * RATE
    run(cancellation, far_end, played, microphone[:split])
    assert cancellation.working
    cancellation.canceller.reset()  # what Speex does on its own where its filter diverges
    run(cancellation, far_end, played[split:], microphone[split : split + RATE], split / RATE)
    assert not cancellation.working
    run(cancellation, far_end, played[split + RATE :], microphone[split + RATE :], split / RATE + 1.0)
    assert cancellation.working


@pytest.mark.parametrize("lag", [-0.015, 0.0, 0.004, 0.12, 0.29])
def test_the_delay_is_found_by_cross_correlation(lag):
    rng = np.random.default_rng(12)
    lead, span = far_span(RATE)
    far = rng.normal(0, 1000, RATE + span)
    start = lead - int(round(lag * RATE))
    near = far[start : start + RATE] * 0.3 + rng.normal(0, 100, RATE)
    assert estimate_delay(far, near, RATE) == pytest.approx(lag, abs=1 / RATE)


def test_no_delay_is_claimed_between_unrelated_signals():
    rng = np.random.default_rng(13)
    lead, span = far_span(RATE)
    assert estimate_delay(rng.normal(0, 1000, RATE + span), rng.normal(0, 1000, RATE), RATE) is None


def test_the_far_end_keeps_the_last_seconds_by_frame():
    far_end = FarEnd(100)
    frames = np.arange(1000, dtype=np.float32)
    for start in range(0, 1000, 70):
        far_end.played(frames[start : start + 70])
    assert far_end.frames == 1000
    assert list(far_end.between(995, 10)) == [995, 996, 997, 998, 999, 0, 0, 0, 0, 0]  # not played yet: silence
    assert list(far_end.between(698, 4)) == [0, 0, 700, 701]  # older than the ring keeps: silence
    far_end.played(np.arange(1000, 1500, dtype=np.float32))  # longer than the ring at once
    assert list(far_end.between(1198, 4)) == [0, 0, 1200, 1201]


def test_without_libspeexdsp_the_coach_falls_back_to_half_duplex_and_says_why(monkeypatch):
    monkeypatch.setattr(speex_echo, "LIBRARY", "speexdsp-not-installed")
    monkeypatch.setattr(speex_echo, "SONAME", "libspeexdsp-not-installed.so.1")
    canceller, mode = load_canceller(RATE)
    assert canceller is None
    assert mode.startswith("half-duplex, deaf while the coach speaks: libspeexdsp cannot be loaded")
    assert "apt-get install libspeexdsp1" in mode
    assert echo.speaker_echo_cancellation(None, RATE)[0] is None


def test_with_libspeexdsp_barge_in_is_in_use():
    canceller, mode = load_canceller(48000)
    assert canceller is not None and canceller.frame == 960
    assert mode == "barge-in: echo cancellation (speex) hears commands over the coach's voice"


@pytest.mark.parametrize("sound", ["toon-in.wav", "toon-uit.wav", "gong.wav", "belletje.wav"])
def test_a_breath_tone_or_chime_gives_no_wrong_delay(sound):
    # A tone matches itself a period later: any lag would do, so none may be claimed but the right one.
    from voice_coach.audio.sound import read_wav, resample
    from voice_coach.paths import AUDIO_DIR

    tone, rate = read_wav(AUDIO_DIR / sound)
    tone = resample(tone, rate, RATE) * 20000
    lead, span = far_span(RATE)
    found = set()
    for offset in np.arange(0, len(tone) - RATE - span, RATE // 4):
        far = tone[offset : offset + RATE + span]
        start = lead - int(0.03 * RATE)
        near = far[start : start + RATE] * 0.3 + np.random.default_rng(int(offset)).normal(0, 100, RATE)
        found.add(estimate_delay(far, near, RATE))
    assert all(lag is None or abs(lag - 0.03) <= 1 / RATE for lag in found), found
