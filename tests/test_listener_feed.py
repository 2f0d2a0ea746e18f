"""The listener fed by hand, as the bench and the night test feed it: the same audio is heard
alike whatever the block size, and the listener is built from the settings."""

from __future__ import annotations

import numpy as np
import pytest
import vosk

from conftest import espeak, korean_model_path, room
from daemon_harness import KOREAN
from voice_coach.core.interpret import Interpreter
from voice_coach.service.config import Settings
from voice_coach.speech.listener import Listener

RATE = 16000
NAMES = ["감사합니다", "안녕하세요"]


@pytest.fixture(scope="module")
def model() -> vosk.Model:
    vosk.SetLogLevel(-1)
    return vosk.Model(str(korean_model_path()))


class Heard(list):
    """The listener's sink: (text, the sample that ended the block it was heard in)."""

    fed_to = 0

    def put(self, text: str) -> None:
        self.append((text, self.fed_to))


def heard_in_blocks(model: vosk.Model, audio: np.ndarray, block_seconds: float) -> Heard:
    heard = Heard()
    listener = Listener.configured(model, heard, Settings(), recorded_rate=RATE)
    listener.listen_for(Interpreter.load(KOREAN).idle_listening(NAMES))
    block = int(RATE * block_seconds)
    for start in range(0, len(audio), block):
        heard.fed_to = min(start + block, len(audio))
        listener.feed(audio[start : start + block], start / RATE)
    return heard


def test_a_recording_is_heard_alike_in_20_and_100_ms_blocks(model):
    audio = room(14, RATE).astype(np.int32)
    for at, text in [(4.0, "시작 감사합니다"), (7.5, "오늘 날씨 정말 좋아"), (10.0, "도움")]:
        speech = espeak(text, "ko", RATE)
        audio[int(at * RATE) : int(at * RATE) + len(speech)] += speech
    audio = np.clip(audio, -32768, 32767).astype(np.int16)
    tenth = RATE // 10
    live = heard_in_blocks(model, audio, 0.02)
    assert len(live) >= 2
    in_tenths = [(text, -(-at // tenth) * tenth) for text, at in live]  # the 100 ms block each falls in
    assert heard_in_blocks(model, audio, 0.1) == in_tenths


def test_the_configured_listener_follows_the_settings(model):
    settings = Settings(min_confidence=0.7, barge_in=True, open_answers="grammar")
    listener = Listener.configured(model, Heard(), settings, recorded_rate=RATE)
    assert (listener.mic, listener.rate, listener.min_confidence, listener.open_answers) == (None, RATE, 0.7, "grammar")
    assert listener.echo is None  # no echo to cancel without a speaker
