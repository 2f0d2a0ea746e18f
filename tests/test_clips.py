"""A coach's recorded clips and sounds: checked by `validate` and at every load (format, rate,
channels, length, size, a regular file), refused with the file's name and what to do; one
that breaks after loading is left out at play time, the clip's sentence spoken instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import cli_in_process
from daemon_harness import VirtualDaemon
from test_own_scripts import OWN_SCRIPT, coach, own  # noqa: F401 - own is a fixture
from voice_coach.audio.sound import MAX_SOUND_BYTES, SoundError, peak, read_wav, sound_problem, wav_seconds, write_wav
from voice_coach.core.engine import Speak
from voice_coach.core.library import load_library
from voice_coach.paths import AUDIO_DIR
from voice_coach.service.render import RENDER_RATE, render_exercise
from voice_coach.speech.speech_cache import SpeechCache
from voice_coach.speech.tts import Synthesizer

def wav(path: Path, rate: int = 22050, channels: int = 1, width: int = 2, frames: int = 2205) -> Path:
    """A WAV file as the wave module writes it, with any header values."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\x10\x00" * (frames * channels * width // 2))
    return path


def patch_header(path: Path, offset: int, value: int, size: int = 4) -> Path:
    """Overwrite one field of a canonical 44-byte WAV header (22: channels, 24: rate, 40: data size)."""
    data = bytearray(path.read_bytes())
    data[offset:offset + size] = value.to_bytes(size, "little")
    path.write_bytes(bytes(data))
    return path


def text_file(p: Path) -> Path:
    p.write_text("hi\n")
    return p


def fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


def huge(p: Path) -> Path:
    wav(p)
    subprocess.run(["truncate", "-s", "100M", str(p)], check=True)  # sparse: a real 100 MB file, no disk used
    return p


BAD = {
    "not a WAV": (text_file, "not a readable WAV file"),
    "empty": (lambda p: p.write_bytes(b"") or p, "not a readable WAV file"),
    "rate 0": (lambda p: patch_header(wav(p), 24, 0), "a sample rate of 0 Hz; it must be 8000-192000 Hz"),
    "rate 4294967295": (lambda p: patch_header(wav(p), 24, 2**32 - 1), "a sample rate of 4294967295 Hz"),
    "3 channels": (lambda p: wav(p, channels=3), "3 channels; only mono or stereo"),
    "65535 channels": (lambda p: patch_header(wav(p), 22, 65535, 2), "channels"),
    "8-bit": (lambda p: wav(p, width=1), "8-bit samples; only 16-bit PCM"),
    "truncated": (lambda p: patch_header(wav(p), 40, 10**8), "truncated"),
    "too long": (lambda p: wav(p, rate=8000, frames=8000 * 121), "121 s long, more than the 120 s"),
    "100 MB": (huge, f"more than the {MAX_SOUND_BYTES} a sound may have"),
    "a FIFO": (fifo, "not a regular file"),
    "a folder": (lambda p: p.mkdir() or p, "not a regular file"),
}


@pytest.mark.parametrize("case", BAD)
def test_every_bad_sound_file_is_named_with_what_to_do(tmp_path, case):
    make, message = BAD[case]
    path = make(tmp_path / "clip.wav")
    problem = sound_problem(path)
    assert problem is not None and problem.startswith(f"{path}: ") and message in problem
    with pytest.raises(SoundError, match="clip.wav: "):  # at play time too: never ZeroDivisionError or MemoryError
        read_wav(path, bounded=True)


def test_good_sounds_pass_and_stereo_is_mixed_to_mono(tmp_path):
    assert [sound_problem(p) for p in sorted(AUDIO_DIR.glob("*.wav"))] == [None] * 4
    stereo = wav(tmp_path / "stereo.wav", rate=48000, channels=2, frames=4800)
    assert sound_problem(stereo) is None
    samples, rate = read_wav(stereo)
    assert (len(samples), rate) == (4800, 48000) and wav_seconds(stereo) == pytest.approx(0.1)


def test_a_rendered_exercise_longer_than_any_clip_still_reads(tmp_path):
    long = tmp_path / "exercise.wav"
    write_wav(long, np.full(22050 * 200, 0.25, np.float32), 22050)  # 200 s, as render writes
    assert len(read_wav(long)[0]) == 22050 * 200
    assert "200 s long" in sound_problem(long)


@pytest.mark.parametrize("case", ["not a WAV", "rate 0", "100 MB", "a FIFO", "truncated"])
def test_validate_and_loading_refuse_a_bad_clip_by_name(own, case):
    clip = own / "scripts" / "mijn-welkom.wav"
    clip.unlink()
    BAD[case][0](clip)
    # A FIFO could hang the command: that one runs in a process of its own.
    run = coach if case == "a FIFO" else lambda folder, *args: cli_in_process("--config", str(folder / "config.toml"), *args)
    result = run(own, "validate")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{own / 'scripts' / 'mijn-rust.toml'}: step 1 (say): field 'clip': {clip}: " in result.stderr
    assert BAD[case][1] in result.stderr and "Traceback" not in result.stderr
    # Loading for play (and reload, the same call) leaves the script out and says why.
    listed = run(own, "list")
    assert listed.returncode == 0 and "mijn-rust" not in listed.stdout
    assert f"skipped: {own / 'scripts' / 'mijn-rust.toml'}: step 1 (say): field 'clip': {clip}: " in listed.stderr


def test_validate_passes_a_good_clip(own):
    result = coach(own, "validate")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", ["not a WAV", "rate 0", "a FIFO", "100 MB"])
def test_a_clip_that_breaks_after_loading_is_spoken_instead(own, tmp_path, case):
    library = load_library([own / "scripts"], AUDIO_DIR, sound_problem=sound_problem)
    script = library.scripts["mijn-rust"]
    clip = own / "scripts" / "mijn-welkom.wav"
    clip.unlink()
    BAD[case][0](clip)  # replaced after it was checked
    cache = SpeechCache(tmp_path / "speech", Synthesizer())
    try:
        samples, timeline = render_exercise(script, cache)
    finally:
        cache.release()
    welcome = next(a for a in timeline.actions if isinstance(a, Speak) and a.clip)
    start = int(welcome.at * RENDER_RATE)
    assert timeline.outcome == "completed" and peak(samples[start:start + RENDER_RATE]) > 0.1  # the voice said it


def test_the_daemon_refuses_a_broken_clip_at_reload_and_lives_through_one_that_broke_while_it_ran(tmp_path):
    # On virtual time; a real SIGHUP to a daemon process is test_hardening's and test_daemon's.
    scripts = tmp_path / "scripts"  # the own scripts folder beside the daemon's config
    scripts.mkdir()
    (scripts / "mijn-rust.toml").write_text(OWN_SCRIPT)
    clip = scripts / "mijn-welkom.wav"
    shutil.copy(AUDIO_DIR / "gong.wav", clip)
    with VirtualDaemon(tmp_path) as daemon:
        daemon.wait_message("READY=1")
        clip.unlink()
        patch_header(wav(clip), 24, 0)  # a sample rate of 0: once a ZeroDivisionError
        daemon.time.put(("signal", "HUP"))  # what the daemon's SIGHUP handler puts in its inbox
        daemon.wait_log(r"mijn-welkom\.wav: a sample rate of 0 Hz")
        daemon.wait_log(r"reload refused: a script is broken")
        daemon.say("start mijn rust")  # the set loaded before, whose clip has broken since
        daemon.wait_log(r"recorded clip unusable .*a sample rate of 0 Hz.*; using the synthesized voice", 60)
        daemon.wait_log(r"exercise mijn-rust ended: completed", 60)
        assert not daemon.stopped
        assert daemon.stop() == 0
