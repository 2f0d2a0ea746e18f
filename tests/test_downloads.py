"""Downloads (the speech model and Piper voices) are bounded by what they should be: a
local HTTP server on 127.0.0.1 that sends bytes forever, or announces too many, is cut off;
a huge file carried over is refused before it is copied; a full disk, a folder that may not
be written and SIGTERM leave a clear message and no partial file."""

from __future__ import annotations

import contextlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from voice_coach.speech.download import CHUNK, DownloadError, download
from voice_coach.speech.model import ManifestEntry, install_model
from voice_coach.speech.voice_install import install_voice
from voice_coach.speech.piper_catalogue import PiperEntry

ENTRY = PiperEntry("nl_NL-test-medium", "medium", 2 << 20, "0" * 32, None, None)
"""A voice of 2 MB as the catalogue would describe it."""
MANIFEST = [ManifestEntry("0" * 64, 1 << 20, "am/final.mdl")]
"""A model of 1 MB."""


class Endless(http.server.BaseHTTPRequestHandler):
    """Answers every request with bytes and no Content-Length, until the client goes away
    (or, with ?length=N in the path, announces N bytes); counts what it sent."""

    sent = 0

    def do_GET(self):
        self.send_response(200)
        if "length=" in self.path:
            self.send_header("Content-Length", self.path.split("length=")[1])
        self.end_headers()
        block = b"\0" * CHUNK
        with contextlib.suppress(OSError):
            while True:
                self.wfile.write(block)
                type(self).sent += len(block)
                if "slow" in self.path:
                    time.sleep(0.02)  # a trickle: the test has time to stop the client

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Endless.sent = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def scratch_left(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".download-")] if folder.exists() else []


def test_a_server_sending_forever_without_length_is_cut_off_at_the_expected_size(server, tmp_path):
    target = tmp_path / "file"
    with pytest.raises(DownloadError, match="larger than the 1048576 bytes expected; stopped"):
        download(f"{server}/endless", target, lambda done, total: None, 1 << 20)
    assert target.stat().st_size <= 1 << 20


def test_a_server_announcing_too_much_is_refused_before_reading(server, tmp_path):
    with pytest.raises(DownloadError, match="larger than the 1048576 bytes expected"):
        download(f"{server}/big?length={10 << 30}", tmp_path / "file", lambda done, total: None, 1 << 20)
    assert (tmp_path / "file").stat().st_size == 0


def test_voice_and_model_downloads_stop_at_their_size_and_leave_nothing(server, tmp_path):
    with pytest.raises(DownloadError, match=f"larger than the {ENTRY.onnx_bytes} bytes expected"):
        install_voice(ENTRY, tmp_path / "voices", server)
    with pytest.raises(DownloadError, match=f"larger than the {(1 << 20) + (1 << 20)} bytes expected"):
        install_model(f"{server}/model.zip", tmp_path / "models", "m", MANIFEST)
    assert scratch_left(tmp_path / "voices") == scratch_left(tmp_path / "models") == []
    assert Endless.sent < 64 << 20  # what was read, and the socket buffers: megabytes, not gigabytes


def test_a_huge_sparse_voice_carried_over_is_refused_before_copying(tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    subprocess.run(["truncate", "-s", "3G", str(usb / f"{ENTRY.id}.onnx")], check=True)
    (usb / f"{ENTRY.id}.onnx.json").write_text("{}")
    voices = tmp_path / "voices"
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "voice", "download", "nl_NL-pim-medium", "--from", str(usb)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "XDG_DATA_HOME": str(tmp_path)},
    )
    assert result.returncode == 1 and "usb/nl_NL-pim-medium.onnx is missing or not a regular file" in result.stderr
    os.rename(usb / f"{ENTRY.id}.onnx", usb / "nl_NL-pim-medium.onnx")
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "voice", "download", "nl_NL-pim-medium", "--from", str(usb)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "XDG_DATA_HOME": str(tmp_path)},
    )
    assert result.returncode == 1, result.stderr
    assert "larger than the 63516050 bytes expected" in result.stderr and "Traceback" not in result.stderr
    used = sum(p.stat().st_blocks * 512 for p in voices.rglob("*") if p.is_file()) if voices.exists() else 0
    assert used < 1 << 20 and scratch_left(voices) == []


def test_a_fifo_carried_over_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / f"{ENTRY.id}.onnx")
    with pytest.raises(DownloadError, match="is missing or not a regular file"):
        install_voice(ENTRY, tmp_path / "voices", str(tmp_path))


def test_a_full_disk_gives_a_clear_message_and_leaves_nothing(server, tiny_disk):
    with pytest.raises(DownloadError, match=f"the disk holding {tiny_disk}/models is full; make room there"):
        install_model(f"{server}/model.zip", tiny_disk / "models", "m", MANIFEST)
    assert scratch_left(tiny_disk / "models") == []


@pytest.fixture
def unwritable(tmp_path):
    """A folder even root may not write in: immutable (chattr +i)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("chattr +i is not possible here")
    yield folder
    subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_folder_that_may_not_be_written_gives_a_clear_message(server, unwritable):
    with pytest.raises(DownloadError, match=f"cannot write {unwritable}/.lock .*run this as the user who owns {unwritable}"):
        install_voice(ENTRY, unwritable, server)
    with pytest.raises(DownloadError, match=f"cannot write {unwritable}/voices .*Operation not permitted"):
        install_voice(ENTRY, unwritable / "voices", server)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_during_a_download_leaves_no_partial_file(server, tmp_path, stop):
    models = tmp_path / "models"
    process = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "model", "download", "--url", f"{server}/slow",
         "--models-dir", str(models)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        while not any(p.stat().st_size > 0 for p in models.glob(".download-*/model.zip")):  # until it is writing
            assert process.poll() is None, process.stderr.read()
            time.sleep(0.05)
        process.send_signal(stop)
        assert process.wait(timeout=60) == 128 + stop
    finally:
        process.kill()
    assert scratch_left(models) == []


def test_a_huge_model_zip_carried_over_is_refused_before_copying(tmp_path):
    archive = tmp_path / "vosk-model-small-nl-0.22.zip"
    subprocess.run(["truncate", "-s", "3G", str(archive)], check=True)
    models = tmp_path / "models"
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", os.devnull, "model", "download", "--from", str(archive), "--models-dir", str(models)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1 and "is larger than the" in result.stderr and "Traceback" not in result.stderr
    assert sum(p.stat().st_blocks * 512 for p in models.rglob("*") if p.is_file()) < 1 << 20 and scratch_left(models) == []


def test_a_model_unpacked_by_hand_is_kept_aside_and_survives_the_next_install(tmp_path):
    from voice_coach.speech.download import swap_in

    models = tmp_path / "models"
    (models / "nl").mkdir(parents=True)
    (models / "nl" / "mine.txt").write_text("unpacked by hand")
    for version in ("first", "second"):
        unpacked = tmp_path / version
        unpacked.mkdir()
        (unpacked / "version").write_text(version)
        swap_in(unpacked, models, "nl")
        assert (models / "nl" / "version").read_text() == version
    kept = [p for p in models.iterdir() if p.name.startswith(".nl-manual-")]
    assert len(kept) == 1 and (kept[0] / "mine.txt").read_text() == "unpacked by hand"
    assert sorted(p.name for p in models.iterdir() if not p.name.startswith(".nl-manual-")) == [".nl-2", "nl"]
