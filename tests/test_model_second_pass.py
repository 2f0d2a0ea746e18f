"""The second pass with the real (Korean stand-in) Vosk model: the utterance the listener keeps,
the phrase that was said explaining it, a phrase forced onto it explaining it badly, and
running it off the audio thread."""

from __future__ import annotations

import logging
import queue
import threading
import time

import numpy as np
import pytest
import vosk

from conftest import espeak, korean_model_path, room
from daemon_harness import KOREAN
from voice_coach.core.interpret import Interpreter
from voice_coach.core.phrases import Intent
from voice_coach.core.second_opinion import MARGIN, Question, SecondHearing
from voice_coach.service.config import Settings
from voice_coach.speech.listener import KEPT_SECONDS, Listener
from voice_coach.speech.model_second_pass import ModelSecondPass
from voice_coach.speech.second_pass import STALE_SECONDS, UNHEARD, InTheBackground

RATE = 16000
LANGUAGE = Interpreter.load(KOREAN)
NAMES = ["감사합니다", "안녕하세요"]


@pytest.fixture(scope="module")
def model() -> vosk.Model:
    vosk.SetLogLevel(-1)
    return vosk.Model(str(korean_model_path()))


def spoken(text: str, voice: str = "ko") -> np.ndarray:
    """``text`` in a quiet room, a second of it before and after."""
    speech = espeak(text, voice, RATE).astype(np.int32)
    audio = room(len(speech) / RATE + 2, RATE).astype(np.int32)
    audio[RATE : RATE + len(speech)] += speech
    return np.clip(audio, -32768, 32767).astype(np.int16)


def heard(model: vosk.Model, audio: np.ndarray) -> list[tuple[str, bytes | None]]:
    """What the idle listener heard in ``audio``, each with the utterance it kept for a second pass."""
    texts: queue.Queue = queue.Queue()
    listener = Listener.configured(model, texts, Settings(), recorded_rate=RATE)
    listener.listen_for(LANGUAGE.idle_listening(NAMES))
    found = []
    for start in range(0, len(audio), 320):
        listener.feed(audio[start : start + 320], start / RATE)
        while not texts.empty():
            text = texts.get()
            found.append((text, listener.as_heard(text).audio))
    return found


