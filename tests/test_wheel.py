"""voice-coach as real software: a wheel that carries its exercises, sounds and data,
installed into a fresh virtual environment outside the checkout and run from elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from the checkout with the test environment's setuptools."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    (built,) = out.glob("voice_coach-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv, outside the checkout, with the wheel and its dependencies; returns its bin/."""
    venv = tmp_path_factory.mktemp("elsewhere") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=600,
    )
    assert pip.returncode == 0, pip.stderr
    return venv / "bin"


def test_the_wheel_carries_every_module_script_sound_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "voice_coach"
    modules = {str(p.relative_to(REPO)) for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    scripts = {f"voice_coach/exercises/{p.name}" for p in (REPO / "scripts").glob("*.toml")}
    sounds = {f"voice_coach/sounds/{p.name}" for p in (REPO / "audio").glob("*.wav")}
    data = {str(p.relative_to(REPO)) for p in (package / "data").rglob("*") if p.is_file()}
    for wanted in (modules, scripts, sounds, data):
        assert wanted and wanted <= names, sorted(wanted - names)


def run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed command, run from ``cwd`` with a home of its own."""
    env = {**os.environ, "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd / "config"), "XDG_CACHE_HOME": str(cwd / "cache")}
    env.pop("PYTHONPATH", None)
    return subprocess.run([bin_dir / "voice-coach", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def test_the_installed_wheel_is_the_one_running_not_the_checkout(installed, tmp_path):
    where = subprocess.run(
        [installed / "python", "-c", "import voice_coach; print(voice_coach.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.parent) and not Path(where).is_relative_to(REPO)


def test_the_installed_wheel_lists_renders_and_plays_every_exercise(installed, tmp_path):
    listed = run(installed, tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    ids = [line.split()[0] for line in listed.stdout.splitlines()]
    assert ids == sorted(p.stem for p in (REPO / "scripts").glob("*.toml"))
    assert all(line.endswith("[shipped]") for line in listed.stdout.splitlines())
    validated = run(installed, tmp_path, "validate")
    assert validated.returncode == 0 and f"{len(ids)} valid, 0 errors" in validated.stdout, validated.stderr
    for exercise in ids:
        played = run(installed, tmp_path, "play", exercise, "--text", "--speed", "1000", "--answer", "nee")
        assert played.returncode == 0 and "(einde: afgerond)" in played.stdout, (exercise, played.stdout, played.stderr)
    rendered = run(installed, tmp_path, "render", "veilig", "-o", str(tmp_path / "veilig.wav"), "--voice", "gmw/nl")
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "veilig.wav").stat().st_size > 22050 * 2 * 30  # more than half a minute of speech and bells
