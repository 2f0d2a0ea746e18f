"""`voice-coach config set`: one key changed in the real config file, comments kept, and a
bad value refused with the file left exactly as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from voice_coach.service.config import load_config


def config_set(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_coach", "--config", str(path), "config", "set", *args], capture_output=True, text=True, timeout=60)


def config_set_of_user(config_home: Path, *args: str) -> subprocess.CompletedProcess:
    """``config set`` of the user's own config (no --config), under ``$XDG_CONFIG_HOME``."""
    return subprocess.run([sys.executable, "-m", "voice_coach", "config", "set", *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_CONFIG_HOME": str(config_home)})


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


@pytest.mark.parametrize("before, sets, after", [
    ('# mijn instellingen\nvolume = 0.3\nspeaker = "oud"\n', [("volume", "0.6"), ("barge_in", "true")],
     '# mijn instellingen\nvolume = 0.6\nspeaker = "oud"\nbarge_in = true\n'),
    ('volume = 0.3  # zacht, voor de nacht\nspeaker = "USB #2"  # de kaart # naast het bed\n', [("volume", "0.6"), ("speaker", "Headphones")],
     'volume = 0.6  # zacht, voor de nacht\nspeaker = "Headphones"  # de kaart # naast het bed\n'),  # a comment on the key's line stays
    ('# kaart\nspeaker = """USB\nAudio"""  # oud\nvolume = 0.3\n', [("speaker", "Headphones")],
     '# kaart\nspeaker = "Headphones"  # oud\nvolume = 0.3\n'),  # a multi-line value is replaced whole
])
def test_a_set_key_is_replaced_in_place(tmp_path, before, sets, after):
    path = tmp_path / "config.toml"
    path.write_text(before)
    for key, value in sets:
        assert config_set(path, key, value).returncode == 0
    assert path.read_text() == after


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
    result = config_set_of_user(home, "volume", "0.4")
    assert result.returncode == 0, result.stderr
    assert (home / "voice-coach" / "config.toml").read_text() == "volume = 0.4\n"


# -- hostile and concurrent cases ----------------------------------------------------------

OTHER_USER = 54321
"""A uid that is not the caller's (the tests run as root)."""


def test_a_link_planted_at_the_old_scratch_name_is_not_followed(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("volume = 0.3\n")
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    (tmp_path / ".config.toml.new").symlink_to(victim)
    assert config_set(path, "volume", "0.5").returncode == 0
    assert victim.read_text() == "keep\n" and path.read_text() == "volume = 0.5\n"


def test_a_fifo_planted_at_the_old_scratch_name_does_not_hang_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("volume = 0.3\n")
    os.mkfifo(tmp_path / ".config.toml.new")
    assert config_set(path, "volume", "0.5").returncode == 0
    assert path.read_text() == "volume = 0.5\n"


def test_a_dangling_config_link_is_refused_and_creates_nothing(tmp_path):
    home = tmp_path / "config"
    (home / "voice-coach").mkdir(parents=True)
    link = home / "voice-coach" / "config.toml"
    link.symlink_to(tmp_path / "elsewhere" / "deep" / "config.toml")
    result = config_set_of_user(home, "volume", "0.4")
    assert result.returncode == 78 and "is a link to" in result.stderr and "which does not exist" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "elsewhere").exists() and link.is_symlink()


def test_the_owner_and_mode_of_the_config_are_kept(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("volume = 0.3\n")
    os.chown(path, OTHER_USER, OTHER_USER)
    os.chmod(path, 0o640)
    assert config_set(path, "volume", "0.5").returncode == 0
    info = path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (OTHER_USER, OTHER_USER, 0o640)
    assert path.read_text() == "volume = 0.5\n"


def test_a_key_line_inside_another_keys_multiline_string_is_left_alone(tmp_path):
    path = tmp_path / "config.toml"
    text = 'microphone = """USB\nspeaker = "binnen de tekst"\n"""\n'
    path.write_text(text)
    assert config_set(path, "speaker", "Headphones").returncode == 0
    assert path.read_text() == text + 'speaker = "Headphones"\n'
    settings = load_config(path).settings
    assert settings.speaker == "Headphones" and settings.microphone == 'USB\nspeaker = "binnen de tekst"\n'
    assert config_set(path, "speaker", "USB Audio").returncode == 0  # now the real line is found and replaced
    assert path.read_text() == text + 'speaker = "USB Audio"\n'


SETTER = """
import sys
from pathlib import Path
from voice_coach.service.config import set_key
path, key = Path(sys.argv[1]), sys.argv[2]
print("ready", flush=True)
sys.stdin.readline()  # all three start together
for n in range(40):
    set_key(path, key, str(int(sys.argv[3]) + n))
"""


def test_three_processes_setting_forty_times_lose_nothing(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# mijn instellingen\nvolume = 0.3  # zacht\n")
    keys = {"words_per_minute": 100, "pitch": 10, "speaker_rate": 16000}
    setters = [subprocess.Popen([sys.executable, "-c", SETTER, str(path), key, str(start)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for key, start in keys.items()]
    assert [setter.stdout.readline() for setter in setters] == ["ready\n"] * 3
    for setter in setters:
        setter.stdin.write("go\n")
        setter.stdin.close()
    assert [setter.wait(timeout=300) for setter in setters] == [0, 0, 0]
    text = path.read_text()
    assert text.startswith("# mijn instellingen\nvolume = 0.3  # zacht\n")
    settings = load_config(path).settings
    assert (settings.words_per_minute, settings.pitch, settings.speaker_rate) == (139, 49, 16039)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
