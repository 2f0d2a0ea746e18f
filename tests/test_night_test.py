"""`voice-coach night-test`: the idle listening with a log instead of actions, on a
recorded "night" through the real Korean model (the stand-in for the Dutch one)."""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import espeak, korean_model_path, read_until, room
from daemon_harness import KOREAN
from voice_coach.core.interpret import Interpreter
from voice_coach.core.library import load_library
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.core.second_opinion import MARGIN
from voice_coach.service.night_test import ADVICE_HOURS, NightTest

RATE = 16000


def night(tmp_path: Path, parts: list[tuple[float, str]], seconds: float) -> Path:
    """A WAV "night": room noise with Korean sentences said at their seconds."""
    audio = room(seconds, RATE).astype(np.int32)
    for at, text in parts:
        speech = espeak(text, "ko", RATE)
        audio[int(at * RATE) : int(at * RATE) + len(speech)] += speech
    path = tmp_path / "night.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(audio, -32768, 32767).astype("<i2").tobytes())
    return path


def night_test(recording: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", "/dev/null", "night-test", "--recording", str(recording),
         "--model", str(korean_model_path()), "--language", str(KOREAN), *options],
        capture_output=True, text=True, timeout=300,
    )


def test_it_logs_what_it_would_have_started_and_sums_up(tmp_path):
    recording = night(tmp_path, [(3.0, "시작 진짜"), (12.0, "목록")], 20)
    result = night_test(recording)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(line for line in lines if "would start" in line)
    assert start.startswith("0:00:0") and "would start check-in" in start and "heard '시작 진짜'" in start
    # what each pass heard: the grammar's words, and the second pass's transcript and shortfall
    assert re.search(r"\(heard '[^']+', confidence [01]\.\d\d; second pass heard '[^']*', shortfall -?\d+\.\d\)$", start), start
    assert any(line.startswith("0:00:1") and "would answer list" in line for line in lines)
    assert any(line.startswith("Listened 0.01 h. Exercises it would have started: 1 (") for line in lines)
    assert any("Times it would have answered list: 1" in line for line in lines)
    assert any('keep start_check = "always"' in line for line in lines)


def test_a_short_quiet_recording_gives_no_advice_to_ask_only_at_night(tmp_path):
    result = night_test(night(tmp_path, [], 30))
    assert result.returncode == 0, result.stderr
    assert "Exercises it would have started: 0 (0.00 per hour)" in result.stdout
    assert "Too little audio heard to tell whether start_check = \"night\"" in result.stdout
    assert "is safe here" not in result.stdout


def test_a_quiet_whole_night_says_asking_only_at_night_is_safe():
    test = NightTest(Interpreter.load(), load_library([SCRIPTS_DIR], AUDIO_DIR), print)
    assert test.summary(ADVICE_HOURS)[-1] == 'No false start: start_check = "night" (ask only at night) is safe here.'
    assert test.summary(ADVICE_HOURS - 0.01)[-1].startswith("Too little audio heard")


@pytest.fixture(scope="module")
def korean_model():
    from voice_coach.speech.asr import load_model

    return load_model(korean_model_path())


def test_it_is_the_daemon_s_coach_listening_for_what_the_coach_says(korean_model):
    # A start is logged as the exercise it would start, which is stopped at once: the coach
    # is idle again and the listener has its idle phrases; the crisis in the rest of an
    # early phrase is read with it, as the daemon's driver reads it.
    from voice_coach.speech.listener import Listener

    language = Interpreter.load(KOREAN)
    test = NightTest(language, load_library([SCRIPTS_DIR], AUDIO_DIR), lambda done: None)
    listener = test.listen_with(lambda sink: Listener(korean_model, sink, recorded=True, rate=RATE))
    idle = language.idle_listening(list(language.spoken_names(test.library)))
    assert listener.grammar.phrases == tuple(dict.fromkeys(idle.phrases))
    test.put("시작 진짜")
    assert test.coach.state == "idle" and listener.grammar.phrases == tuple(dict.fromkeys(idle.phrases))
    test.put("정지")  # stop means nothing idle
    listener.heard_by.last_continues = "죽고"  # as the recognizer leaves it for the rest of an early "죽고"
    test.put("싶어요")
    assert [(d.intent, d.exercise, d.heard) for d in test.logged] == [("start", "check-in", "시작 진짜"), ("crisis", None, "죽고 싶어요")]


