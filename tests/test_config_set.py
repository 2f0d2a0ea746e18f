"""`voice-coach config set`: one key changed in the real config file, comments kept, and a
bad value refused with the file left exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from voice_coach.service.config import load_config


def config_set(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_coach", "--config", str(path), "config", "set", *args], capture_output=True, text=True, timeout=60)


def test_a_key_is_added_and_the_example_comments_stay(tmp_path):
    path = tmp_path / "config.toml"
    example = (REPO / "docs" / "config.example.toml").read_text()
    path.write_text(example)
    os.chmod(path, 0o640)
    result = config_set(path, "speaker", 'USB "PnP" Sound Device: Audio')
    assert result.returncode == 0, result.stderr
    assert path.read_text().startswith(example)
    assert load_config(path).settings.speaker == 'USB "PnP" Sound Device: Audio'
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_set_key_is_replaced_in_place(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# mijn instellingen\nvolume = 0.3\nspeaker = "oud"\n')
    assert config_set(path, "volume", "0.6").returncode == 0
    assert config_set(path, "barge_in", "true").returncode == 0
    assert path.read_text() == '# mijn instellingen\nvolume = 0.6\nspeaker = "oud"\nbarge_in = true\n'


def test_a_bad_value_or_key_is_refused_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("volume = 0.3\n")
    for args, message in (
        (("volume", "5"), "key 'volume': 5.0 is out of range; use a number from 0.1 to 1"),
        (("volume", "hard"), "key 'volume': 'hard' is not a number"),
        (("speker", "x"), "unknown key (did you mean 'speaker'?)"),
        (("barge_in", "ja"), "must be true or false"),
    ):
        result = config_set(path, *args)
        assert result.returncode == 78 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert path.read_text() == "volume = 0.3\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_linked_config_is_changed_where_it_is(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text("")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert config_set(link, "microphone", "USB").returncode == 0
    assert link.is_symlink() and real.read_text() == 'microphone = "USB"\n'


def test_the_first_setting_creates_the_users_config(tmp_path):
    home = tmp_path / "config"
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "config", "set", "volume", "0.4"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "XDG_CONFIG_HOME": str(home)},
    )
    assert result.returncode == 0, result.stderr
    assert (home / "voice-coach" / "config.toml").read_text() == "volume = 0.4\n"
