"""Where `render` and `prerender` write: a FIFO, device, folder or link named as the output
is refused before anything is rendered, and a full disk leaves no partial file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from daemon_harness import SHARED_CACHE
from voice_coach.audio.sound import read_wav


def coach(*args: str) -> subprocess.CompletedProcess:
    """The real command line in its own process: a hang on a FIFO would show."""
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, *args], capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def render(output: Path, cache: Path = SHARED_CACHE) -> subprocess.CompletedProcess:
    return coach("render", "veilig", "-o", str(output), "--voice", "gmw/nl", "--cache", str(cache))


def test_a_fifo_as_output_is_refused_at_once(tmp_path):
    fifo = tmp_path / "veilig.wav"
    os.mkfifo(fifo)
    result = render(fifo)  # opening it would wait for a reader
    assert result.returncode == 1
    assert f"Error: {fifo} is not a regular file (a device, FIFO or folder); name a new file" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_device_as_output_is_refused_and_left_alone():
    before = os.stat("/dev/null")
    result = render(Path("/dev/null"))
    assert result.returncode == 1 and "Error: /dev/null is not a regular file" in result.stderr
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_uid) == (before.st_mode, before.st_uid)


def test_a_folder_as_output_is_refused(tmp_path):
    result = render(tmp_path)
    assert result.returncode == 2 and "is a directory" in result.stderr


def test_a_link_as_output_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "elders.txt"
    target.write_text("van iemand anders\n")
    link = tmp_path / "veilig.wav"
    link.symlink_to(target)
    result = render(link)
    assert result.returncode == 1 and f"Error: {link} is a link; name the file itself, or a new file" in result.stderr
    assert target.read_text() == "van iemand anders\n"


def test_the_rendering_is_private_and_replaces_an_own_file(tmp_path):
    output = tmp_path / "veilig.wav"
    output.write_bytes(b"oud")
    result = render(output)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    samples, _ = read_wav(output)
    assert len(samples) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["veilig.wav"]


def test_render_on_a_full_disk_says_so_and_leaves_nothing(tiny_disk):
    output = tiny_disk / "veilig.wav"  # a whole exercise is megabytes: the 256 KB disk fills up
    result = render(output)
    assert result.returncode == 1
    assert f"Error: cannot write {output}: No space left on device" in result.stderr
    assert list(tiny_disk.iterdir()) == []


def test_prerender_on_a_full_disk_says_so_and_leaves_no_partial_file(tiny_disk):
    cache = tiny_disk / "cache"
    result = coach("prerender", "--voice", "gmw/nl", "--cache", str(cache))
    assert result.returncode == 1
    assert "the disk is full; free some space" in result.stderr
    assert "cannot speak" not in result.stderr  # not blamed on the voice, which could not help
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.startswith(".")]  # no scratch file left
    for wav in (p for p in files if p.suffix == ".wav"):
        assert len(read_wav(wav)[0]) > 0  # only whole renderings are kept
