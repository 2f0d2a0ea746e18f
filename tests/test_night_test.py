"""`voice-coach night-test`: the idle listening with a log instead of actions, on a
recorded "night" through the real Korean model (the stand-in for the Dutch one)."""

from __future__ import annotations

import re
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from conftest import espeak, korean_model_path, room
from daemon_harness import KOREAN

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
    assert re.search(r"\((heard '[^']+'), (confidence [01]\.\d\d|accepted early, no confidence)\)$", start), start
    assert any(line.startswith("0:00:1") and "would answer list" in line for line in lines)
    assert any(line.startswith("Listened 0.01 h. Exercises it would have started: 1 (") for line in lines)
    assert any("Times it would have answered list: 1" in line for line in lines)
    assert any('keep start_check = "always"' in line for line in lines)


def test_a_quiet_night_says_the_night_check_is_enough(tmp_path):
    result = night_test(night(tmp_path, [], 30))
    assert result.returncode == 0, result.stderr
    assert "Exercises it would have started: 0 (0.00 per hour)" in result.stdout
    assert 'No false start: start_check = "night" (ask only at night) is safe here.' in result.stdout


def test_a_broken_recording_is_a_clear_error(tmp_path):
    bad = tmp_path / "kapot.wav"
    bad.write_bytes(b"RIFF nonsense")
    result = night_test(bad)
    assert result.returncode == 1 and "kapot.wav" in result.stderr and "Traceback" not in result.stderr