def test_the_listener_keeps_the_utterance_from_its_pre_roll(model):
    audio = spoken("시작 감사합니다")
    [(text, kept)] = heard(model, audio)
    assert text == "시작 감사합니다"
    samples = np.frombuffer(kept, dtype="<i2")
    speech = np.nonzero(np.abs(audio.astype(np.int32)) > 1000)[0]
    voiced = (speech[-1] - speech[0]) / RATE
    assert voiced < len(samples) / RATE < voiced + 1.5  # the voice, its pre-roll and no more than a pause after
    assert np.abs(samples[: RATE // 10].astype(np.int32)).max() < 1000  # it begins before the voice


def test_what_the_listener_keeps_is_bounded(model):
    long_talk = np.concatenate([spoken("오늘 날씨 정말 좋아 우리 지금 사람 너무 많이 해요")[: -RATE]] * 3 + [spoken("도움")])
    kept = [audio for _, audio in heard(model, long_talk) if audio]
    assert kept and all(len(a) / 2 / RATE <= KEPT_SECONDS + 0.02 for a in kept)


def test_an_open_answer_heard_by_the_full_model_is_not_heard_again(model):
    texts: queue.Queue = queue.Queue()
    listener = Listener.configured(model, texts, Settings(), recorded_rate=RATE)
    listener.listen_for(LANGUAGE.session_listening(("vermoeidheid",), open_answer=True))
    audio = spoken("오늘 너무 힘들다")
    for start in range(0, len(audio), 320):
        listener.feed(audio[start : start + 320], start / RATE)
    assert not texts.empty() and listener.as_heard(texts.get()).audio is None


@pytest.mark.parametrize("said", ["시작 감사합니다", "도움", "죽고 싶어요"])
def test_what_was_said_explains_its_audio(model, said):
    hearing = ModelSecondPass(model, RATE).hear(spoken(said).tobytes(), said)
    assert hearing.shortfall is not None and hearing.shortfall <= MARGIN, hearing
    assert hearing.transcript  # the free transcript is there for the night test to show


@pytest.mark.parametrize("forced", ["시작 감사합니다", "도움", "죽고 싶어요"])
def test_a_phrase_forced_onto_ordinary_talk_explains_it_badly(model, forced):
    talk = spoken("우리 지금 어떻게 가다 사람 많이 오다 보다", "ko+m3").tobytes()
    hearing = ModelSecondPass(model, RATE).hear(talk, forced)
    assert hearing.shortfall is not None and hearing.shortfall > MARGIN, hearing


def test_no_words_to_weigh_give_no_score(model):
    hearing = ModelSecondPass(model, RATE).hear(spoken("도움").tobytes(), "")
    assert hearing.shortfall is None and hearing.transcript


def test_the_second_pass_weighs_only_the_words_heard_clearly(model):
    question = Question(Intent("help"), LANGUAGE.phrases.fillers, LANGUAGE.read("[unk] 오늘 도움 [unk]"), 0.4, 0.0)
    assert (question.words, question.phrase) == ("오늘 도움", "도움")
    assert ModelSecondPass(model, RATE).hear(spoken("오늘 도움").tobytes(), question.words).shortfall <= MARGIN


QUESTION = Question(Intent("help"), LANGUAGE.phrases.fillers, LANGUAGE.read("도움"), 1.0, 0.0)


def test_in_the_background_each_verdict_comes_from_another_thread(model):
    answers: queue.Queue = queue.Queue()
    background = InTheBackground(ModelSecondPass(model, RATE), lambda q, h: answers.put((q, h, threading.current_thread())))
    background.ask(spoken("도움").tobytes(), QUESTION)
    question, hearing, thread = answers.get(timeout=60)
    assert question is QUESTION and isinstance(hearing, SecondHearing) and thread is not threading.current_thread()


class Broken:
    """A plug-in second pass whose failure names what it was asked about."""

    def hear(self, audio: bytes, said: str) -> SecondHearing:
        raise RuntimeError(f"the home server is away; it was asked about {said!r}")


def test_a_failing_second_pass_answers_none_and_says_so_without_the_words(caplog):
    answers: queue.Queue = queue.Queue()
    with caplog.at_level(logging.WARNING):
        InTheBackground(Broken(), lambda q, h: answers.put(h)).ask(b"\0\0", QUESTION)
        assert answers.get(timeout=10) is None
    assert "the second pass failed (RuntimeError); acting on the first hearing" in caplog.text
    assert "도움" not in caplog.text


class Slow:
    """A second pass that takes ``seconds`` over each hearing, and notes what it heard."""

    def __init__(self, seconds: float):
        self.seconds, self.heard = seconds, []

    def hear(self, audio: bytes, said: str) -> SecondHearing:
        time.sleep(self.seconds)
        self.heard.append(said)
        return SecondHearing(said, 0.0)


def test_a_crisis_goes_first_and_a_command_left_waiting_is_not_heard():
    slow, answers = Slow(STALE_SECONDS * 0.6), queue.Queue()
    background = InTheBackground(slow, lambda q, h: answers.put((q.reading.utterance.said, h)))
    commands = [Question(Intent("list"), (), LANGUAGE.read(f"목록 {n}"), 1.0, 0.0) for n in range(4)]
    crisis = Question(Intent("crisis"), (), LANGUAGE.read("죽고 싶어요"), 1.0, 0.0)
    for question in commands:
        background.ask(b"\0\0", question)
    background.ask(b"\0\0", crisis)
    verdicts = [answers.get(timeout=60) for _ in range(5)]
    heard_first = [said for said, _ in verdicts[:2]]
    assert "죽고 싶어요" in heard_first  # first, or second if the first command was being heard already
    assert ("죽고 싶어요", SecondHearing("죽고 싶어요", 0.0)) in verdicts
    assert verdicts[-1] == ("목록 3", UNHEARD) and "목록 3" not in slow.heard  # waited too long: not heard, so not done
