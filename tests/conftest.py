"""Shared helpers: scripts built from plain dicts through the real loader, and a
fixed speech timing so engine schedules are exact."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from voice_coach.engine import Engine
from voice_coach.loader import parse_script
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.phrases import load_phrases
from voice_coach.care import load_care
from voice_coach.script import Script


@dataclass(frozen=True)
class FixedTiming:
    """Every sentence takes ``speech`` seconds, every sound ``sound`` seconds."""

    speech: float = 1.0
    sound: float = 2.0

    def speech_seconds(self, text: str, rate: float) -> float:
        return self.speech / rate

    def sound_seconds(self, sound: str) -> float:
        return self.sound


def make_script(*steps: dict, **meta) -> Script:
    """A valid script with these steps; fails the test if the loader rejects it."""
    data = {"id": "test", "title": "Test", "triggers": ["test"], "summary": "Test.", "minutes": 1, **meta}
    data["step"] = list(steps)
    script, problems = parse_script(data, "test.toml", AUDIO_DIR)
    assert script is not None, [str(p) for p in problems]
    return script


def make_engine(*steps: dict, **meta) -> Engine:
    return Engine(make_script(*steps, **meta), FixedTiming(), load_phrases().replies, load_care().crisis_message)


@pytest.fixture
def scripts_dir() -> Path:
    return SCRIPTS_DIR
