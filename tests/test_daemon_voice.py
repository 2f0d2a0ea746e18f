"""The daemon hearing real speech: espeak-ng Korean through the ALSA file microphone into
the real Vosk model (with the test-only Korean phrase table), and a microphone that
comes and goes."""

from __future__ import annotations

import logging
import queue
import re
import sqlite3
import time
from pathlib import Path

import numpy as np

from conftest import MIC_RATE, MICROPHONE_FILE, espeak, first_sound, korean_model_path, microphone_input, speaker_output
from daemon_harness import KOREAN, DaemonProcess, korean_daemon
from voice_coach.core.care import load_care
from voice_coach.speech.asr import load_model
from voice_coach.core.interpret import Listening
from voice_coach.speech.listener import Listener


QUICK_VEILIG = """
id = "veilig"
title = "Even landen"
triggers = ["veilig"]
summary = "Eén zin, dan rustig ademen."
minutes = 1

[[step]]
say = "Adem rustig."

[[step]]
breathe = { in = 4, out = 6 }
rounds = 3
"""
"""veilig (which the Korean table starts) as one short sentence, then 30 s of breathing
without cues, in which the coach is silent and hears: its start is reached in moments."""


def quick_veilig(tmp_path) -> Path:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "veilig.toml").write_text(QUICK_VEILIG)
    return scripts


def test_spoken_start_and_stop_then_it_listens_again(tmp_path):
    start, stop = espeak("시작 안녕하세요", "ko"), espeak("정지", "ko")
    # "stop" comes after the first sentence, which cannot be interrupted (the echo filter learns
    # from it), with room for a slow second pass under load.
    parts = [(1.0, start), (10.0, stop), (13.0, start)]
    with korean_daemon(tmp_path, parts, 18, scripts=quick_veilig(tmp_path)) as daemon:
        daemon.ready()
        daemon.wait_log("heard '시작 안녕하세요'", 20)
        daemon.wait_log("exercise veilig started")
        daemon.wait_log("heard '정지'", 25)
        daemon.wait_log("exercise veilig ended: stopped")
        daemon.wait_log("heard '시작 안녕하세요'", 20)
        daemon.wait_log("exercise veilig started")
        out = speaker_output(2)
        assert daemon.stop() == 0
    assert first_sound(out) > 0 and np.abs(out).max() > 0.05  # the exercise's speech reached the speaker


CARE = load_care()
CRISIS_SENTENCE = "정말 너무 죽고 싶어요 진짜"
"""A crisis phrase of the Korean test table inside a longer sentence."""


def test_a_spoken_crisis_sentence_while_idle_gets_the_113_message(tmp_path):
    with korean_daemon(tmp_path, [(1.0, espeak(CRISIS_SENTENCE, "ko"))], 10) as daemon:
        daemon.ready()
        daemon.wait_log("idle command crisis", 20)
        assert daemon.stop() == 0
    rows = sqlite3.connect(daemon.journal).execute("SELECT exercise, outcome FROM sessions").fetchall()
    assert rows == [("-", "crisis")]


def test_a_spoken_crisis_sentence_during_breathing_stops_the_exercise(tmp_path):
    parts = [(1.0, espeak("시작 안녕하세요", "ko")), (9.0, espeak(CRISIS_SENTENCE, "ko"))]  # after the first sentence
    with korean_daemon(tmp_path, parts, 16, scripts=quick_veilig(tmp_path)) as daemon:
        daemon.ready()
        daemon.wait_log("exercise veilig started", 20)
        daemon.wait_log(r"understood Crisis\(\)", 25)
        daemon.wait_log(re.escape(f'"{CARE.exercise_stopped}"'), 10)  # the breathing stops for the 113 message
        daemon.wait_log(re.escape(f'"{CARE.crisis_message[0]}"'), 10)
        rows = sqlite3.connect(daemon.journal).execute("SELECT exercise, outcome FROM sessions").fetchall()
        assert rows == [("veilig", "crisis")]  # kept at once; the end of the message is the in-process test's


def test_the_microphone_removed_and_restored_while_listening(caplog):
    word = espeak("네", "ko")
    microphone_input([(0.5, word)], 3)
    heard: queue.Queue[str] = queue.Queue()
    with caplog.at_level(logging.WARNING):
        listener = Listener(load_model(korean_model_path()), heard, None, "vctest_mic", MIC_RATE)
        listener.listen_for(Listening(("네", "아니요")))
        with listener:
            assert heard.get(timeout=10) == "네"
            # Unplugged: the stream fails, and the device is gone when it is looked for again.
            MICROPHONE_FILE.unlink()
            listener.mic._stream.abort()
            deadline = time.monotonic() + 5
            while not listener.mic.lost and time.monotonic() < deadline:
                time.sleep(0.05)
            assert listener.mic.lost
            time.sleep(2.5)  # a retry that finds nothing
            assert listener.mic.lost
            # Plugged back in.
            microphone_input([(0.5, espeak("아니요", "ko"))], 3)
            assert heard.get(timeout=15) == "아니요"
            assert not listener.mic.lost
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1  # logged once, not once per retry
    assert any("is listening" in r.getMessage() for r in caplog.records)


def test_the_daemon_waits_for_a_missing_microphone(tmp_path):
    MICROPHONE_FILE.unlink(missing_ok=True)
    with DaemonProcess(
        tmp_path, "--model", str(korean_model_path()), "--language", str(KOREAN),
        "--microphone", "vctest_mic", "--microphone-rate", str(MIC_RATE), listen_stdin=False,
    ) as daemon:
        daemon.ready()  # up, and sd_notify READY, without a microphone
        daemon.wait_message("READY=1")
        assert any("no input device named 'vctest_mic'" in line and "waiting for it" in line for line in daemon.lines)
        watchdog_before = daemon.messages.count("WATCHDOG=1")
        microphone_input([(1.0, espeak("시작 안녕하세요", "ko"))], 10)
        daemon.wait_log("microphone 'vctest_mic' is listening", 15)
        daemon.wait_log("exercise veilig started", 20)
        assert daemon.messages.count("WATCHDOG=1") > watchdog_before
        assert daemon.stop() == 0
