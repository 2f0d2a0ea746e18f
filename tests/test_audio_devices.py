"""Playback and capture through the real sounddevice / PortAudio / ALSA path, on ALSA
file devices: the speaker writes into a file, the microphone reads from one."""

from __future__ import annotations

import time

import numpy as np
import pytest

from conftest import MIC_RATE, MICROPHONE_FILE, espeak, first_sound, last_sound, microphone_input, speaker_output
from voice_coach.audio.devices import DeviceError, find_device
from voice_coach.audio.mic import Microphone
from voice_coach.audio.sound import read_wav, resample
from voice_coach.paths import AUDIO_DIR
from voice_coach.audio.speaker import Speaker


def test_devices_are_found_by_name():
    speaker = find_device("vctest_speaker", "output")
    assert speaker.name == "vctest_speaker" and speaker.channels == 2
    assert speaker.rate == 44100  # the device's own rate when none is asked for
    assert find_device("vctest_mic", "input", 48000).rate == 48000


def test_unknown_device_names_what_exists():
    with pytest.raises(DeviceError, match=r"no output device named 'usb-luidspreker'.*vctest_speaker"):
        find_device("usb-luidspreker", "output")


def onset(samples: np.ndarray) -> float:
    """Seconds into ``samples`` where sound starts."""
    return first_sound(samples) / 44100


def test_sounds_start_exactly_on_their_scheduled_frame():
    bell, rate = read_wav(AUDIO_DIR / "belletje.wav")
    with Speaker("vctest_speaker", volume=0.5) as speaker:
        sound = resample(bell, rate, speaker.mixer.rate)
        first, second = speaker.frame_at(0.3), speaker.frame_at(1.25)
        speaker.mixer.add(sound, first)
        speaker.mixer.add(sound, second)
        time.sleep(second / speaker.mixer.rate + len(sound) / speaker.mixer.rate + 0.1)
    out = speaker_output(2)
    expected = np.zeros(second + len(sound), np.float32)
    expected[first : first + len(sound)] += sound
    expected[second:] += sound  # the second starts while the first still rings
    assert np.allclose(out[: len(expected)], expected * 0.5, atol=1e-5)


def test_the_stream_runs_in_real_time():
    with Speaker("vctest_speaker") as speaker:
        time.sleep(1.0)
        mixed = speaker.now()
    assert 0.95 <= mixed <= 1.15


def test_stop_silences_the_speaker_within_100_ms():
    tone, rate = read_wav(AUDIO_DIR / "toon-in.wav")
    with Speaker("vctest_speaker") as speaker:
        speaker.mixer.add(resample(tone, rate, speaker.mixer.rate))
        time.sleep(1.0)
        hushed_at = time.monotonic()
        speaker.mixer.hush()
        time.sleep(0.5)
    out = speaker_output(2)
    # The file is written paced by the clock: frame f leaves at started_at + f / rate.
    hush_frame = (hushed_at - speaker.started_at) * speaker.mixer.rate
    silent_after = (last_sound(out) - hush_frame) / speaker.mixer.rate
    assert silent_after <= 0.100
    assert len(out) / speaker.mixer.rate > 1.3  # and the stream went on, silent


def test_the_coach_is_audible_only_once_it_has_spoken():
    # Half-duplex listening is deaf until speaking_until plus a hold-off. Before the first
    # sentence nothing of the coach can be heard: a deaf start made what the microphone heard
    # first depend on how long the daemon took to start.
    tone, rate = read_wav(AUDIO_DIR / "toon-in.wav")
    with Speaker("vctest_speaker") as speaker:
        time.sleep(0.1)
        speaker.mixer.hush()
        assert speaker.speaking_until == float("-inf")
        speaker.mixer.add(resample(tone, rate, speaker.mixer.rate))  # a tone is not the voice
        assert speaker.speaking_until == float("-inf")
        speech = resample(tone, rate, speaker.mixer.rate)
        speaker.mixer.add(speech, speech=True)
        assert speaker.speaking_until > time.monotonic()
        speaker.mixer.hush()
        assert time.monotonic() - 0.2 < speaker.speaking_until <= time.monotonic() + 0.2


def test_volume_scales_what_is_played():
    bell, rate = read_wav(AUDIO_DIR / "gong.wav")
    with Speaker("vctest_speaker", volume=0.8) as speaker:
        sound = resample(bell, rate, speaker.mixer.rate)
        speaker.mixer.add(sound, speaker.frame_at(0.1))
        time.sleep(0.4)
        speaker.mixer.set_volume(0.4)
        speaker.mixer.add(sound, speaker.frame_at(0.6))
        time.sleep(0.5)
    out = speaker_output(2)
    loud = np.max(np.abs(out[speaker.frame_at(0.1) : speaker.frame_at(0.2)]))
    first_gong_tail = sound[speaker.frame_at(0.5) : speaker.frame_at(0.6)] * 0.4  # still ringing, now softer
    soft = np.max(np.abs(out[speaker.frame_at(0.6) : speaker.frame_at(0.7)] - first_gong_tail))
    assert soft == pytest.approx(loud / 2, rel=0.1)


def test_the_native_rate_is_used_and_sound_is_converted_to_it():
    bell, rate = read_wav(AUDIO_DIR / "belletje.wav")  # 880 Hz at 22050 Hz
    with Speaker("vctest_speaker", rate=48000) as speaker:
        assert speaker.mixer.rate == 48000
        speaker.mixer.add(resample(bell, rate, 48000), 0)
        time.sleep(len(bell) / rate + 0.2)
    out = speaker_output(2)[:48000]
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * 48000 / len(out) == pytest.approx(880, abs=2)  # right pitch: right rate


def test_the_microphone_reads_the_file_intact_in_real_time():
    speech = espeak("Adem rustig in.", "nl")
    microphone_input([(0.2, speech)], 2.0)
    written = np.frombuffer(MICROPHONE_FILE.read_bytes(), dtype="<i2")
    chunks, times = [], []
    with Microphone(lambda data, at: (chunks.append(data.copy()), times.append(at)), "vctest_mic", MIC_RATE):
        time.sleep(1.5)
    captured = np.concatenate(chunks)
    assert np.array_equal(captured, written[: len(captured)])
    assert 1.2 * MIC_RATE <= len(captured) <= 1.6 * MIC_RATE  # paced, not all at once
    assert np.all(np.diff(times) > 0)


def test_the_speaker_removed_and_restored_keeps_the_clock_and_plays_again(caplog):
    import logging
    import shutil

    from conftest import SPEAKER_FILE

    bell, rate = read_wav(AUDIO_DIR / "belletje.wav")
    with caplog.at_level(logging.WARNING), Speaker("vctest_speaker") as speaker:
        sound = resample(bell, rate, speaker.mixer.rate)
        time.sleep(0.3)
        # Unplugged: the stream fails and the device cannot be opened again.
        SPEAKER_FILE.unlink()
        SPEAKER_FILE.mkdir()
        speaker._stream.abort()
        speaker.mixer.add(sound)  # played into the void, without an error
        before = speaker.now()
        time.sleep(2.5)
        assert speaker.now() - before >= 2.3  # the session clock did not stop
        assert speaker._stream is None
        # Plugged back in.
        shutil.rmtree(SPEAKER_FILE)
        time.sleep(2.5)
        assert speaker._stream is not None
        speaker.mixer.add(sound)
        time.sleep(0.5)
    assert np.abs(speaker_output(2)).max() > 0.1
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed" in m for m in messages) == 1
    assert any("is back" in m for m in messages)
