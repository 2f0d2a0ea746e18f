"""install.sh and systemd/install-pi.sh: their options, and what they would do (--dry-run), Piper
and its Dutch voice by default on the Pi. They cannot run for real here (no systemd as PID 1, no
Dutch voice to download): the steps they run are tested on their own, the voice download and
prerender with the real commands (tests/test_voices.py, this file), the bundle in
tests/test_offline_bundle.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from voice_coach.speech.voices import INSTALL_VOICE, PREFERENCE

INSTALL = REPO / "install.sh"
INSTALL_PI = REPO / "systemd" / "install-pi.sh"


def run(script: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120)


def steps(result: subprocess.CompletedProcess) -> list[str]:
    """The steps a dry run would run, in order."""
    assert result.returncode == 0, result.stdout + result.stderr
    return [line.removeprefix("would run: ") for line in result.stdout.splitlines() if line.startswith("would run: ")]


def index_of(lines: list[str], part: str) -> int:
    return next(i for i, line in enumerate(lines) if part in line)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """install.sh with what it reads before doing anything, and nothing it could install into."""
    root = tmp_path / "checkout"
    (root / "tools").mkdir(parents=True)
    (root / "voice_coach" / "data" / "voices").mkdir(parents=True)
    shutil.copy(INSTALL, root / "install.sh")
    shutil.copy(REPO / "tools" / "bundle-sums.sh", root / "tools" / "bundle-sums.sh")
    shutil.copy(REPO / "voice_coach" / "data" / "voices" / "piper-dutch.tsv", root / "voice_coach" / "data" / "voices")
    return root


def test_the_installers_choose_the_voice_voices_py_prefers():
    assert PREFERENCE[0] == INSTALL_VOICE == "nl_NL-pim-medium"


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "install.sh: unknown option --bogus"),
    (["--piper-voice", "nl_NL-niemand-medium"], "no Dutch Piper voice called nl_NL-niemand-medium; the voices are: nl_BE-nathalie-medium"),
    (["--piper-voice"], "--piper-voice needs a voice id"),
])
def test_install_sh_refuses_bad_options_before_anything_changes(checkout, args, message):
    result = run(checkout / "install.sh", *args)
    assert result.returncode != 0 and message in result.stderr, result.stderr
    assert result.stdout == "" and not (checkout / ".venv").exists()


def test_a_dry_run_changes_nothing_and_without_piper_installs_none(checkout):
    plan = steps(run(checkout / "install.sh", "--dry-run"))
    assert not (checkout / ".venv").exists()
    assert any(line.endswith("-m venv .venv") for line in plan)
    assert not any("piper" in line or "voice download" in line for line in plan), plan
    assert plan[-1].endswith("voice-coach prerender")


def test_with_piper_the_engine_then_the_voice_then_every_sentence_with_it(checkout):
    plan = steps(run(checkout / "install.sh", "--dry-run", "--piper"))
    coach = index_of(plan, "-e .")
    engine = index_of(plan, "-e .[piper]")
    voice = index_of(plan, "voice-coach voice download")
    assert coach < engine < voice < len(plan) - 1 and plan[-1].endswith("voice-coach prerender"), plan
    assert plan[voice].endswith("voice download")  # the voice voice-coach chooses (INSTALL_VOICE)
    assert not any("config set voice" in line for line in plan)  # 'auto' picks it


def test_a_voice_named_is_downloaded_and_set_before_the_prerender(checkout):
    plan = steps(run(checkout / "install.sh", "--dry-run", "--piper-voice", "nl_BE-nathalie-medium"))
    voice = index_of(plan, "voice download nl_BE-nathalie-medium")
    chosen = index_of(plan, "config set voice nl_BE-nathalie-medium")
    assert voice < chosen < index_of(plan, "prerender"), plan


def bundle_with(root: Path, piper: bool) -> Path:
    bundle = root / "bundle"
    (bundle / "wheels").mkdir(parents=True)
    (bundle / "wheels" / "srt-3.5.3-py3-none-any.whl").write_bytes(b"PK")
    (bundle / "voices").mkdir()
    (bundle / "voices" / "nl_NL-pim-medium.onnx").write_bytes(b"onnx")
    if piper:
        (bundle / "piper").mkdir()
        (bundle / "piper" / "piper_tts-1.8.0-cp39-abi3-manylinux_2_28_aarch64.whl").write_bytes(b"PK piper")
    assert subprocess.run([str(REPO / "tools" / "bundle-sums.sh"), "write", str(bundle)]).returncode == 0
    return bundle


def test_offline_piper_comes_from_the_bundle_and_the_voice_from_its_voices(checkout, tmp_path):
    bundle = bundle_with(tmp_path, piper=True)
    plan = steps(run(checkout / "install.sh", "--dry-run", "--offline", str(bundle), "--piper"))
    engine = index_of(plan, f"--find-links {bundle}/piper --require-hashes -r {bundle}/piper/requirements.txt")
    assert "--no-index" in plan[engine]  # never an index offline
    voice = index_of(plan, f"voice download nl_NL-pim-medium --from {bundle}/voices")
    assert engine < voice < index_of(plan, "prerender")


def test_offline_without_piper_in_the_bundle_warns_and_goes_on(checkout, tmp_path):
    bundle = bundle_with(tmp_path, piper=False)
    result = run(checkout / "install.sh", "--dry-run", "--offline", str(bundle), "--piper")
    assert "the bundle carries no Piper (make it with tools/offline-bundle.sh --piper)" in result.stderr
    plan = steps(result)
    assert not any("piper/requirements.txt" in line for line in plan) and plan[-1].endswith("prerender")


def test_check_only_checks_the_bundle(checkout, tmp_path):
    bundle = bundle_with(tmp_path, piper=True)
    assert run(checkout / "install.sh", "--check", "--offline", str(bundle)).returncode == 0
    (bundle / "piper" / "piper_tts-1.8.0-cp39-abi3-manylinux_2_28_aarch64.whl").write_bytes(b"PK evil")
    result = run(checkout / "install.sh", "--check", "--offline", str(bundle))
    assert result.returncode == 1 and "was changed since it was made: piper/piper_tts" in result.stderr


# -- install-pi.sh -------------------------------------------------------------------------


def test_install_pi_installs_piper_and_its_voice_by_default_as_the_service_user():
    result = run(INSTALL_PI, "--dry-run")
    plan = steps(result)
    service_user = "runuser -u voice-coach -- env STATE_DIRECTORY=/var/lib/voice-coach CACHE_DIRECTORY=/var/cache/voice-coach"
    engine = index_of(plan, "-e .[piper]")
    voice = index_of(plan, "voice download")
    prerender = index_of(plan, "prerender")
    assert engine < voice < prerender, plan
    for step in (plan[voice], plan[prerender]):  # the service's own config: its voice and rate are rendered
        assert step.startswith(service_user) and "--config /etc/voice-coach/config.toml" in step, step
    assert "install and start voice-coach.service" in result.stdout


def test_install_pi_no_piper_leaves_piper_out():
    plan = steps(run(INSTALL_PI, "--dry-run", "--no-piper"))
    assert not any("piper" in line or "voice download" in line for line in plan), plan
    assert "prerender" in plan[index_of(plan, "prerender")]


def test_install_pi_passes_a_chosen_voice_and_sets_it_in_the_services_config():
    plan = steps(run(INSTALL_PI, "--dry-run", "--piper-voice", "nl_NL-ronnie-medium"))
    assert "voice-coach --config /etc/voice-coach/config.toml config set voice nl_NL-ronnie-medium" in plan[index_of(plan, "config set voice")]
    assert plan[index_of(plan, "config set voice")].startswith(str(REPO))  # by root, who owns /etc/voice-coach


@pytest.mark.parametrize("args, message", [
    (["--dry-run", "--bogus"], "install-pi.sh: unknown option --bogus"),
    (["--dry-run", "--piper-voice", "nl_NL-niemand-medium"], "no Dutch Piper voice called nl_NL-niemand-medium"),
])
def test_install_pi_refuses_bad_options_before_any_step(args, message):
    result = run(INSTALL_PI, *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "would run" not in result.stdout


def test_install_pi_checks_the_bundle_before_any_step(tmp_path):
    bundle = bundle_with(tmp_path, piper=True)
    os.remove(bundle / "SHA256SUMS")
    result = run(INSTALL_PI, "--dry-run", "--offline", str(bundle))
    assert result.returncode == 1 and "has no SHA256SUMS" in result.stderr and "would run" not in result.stdout