def test_it_logs_what_each_pass_heard_and_what_the_second_pass_turned_down(korean_model):
    from voice_coach.speech.listener import Listener

    test = NightTest(Interpreter.load(KOREAN), load_library([SCRIPTS_DIR], AUDIO_DIR), lambda done: None)
    listener = test.listen_with(lambda sink: Listener(korean_model, sink, recorded=True, rate=RATE))
    said = np.concatenate([room(1, RATE), espeak("시작 진짜", "ko", RATE), room(1.5, RATE)])
    for start in range(0, len(said), RATE // 10):  # heard by the grammar, then heard again over the same audio
        test.feed(said[start : start + RATE // 10], start / RATE)
    talk = espeak("우리 지금 어떻게 가다 사람 많이 오다 보다", "ko+m3", RATE)
    listener.heard_audio = talk.tobytes()  # as if the grammar had forced that talk onto "목록"
    test.put("목록")
    confirmed, turned_down = test.logged
    assert (confirmed.intent, confirmed.exercise, confirmed.turned_down) == ("start", "check-in", False)
    assert (turned_down.intent, turned_down.turned_down) == ("list", True)
    assert confirmed.second.shortfall <= MARGIN < turned_down.second.shortfall
    assert str(turned_down).startswith("0:00:03  turned down by the second pass: would answer list  (heard '")
    assert f"second pass heard {turned_down.second.transcript!r}, shortfall " in str(turned_down)
    summary = test.summary(1.0)
    assert "Exercises it would have started: 1 (1.00 per hour)." in summary[0]
    assert "Times the second pass turned down list: 1 (1.00 per hour)." in summary
    assert not any("would have answered list" in line for line in summary)


def test_without_the_second_pass_it_logs_the_grammar_s_hearing_alone(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("second_pass = false\n")
    recording = night(tmp_path, [(3.0, "목록")], 8)
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", str(config), "night-test", "--recording", str(recording),
         "--model", str(korean_model_path()), "--language", str(KOREAN)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "would answer list" in line]
    assert line.endswith(")") and "second pass" not in line


def test_a_broken_recording_is_a_clear_error(tmp_path):
    bad = tmp_path / "kapot.wav"
    bad.write_bytes(b"RIFF nonsense")
    result = night_test(bad)
    assert result.returncode == 1 and "kapot.wav" in result.stderr and "Traceback" not in result.stderr


def crafted_wav(path: Path, rate: int = RATE, channels: int = 1, bits: int = 16, data: bytes = b"\0\0" * 1600, fmt: int = 1) -> Path:
    """A WAV file written byte by byte, so its header can say what no writer would."""
    block = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


@pytest.mark.parametrize(
    "header, message",
    [
        ({"rate": 0}, "a sample rate of 0 Hz; it must be 8000-192000 Hz"),
        ({"rate": 1}, "a sample rate of 1 Hz; it must be 8000-192000 Hz"),
        ({"rate": 4_294_967_295}, "a sample rate of 4294967295 Hz; it must be 8000-192000 Hz"),
        ({"channels": 65535}, "65535 channels; only mono or stereo is supported"),
        ({"channels": 0}, "not a readable WAV file (bad # of channels)"),
        ({"bits": 8}, "8-bit samples; only 16-bit PCM WAV is supported"),
        ({"fmt": 3, "bits": 32}, "not a readable WAV file (unknown format: 3)"),
        ({"data": b""}, "holds no audio"),
    ],
)
def test_a_recording_with_an_impossible_header_is_refused_by_name(tmp_path, header, message):
    recording = crafted_wav(tmp_path / "nacht.wav", **header)
    result = night_test(recording)
    assert result.returncode == 1, result.stdout
    assert f"Error: {recording}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("channels, data", [(1, b"\1\0" * 8000 + b"\1"), (2, b"\1\0" * 16001)], ids=["odd byte count", "half a stereo frame"])
def test_a_recording_that_ends_in_a_partial_frame_is_heard_up_to_it(tmp_path, channels, data):
    result = night_test(crafted_wav(tmp_path / "nacht.wav", channels=channels, data=data))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "Listened 0.00 h. Exercises it would have started: 0" in result.stdout


def test_a_fifo_as_recording_is_refused_at_once(tmp_path):
    fifo = tmp_path / "nacht.wav"
    os.mkfifo(fifo)
    result = night_test(fifo)  # waiting for a writer would hang here
    assert result.returncode == 1
    assert f"Error: {fifo}: not a regular file (a FIFO, device or folder)" in result.stderr


def test_ctrl_c_during_a_recording_prints_the_summary_so_far(tmp_path):
    said = espeak("시작 진짜", "ko", RATE)
    second = np.concatenate([said, room(1.0, RATE)])[: 2 * RATE]
    long_night = np.tile(np.pad(second, (0, 2 * RATE - len(second))), 600)  # 20 minutes of a phrase every 2 s
    path = tmp_path / "night.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(long_night.astype("<i2").tobytes())
    process = interruptible_night_test("--recording", str(path))
    read_until(process, "Listening to 0.33 h of recording")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and "Traceback" not in err, err
    assert "Ended early (Ctrl-C)." in out
    listened = re.search(r"^Listened (\d+\.\d\d) h\. Exercises it would have started: \d+", out, re.MULTILINE)
    assert listened and float(listened.group(1)) < 0.33, out
    assert "Too little audio heard" in out


def test_without_a_microphone_it_never_says_asking_only_at_night_is_safe(tmp_path):
    process = interruptible_night_test("--microphone", "een-microfoon-die-er-niet-is")
    read_until(process, "Listening for 8 h")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0 and "Traceback" not in err, err
    assert "no input device named 'een-microfoon-die-er-niet-is'" in err
    assert "Listened 0.00 h." in out and "Too little audio heard" in out and "is safe here" not in out


def interruptible_night_test(*options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "--config", "/dev/null", "night-test", "--model", str(korean_model_path()),
         "--language", str(KOREAN), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
