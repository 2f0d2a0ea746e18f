"""A machine without libportaudio2: everything but sound works, and sound says what to install.

The library is really hidden, not monkeypatched: each command runs in a mount namespace
of its own (``unshare -m``, as root) where the PortAudio file and the dynamic linker's
cache are covered by /dev/null, so sounddevice finds no library, as on a fresh box.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HIDE = 'mount --bind /dev/null "$1" && mount --bind /dev/null /etc/ld.so.cache && shift && exec "$@"'
"""Covers the library (``$1``) and the linker's cache (which would still name it), then runs the rest."""


def portaudio_file() -> Path:
    """The PortAudio library file this machine loads."""
    ctypes.CDLL(ctypes.util.find_library("portaudio"))
    for line in Path("/proc/self/maps").read_text().splitlines():
        if "libportaudio" in line:
            return Path(line.split()[-1])
    raise AssertionError("PortAudio is loaded but not mapped")


def hidden_portaudio_prefix() -> list[str]:
    """The command prefix that runs a program where PortAudio cannot be found; skips without the means."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("hiding a system library needs root and unshare (a mount namespace)")
    prefix = ["unshare", "-m", "sh", "-c", HIDE, "hide", str(portaudio_file())]
    probe = subprocess.run([*prefix, sys.executable, "-c", "import sounddevice"], capture_output=True, text=True)
    if "OSError: PortAudio library not found" not in probe.stderr:
        pytest.skip(f"could not hide PortAudio here: {probe.stderr[-300:]}")
    return prefix


@pytest.fixture(scope="module")
def without_portaudio():
    prefix = hidden_portaudio_prefix()

    def run(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        env = {**os.environ, "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "data"), "XDG_CACHE_HOME": str(tmp / "cache")}
        command = [*prefix, sys.executable, "-m", "voice_coach", "--config", "/dev/null", "--journal", str(tmp / "j.sqlite"), *args]
        result = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env, timeout=120)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result

    return run


def test_importing_the_command_line_loads_no_sound_library():
    probe = (
        "import sys\n"
        "import voice_coach.service.cli, voice_coach.service.daemon, voice_coach.service.doctor, voice_coach.service.night_test\n"
        "import voice_coach.speech.listener, voice_coach.audio.devices, voice_coach.audio.speaker, voice_coach.audio.mic\n"
        "print(sorted(m for m in sys.modules if 'sounddevice' in m))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.parametrize(
    "args, shown",
    [
        (("--help",), "Usage: voice-coach"),
        (("list",), "ademoefening"),
        (("validate",), "13 valid, 0 errors"),
        (("show", "veilig"), "Stop even."),
        (("journal", "forget", "--yes"), "The journal is empty."),
        (("journal", "export"), "started,ended,exercise,outcome"),
        (("render", "veilig", "-o", "{tmp}/veilig.wav"), "veilig.wav: Even landen"),
    ],
)
def test_what_needs_no_sound_works_without_portaudio(tmp_path, without_portaudio, args, shown):
    result = without_portaudio(tmp_path, *(arg.format(tmp=tmp_path) for arg in args))
    assert result.returncode == 0, result.stderr
    assert shown in result.stdout


def test_devices_names_the_package_to_install(tmp_path, without_portaudio):
    result = without_portaudio(tmp_path, "devices")
    assert result.returncode == 1
    assert "PortAudio library not found); install it with: sudo apt install libportaudio2" in result.stderr


def test_doctor_reports_the_missing_library_as_a_finding(tmp_path, without_portaudio):
    result = without_portaudio(tmp_path, "doctor")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "FIX  sound library: the sound library PortAudio cannot be loaded (PortAudio library not found); install it with: sudo apt install libportaudio2" in lines
    assert "FIX  microphone: needs the sound library first" in lines and "FIX  speaker: needs the sound library first" in lines
    assert any(line.startswith("OK   exercise scripts:") for line in lines)


def test_play_falls_back_to_the_terminal_and_says_why(tmp_path, without_portaudio):
    result = without_portaudio(tmp_path, "play", "veilig", stdin="stop\n")
    assert result.returncode == 0, result.stderr
    assert "No sound: the sound library PortAudio cannot be loaded" in result.stderr and "sudo apt install libportaudio2" in result.stderr


def test_the_daemon_exits_80_with_one_clear_line(tmp_path, without_portaudio):
    result = without_portaudio(tmp_path, "run", "--listen-stdin")
    assert result.returncode == 80
    assert result.stderr.strip() == (
        "ERROR voice_coach.service.daemon: the sound library PortAudio cannot be loaded (PortAudio library not found); "
        "install it with: sudo apt install libportaudio2"
    )
