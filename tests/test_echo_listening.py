"""Hearing commands over the coach's own voice: the real Speaker's far end and clock, the
coach's Dutch voice (espeak-ng) through a simulated bedroom (delay, sox reverberation,
speaker-to-microphone gain) into the microphone, the real Korean stand-in model and the test
command table; fed by hand, faster than real time, as the bench feeds it, and once live
through the ALSA file devices."""

from __future__ import annotations

import logging
import queue
import re
import time

import numpy as np
import pytest

from conftest import MIC_RATE, MICROPHONE_FILE, espeak, korean_model_path, room
from daemon_harness import KOREAN
from echo_room import feed_with_far_end, room_echo, voiced_rms
from voice_coach.audio.speaker import Speaker
from voice_coach.core.interpret import Interpreter
from voice_coach.service.config import Settings
from voice_coach.speech.asr import load_model
from voice_coach.speech.listener import Listener

RATE = 16000
"""The microphone's rate here (the speaker plays at MIC_RATE, 48 kHz: the far end is resampled)."""
KO = Interpreter.load(KOREAN)
COACH = "Adem rustig in door je neus, en laat de adem langzaam weer gaan. Voel hoe je schouders zakken. " * 3
PERSON_LEVEL = 3000.0
"""The person's voiced RMS at the microphone (int16 scale)."""


@pytest.fixture(scope="module")
def model():
    return load_model(korean_model_path())


@pytest.fixture(scope="module")
def coach_voice() -> np.ndarray:
    return espeak(COACH, "nl", MIC_RATE).astype(np.float32) / 32768


def played_by_speaker(voice: np.ndarray, seconds: float) -> tuple[Speaker, np.ndarray]:
    """A real Speaker (not started) whose mixer plays ``voice`` as speech from 0.5 s: the
    speaker and every frame it mixed for ``seconds``."""
    speaker = Speaker("vctest_speaker", rate=MIC_RATE)
    speaker.mixer.add(voice, speaker.frame_at(0.5), speech=True)
    played = np.concatenate([speaker.mixer.next_block(480) for _ in range(int(seconds * MIC_RATE / 480))])
    return speaker, played


def heard_over_the_coach(model, coach_voice, delay: float, gain_db: float, said: list[tuple[float, str]], seconds: float = 16.0) -> list[str]:
    """What a listener configured by default (barge-in on) hears: the coach's voice in the room at
    ``gain_db`` relative to the person, and the person saying ``said`` (second, Korean text)."""
    speaker, played = played_by_speaker(coach_voice, seconds)
    microphone = room(seconds, RATE, seed=3).astype(np.float64)
    echo = room_echo(played, MIC_RATE, RATE, delay, 30, PERSON_LEVEL * 10 ** (gain_db / 20))
    microphone[: len(echo)] += echo[: len(microphone)]
    for at, text in said:
        voice = espeak(text, "ko", RATE).astype(np.float64)
        start = int(at * RATE)
        microphone[start : start + len(voice)] += voice * (PERSON_LEVEL / voiced_rms(voice))
    heard: queue.Queue[str] = queue.Queue()
    listener = Listener.configured(model, heard, Settings(), speaker, recorded_rate=RATE)
    listener.listen_for(KO.session_listening())
    feed_with_far_end(listener, speaker, played, np.clip(microphone, -32768, 32767).astype(np.int16), RATE, RATE // 50)
    assert listener.echo is not None and listener.echo.working, "the canceller never learned the room"
    return [heard.get() for _ in range(heard.qsize())]


def test_the_coach_s_voice_is_speaking_over_the_whole_test(coach_voice):
    assert len(coach_voice) / MIC_RATE > 14.5  # the commands below fall inside its speech


@pytest.mark.parametrize("delay, gain_db", [(0.005, 10.0), (0.02, 0.0), (0.05, 10.0), (0.05, -10.0)])
def test_the_coach_never_hears_itself_in_the_room(model, coach_voice, delay, gain_db):
    assert heard_over_the_coach(model, coach_voice, delay, gain_db, []) == []


@pytest.mark.parametrize("delay, gain_db", [(0.005, -10.0), (0.005, 0.0), (0.03, -10.0), (0.03, 0.0), (0.05, 10.0)])
def test_stop_and_a_crisis_phrase_are_heard_while_the_coach_speaks(model, coach_voice, delay, gain_db):
    heard = heard_over_the_coach(model, coach_voice, delay, gain_db, [(10.0, "정지"), (12.5, "정말 너무 죽고 싶어요")])
    meanings = [KO.during(text) for text in heard]
    assert [type(m).__name__ for m in meanings if m is not None][:2] == ["Command", "Crisis"], heard


def test_with_barge_in_off_nothing_is_heard_while_the_coach_speaks(model, coach_voice, caplog):
    speaker, played = played_by_speaker(coach_voice, 12.0)
    microphone = room(12.0, RATE, seed=4).astype(np.float64)
    voice = espeak("정지", "ko", RATE).astype(np.float64)
    microphone[8 * RATE : 8 * RATE + len(voice)] += voice * (PERSON_LEVEL / voiced_rms(voice))
    heard: queue.Queue[str] = queue.Queue()
    with caplog.at_level(logging.INFO):
        listener = Listener.configured(model, heard, Settings(barge_in=False), speaker, recorded_rate=RATE)
    assert listener.echo is None and "listening half-duplex: barge_in is off" in caplog.text
    listener.listen_for(KO.session_listening())
    feed_with_far_end(listener, speaker, played, np.clip(microphone, -32768, 32767).astype(np.int16), RATE, RATE // 50)
    assert heard.empty()


def test_through_the_alsa_devices_the_room_s_delay_is_found_and_the_coach_not_heard(model, coach_voice, caplog):
    # The live path: the real speaker and microphone streams, each with its own clock and the
    # latency its stream reports; the coach's voice comes back 30 ms late through the room.
    seconds, room_delay = 3.2, 0.03
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:
        start = speaker.frame_at(speaker.now() + 0.3)
        speaker.mixer.add(coach_voice, start, speech=True)
        played = np.zeros(start + len(coach_voice), dtype=np.float32)
        played[start:] = coach_voice * 0.7  # the speaker's default volume
        heard: queue.Queue[str] = queue.Queue()
        listener = Listener.configured(model, heard, Settings(microphone="vctest_mic", microphone_rate=RATE, barge_in=True), speaker)
        listener.listen_for(KO.session_listening())
        echo = room_echo(played, MIC_RATE, RATE, room_delay, 30, PERSON_LEVEL)
        written_for = time.monotonic()  # the microphone's first sample, as the file is written
        skip = int((written_for - speaker.started_at - speaker._latency) * RATE)
        microphone = room(seconds + 1, RATE, seed=5).astype(np.float64)
        part = echo[skip : skip + len(microphone)]
        microphone[: len(part)] += part
        MICROPHONE_FILE.write_bytes(np.clip(microphone, -32768, 32767).astype("<i2").tobytes())
        with caplog.at_level(logging.INFO), listener:
            time.sleep(seconds)
    started = float(re.search(r"microphone started at monotonic ([\d.]+)", caplog.text).group(1))
    # The file was made for a microphone starting at written_for; it starts (opens) a little later.
    assert listener.echo.delay == pytest.approx(room_delay + started - written_for, abs=0.002)
    assert heard.empty()
