"""Finding out, through alsa-lib itself, whether ALSA's default device goes to PipeWire or
PulseAudio, which a system service cannot reach; and saying how to fix it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RIG
from daemon_harness import DaemonProcess
from voice_coach.audio.alsa_default import Card, cards_among

# What Bookworm's pipewire-alsa installs as /etc/alsa/conf.d/99-pipewire-default.conf.
PIPEWIRE_ALSA = """\
pcm.!default {
    type pipewire
    playback_node "-1"
    capture_node  "-1"
    hint {
        show on
        description "Default ALSA Output (currently PipeWire Media Server)"
    }
}

ctl.!default {
    type pipewire
}
"""
# An /etc/asound.conf that sends the default through a plug into PulseAudio.
PULSE_PLUG = 'pcm.!default {\n    type plug\n    slave.pcm "pulse"\n}\n'
# A plain card, as many a hand-written /etc/asound.conf has it.
PLAIN_CARD = 'pcm.!default {\n    type hw\n    card 1\n}\n'


def alsa_env(tmp_path: Path, extra: str | None) -> dict[str, str]:
    """The environment of a process whose ALSA reads the test rig, plus ``extra`` as a config file."""
    files = ["/usr/share/alsa/alsa.conf", str(RIG / "asound.conf")]
    if extra is not None:
        (tmp_path / "extra.conf").write_text(extra)
        files.append(str(tmp_path / "extra.conf"))
    env = {**os.environ, "ALSA_CONFIG_PATH": ":".join(files)}
    env.pop("XDG_RUNTIME_DIR", None)  # a system service has none
    return env


def default_type(env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-c", "from voice_coach.audio.alsa_default import default_pcm_type; print(default_pcm_type())"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()


@pytest.mark.parametrize(("extra", "expected"), [(PIPEWIRE_ALSA, "pipewire"), (PULSE_PLUG, "pulse"), (PLAIN_CARD, "hw")])
def test_alsa_lib_tells_where_the_default_goes(tmp_path, extra, expected):
    assert default_type(alsa_env(tmp_path, extra)) == expected


def test_the_default_config_of_this_machine_goes_to_no_server(tmp_path):
    assert default_type(alsa_env(tmp_path, None)) not in ("pipewire", "pulse")


def doctor_line(env: dict[str, str], tmp_path: Path, *options: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "--journal", str(tmp_path / "j.sqlite"), "doctor", *options],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return next(line for line in result.stdout.splitlines() if "default sound device" in line)


def test_doctor_names_the_fix_when_the_default_goes_to_an_unreachable_pipewire(tmp_path):
    line = doctor_line(alsa_env(tmp_path, PIPEWIRE_ALSA), tmp_path)
    assert line.startswith("FIX  default sound device: ALSA's default device goes to PipeWire, which this process cannot reach")
    assert 'speaker = "' in line and "microphone = " in line and os.devnull in line
    assert "systemd/voice-coach-user.service" in line


def test_doctor_is_content_when_pipewire_is_reachable_in_this_session(tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(runtime / "pipewire-0"))  # a real socket where PipeWire listens
    try:
        env = {**alsa_env(tmp_path, PIPEWIRE_ALSA), "XDG_RUNTIME_DIR": str(runtime)}
        line = doctor_line(env, tmp_path)
    finally:
        server.close()
    assert line.startswith("OK   default sound device: ALSA's default goes to PipeWire, which this session reaches; the system service cannot")


def test_doctor_is_content_when_the_cards_are_named(tmp_path):
    line = doctor_line(alsa_env(tmp_path, PIPEWIRE_ALSA), tmp_path, "--speaker", "vctest_speaker", "--microphone", "vctest_mic")
    assert line.startswith("OK   default sound device: ALSA's default goes to PipeWire, but the speaker and microphone are named")


def test_the_service_says_why_it_would_be_silent(tmp_path):
    with DaemonProcess(tmp_path, speaker=None, env=alsa_env(tmp_path, PIPEWIRE_ALSA)) as daemon:
        line = daemon.wait_log(r"ALSA's default device goes to PipeWire")
    assert "Name the sound card in" in line and str(tmp_path / "config.toml") in line
    assert "Traceback" not in "\n".join(daemon.lines)


def test_cards_are_named_without_their_changing_numbers():
    devices = [
        {"name": "bcm2835 Headphones: - (hw:0,0)", "max_output_channels": 8, "max_input_channels": 0},
        {"name": "USB PnP Sound Device: Audio (hw:1,0)", "max_output_channels": 2, "max_input_channels": 1},
        {"name": "pipewire", "max_output_channels": 64, "max_input_channels": 64},
        {"name": "default", "max_output_channels": 64, "max_input_channels": 64},
    ]
    assert cards_among(devices) == [
        Card("bcm2835 Headphones: -", output=True, input=False),
        Card("USB PnP Sound Device: Audio", output=True, input=True),
    ]


def test_devices_says_where_the_default_goes_and_lists_no_card_that_is_not_there(tmp_path):
    env = alsa_env(tmp_path, PIPEWIRE_ALSA)
    (tmp_path / "config.toml").write_text("")
    command = [sys.executable, "-m", "voice_coach", "--config", str(tmp_path / "config.toml"), "devices"]
    listed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and listed.stdout.startswith("No sound cards found.")  # this machine has none
    assert "ALSA's default device goes to PipeWire, which this process cannot reach" in listed.stdout
    plain = subprocess.run([*command, "--plain"], env=env, capture_output=True, text=True, timeout=60)
    assert plain.returncode == 0 and plain.stdout == ""
