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
    """The wheel, built from the checkout with the test environment's setuptools; one build
    at a time (each pytest-xdist worker builds its own, in the checkout's one build/ folder)."""
    import fcntl

    out = tmp_path_factory.mktemp("dist")
    with open(tmp_path_factory.getbasetemp().parent / "wheel-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
            check=True, capture_output=True, text=True, timeout=300,
        )
    (built,) = out.glob("voice_coach-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv, outside the checkout, with the wheel and its dependencies; returns its bin/.
    The test environment's pip installs into it (a pip of its own takes seconds to set up), and
    leaves compiling to Python, which compiles only what runs, when it first runs."""
    venv = tmp_path_factory.mktemp("elsewhere") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-compile",
         "--disable-pip-version-check", str(wheel)],
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


def home(cwd: Path) -> dict[str, str]:
    """An environment whose home, config and cache are in ``cwd``, importing nothing from the checkout."""
    env = {**os.environ, "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd / "config"), "XDG_CACHE_HOME": str(cwd / "cache")}
    env.pop("PYTHONPATH", None)
    return env


def run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """The installed command, run from ``cwd`` with a home of its own."""
    return subprocess.run([bin_dir / "voice-coach", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=home(cwd))


PLAY_EACH = """
import sys
from click.testing import CliRunner
from voice_coach.service.cli import main
for exercise in sys.argv[1:]:
    played = CliRunner().invoke(main, ["play", exercise, "--text", "--speed", "1000", "--answer", "nee"], prog_name="voice-coach")
    if played.exception is not None and not isinstance(played.exception, SystemExit):
        raise played.exception
    print(exercise, played.exit_code, "(einde: afgerond)" in played.stdout)
"""
"""The installed command's ``play`` for each exercise named: its id, exit status and whether it ended completed."""


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
    played = subprocess.run(  # every exercise in one process of the installed Python: a start each would take seconds
        [installed / "python", "-c", PLAY_EACH, *ids], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=home(tmp_path),
    )
    assert played.returncode == 0, played.stderr
    assert played.stdout.splitlines() == [f"{exercise} 0 True" for exercise in ids], played.stdout
    rendered = run(installed, tmp_path, "render", "veilig", "-o", str(tmp_path / "veilig.wav"), "--voice", "gmw/nl")
    assert rendered.returncode == 0, rendered.stderr
    assert (tmp_path / "veilig.wav").stat().st_size > 22050 * 2 * 30  # more than half a minute of speech and bells
