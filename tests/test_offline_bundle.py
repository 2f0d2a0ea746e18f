"""The offline bundle's SHA256SUMS (tools/bundle-sums.sh): written when the bundle is made,
and `install.sh --offline` stops before dpkg or pip when any file was changed, added or linked."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

SUMS = REPO / "tools" / "bundle-sums.sh"


def sums(mode: str, bundle: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SUMS), mode, str(bundle)], capture_output=True, text=True)


@pytest.fixture
def bundle(tmp_path) -> Path:
    """A small bundle as tools/offline-bundle.sh lays it out, with its sums written."""
    out = tmp_path / "bundle"
    for name, data in {
        "debs/espeak-ng_1.51_arm64.deb": b"!<arch>\nnot really a package",
        "wheels/vosk-0.3.45-py3-none-linux_aarch64.whl": b"PK wheel one",
        "wheels/srt-3.5.3-py3-none-any.whl": b"PK wheel two",
        "wheels/voice_coach-0.1.0-py3-none-any.whl": b"PK our own",
        "model/vosk-model-small-nl-0.22.zip": b"PK model",
        "voices/nl_NL-pim-medium.onnx": b"onnx",
    }.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    assert sums("write", out).returncode == 0
    return out


def test_the_sums_cover_every_file_and_pin_each_wheel_by_hash(bundle):
    listed = sorted(line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines())
    assert listed == sorted(["debs/espeak-ng_1.51_arm64.deb", "wheels/vosk-0.3.45-py3-none-linux_aarch64.whl", "wheels/srt-3.5.3-py3-none-any.whl",
                             "wheels/voice_coach-0.1.0-py3-none-any.whl", "model/vosk-model-small-nl-0.22.zip", "voices/nl_NL-pim-medium.onnx",
                             "requirements.txt"])
    vosk = hashlib.sha256(b"PK wheel one").hexdigest()
    assert (bundle / "requirements.txt").read_text().splitlines() == [
        f"srt==3.5.3 --hash=sha256:{hashlib.sha256(b'PK wheel two').hexdigest()}", f"vosk==0.3.45 --hash=sha256:{vosk}"]
    assert sums("check", bundle).returncode == 0


@pytest.mark.parametrize("tamper, message", [
    (lambda b: (b / "debs/espeak-ng_1.51_arm64.deb").write_bytes(b"!<arch>\nevil"), "was changed since it was made: debs/espeak-ng_1.51_arm64.deb: FAILED"),
    (lambda b: (b / "debs/evil_1.0_all.deb").write_bytes(b"!<arch>\n"), "holds files that are not in its SHA256SUMS: debs/evil_1.0_all.deb"),
    (lambda b: (b / "wheels/evil-1.0-py3-none-any.whl").write_bytes(b"PK"), "not in its SHA256SUMS: wheels/evil-1.0-py3-none-any.whl"),
    (lambda b: (b / "requirements.txt").write_text("evil==1.0\n"), "was changed since it was made: requirements.txt: FAILED"),
    (lambda b: (b / "SHA256SUMS").unlink(), "has no SHA256SUMS"),
    (lambda b: (b / "debs/link.deb").symlink_to(b / "debs/espeak-ng_1.51_arm64.deb"), "holds what is not a plain file (a link, FIFO or device): debs/link.deb"),
])
def test_a_tampered_bundle_stops_install_sh_before_dpkg_or_pip(bundle, tmp_path, tamper, message):
    checkout = tmp_path / "checkout"  # install.sh and the script it runs first, nothing it could install into
    (checkout / "tools").mkdir(parents=True)
    shutil.copy(REPO / "install.sh", checkout / "install.sh")
    shutil.copy(SUMS, checkout / "tools" / "bundle-sums.sh")
    tamper(bundle)
    result = subprocess.run([str(checkout / "install.sh"), "--offline", str(bundle)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr and "make it again with tools/offline-bundle.sh" in result.stderr, result.stderr
    assert "Installing" not in result.stdout and not (checkout / ".venv").exists()  # stopped before dpkg, venv and pip


def test_piper_is_pinned_apart_so_it_is_installed_only_when_asked_for(bundle):
    piper = bundle / "piper" / "piper_tts-1.8.0-cp39-abi3-manylinux_2_28_aarch64.whl"
    piper.parent.mkdir()
    piper.write_bytes(b"PK piper")
    assert sums("write", bundle).returncode == 0
    assert (bundle / "piper" / "requirements.txt").read_text() == f"piper_tts==1.8.0 --hash=sha256:{hashlib.sha256(b'PK piper').hexdigest()}\n"
    assert "piper" not in (bundle / "requirements.txt").read_text()
    listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()}
    assert {"piper/requirements.txt", piper.relative_to(bundle).as_posix()} <= listed
    os.mkfifo(bundle / "piper" / "evil.whl")  # never waited on
    result = sums("check", bundle)
    assert result.returncode == 1 and "holds what is not a plain file (a link, FIFO or device): piper/evil.whl" in result.stderr
    os.remove(bundle / "piper" / "evil.whl")
    (bundle / "piper" / "requirements.txt").write_text("evil==1.0\n")
    result = sums("check", bundle)
    assert result.returncode == 1 and "was changed since it was made: piper/requirements.txt: FAILED" in result.stderr
