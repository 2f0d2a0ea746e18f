"""XDG base folders: an empty or relative value counts as unset (the XDG spec), so the
config, journal, models and cache never land in whatever folder the program runs from."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_coach.paths import default_cache_dir, default_models_dir
from voice_coach.service.config import Settings, default_config_path


@pytest.mark.parametrize("value", ["", "relative/folder", "."])
def test_an_empty_or_relative_xdg_folder_is_ignored(monkeypatch, tmp_path, value):
    monkeypatch.setenv("HOME", str(tmp_path))
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, value)
    for name in ("CONFIGURATION_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    assert default_config_path() == tmp_path / ".config" / "voice-coach" / "config.toml"
    assert default_models_dir() == tmp_path / ".local" / "share" / "voice-coach" / "models"
    assert default_cache_dir() == tmp_path / ".cache" / "voice-coach"
    assert Settings().journal == tmp_path / ".local" / "share" / "voice-coach" / "journal.sqlite"


def test_an_absolute_xdg_folder_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "d"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "k"))
    for name in ("CONFIGURATION_DIRECTORY", "STATE_DIRECTORY", "CACHE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    assert default_config_path() == tmp_path / "c" / "voice-coach" / "config.toml"
    assert default_models_dir() == tmp_path / "d" / "voice-coach" / "models"
    assert default_cache_dir() == tmp_path / "k" / "voice-coach"
    assert Path(default_config_path()).is_absolute()
