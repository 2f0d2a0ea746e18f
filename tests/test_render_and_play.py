"""Whole exercises with real sound: offline render, prerender, and `play` aloud on the ALSA rig."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SPEAKER_FILE, korean_model_path, microphone_input, read_until, say, short_library, speaker_output
from daemon_harness import SHARED_CACHE
from voice_coach.service.audioplayer import AudioTiming, speech_cache
from voice_coach.service.config import load_config
from voice_coach.service.cli import main
from voice_coach.core.engine import Speak
from voice_coach.core.library import load_library
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.service.render import RENDER_RATE, render_exercise
from voice_coach.audio.sound import read_wav
from voice_coach.speech.speech_cache import SpeechCache
from voice_coach.speech.tts import Synthesizer

LIBRARY = load_library([SCRIPTS_DIR], AUDIO_DIR)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> SpeechCache:
    return SpeechCache(tmp_path_factory.mktemp("speech"), Synthesizer())


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def test_render_places_every_sentence_at_its_scheduled_time(cache):
    samples, timeline = render_exercise(LIBRARY.scripts["veilig"], cache)
    assert timeline.outcome == "completed"
    assert len(samples) / RENDER_RATE == pytest.approx(timeline.seconds, abs=0.05)
    says = [a for a in timeline.actions if isinstance(a, Speak) and a.text[0].isupper() and len(a.text) > 12]
    assert len(says) >= 5
    for speak in says:
        frame = int(round(speak.at * RENDER_RATE))  # as render.py places it
        spoken, _ = read_wav(cache.get(speak.text, speak.rate))
        rendered = samples[frame : frame + len(spoken)]
        # The sentence's own samples are exactly there (breath tones may not overlap a say step).
        assert np.allclose(rendered, spoken[: len(rendered)], atol=2e-4), speak.text


def test_render_follows_the_answers(cache):
    script = LIBRARY.scripts["ademoefening"]
    no, _ = render_exercise(script, cache, ["nee"])
    yes, _ = render_exercise(script, cache, ["ja", "nee"])
    extra = 6 * 10  # six more rounds of 4 + 6 seconds
    assert (len(yes) - len(no)) / RENDER_RATE == pytest.approx(extra + 8, abs=8)


def test_render_timing_uses_real_speech_lengths(cache):
    timing = AudioTiming(cache)
    assert timing.speech_seconds("Welkom.", 1.0) == pytest.approx(len(read_wav(cache.get("Welkom.", 1.0))[0]) / 22050)
    assert timing.sound_seconds(str(AUDIO_DIR / "gong.wav")) == pytest.approx(5.0)


def test_render_command_writes_the_wav(tmp_path):
    out = tmp_path / "veilig.wav"
    result = CliRunner().invoke(main, ["render", "veilig", "-o", str(out), "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert re.search(r"veilig.wav: Even landen, 1:[0-2]\d\.\d \(completed\)", result.output)  # a minute and a bit, by voice
    samples, rate = read_wav(out)
    assert rate == RENDER_RATE and len(samples) / rate > 55


def test_prerender_renders_once_then_hits_the_cache(tmp_path):
    # One short exercise: the cache's behaviour does not depend on how many sentences
    # there are (test_tts renders every sentence of the shipped exercises).
    scripts = short_library(tmp_path / "scripts", say("Hallo."), say("Voel je voeten op de grond."))
    runner = CliRunner()
    prerender = ["--scripts", str(scripts), "prerender", "--cache", str(tmp_path / "cache")]
    cold = runner.invoke(main, prerender)
    assert cold.exit_code == 0, cold.output
    total = int(re.search(r"(\d+) sentences: (\d+) rendered", cold.output).group(1))
    assert total > 2  # the replies and care texts too
    assert f"{total} sentences: {total} rendered, 0 already cached" in cold.output
    warm = runner.invoke(main, prerender)
    assert f"{total} sentences: 0 rendered, {total} already cached" in warm.output
    slower = runner.invoke(main, [*prerender, "--words-per-minute", "130"])
    assert f"{total} sentences: {total} rendered" in slower.output


def seconds_of(line: str) -> float:
    minutes, seconds = re.match(r"\s*(\d+):(\d+\.\d)", line).groups()
    return int(minutes) * 60 + float(seconds)


PLAYED = ("Stop even.", "Adem rustig in. En rustig uit.", "Voel je voeten op de grond, en je rug tegen de stoel.")
"""What the played exercise says: a short first sentence, then the stop comes in the second
(or, late, in the third)."""


def test_play_speaks_on_schedule_and_stop_silences_it(tmp_path):
    microphone_input([], 30)
    scripts = short_library(tmp_path / "scripts", *map(say, PLAYED))
    process = subprocess.Popen(
        [
            sys.executable, "-m", "voice_coach", "--scripts", str(scripts), "play", "kort", "--cache", str(SHARED_CACHE),
            "--speaker", "vctest_speaker", "--speaker-rate", "48000",
            "--microphone", "vctest_mic", "--microphone-rate", "48000", "--model", str(korean_model_path()),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first = read_until(process, f'"{PLAYED[0]}"')
        read_until(process, f'"{PLAYED[1]}"')
        time.sleep(0.5)  # well into the sentence
        process.stdin.write("stop\n")
        process.stdin.flush()
        finished = read_until(process, "(einde: gestopt)")
        assert process.wait(timeout=15) == 0
    finally:
        process.kill()
    out = speaker_output(2)
    config = load_config()
    config.override("cache", SHARED_CACHE)
    speech, speech_rate = read_wav(speech_cache(config.settings).get(PLAYED[0], 1.0))  # as played, in the voice it chose
    expected_onset = seconds_of(first) + np.argmax(np.abs(speech) > 1e-3) / speech_rate
    onset = np.argmax(np.abs(out) > 1e-3) / 48000
    assert onset == pytest.approx(expected_onset, abs=0.06)  # the printed time has 0.1 s resolution
    stopped_at = seconds_of(finished)
    loud = np.nonzero(np.abs(out) > 1e-3)[0]
    assert loud[-1] / 48000 <= stopped_at + 0.1 + 0.05
    assert SPEAKER_FILE.stat().st_size > 0


def test_without_a_speaker_play_falls_back_to_the_terminal(tmp_path):
    scripts = short_library(tmp_path / "scripts", say("Hallo."))
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "--scripts", str(scripts), "play", "kort", "--speaker", "nergens"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert "No sound: no output device named 'nergens'" in result.stderr and "Playing in the terminal instead." in result.stderr
    assert '"Hallo."' in result.stdout and "(einde: afgerond)" in result.stdout
