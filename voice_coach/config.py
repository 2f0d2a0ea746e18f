"""The coach's settings, with their defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import DUTCH_MODEL
from .paths import AUDIO_DIR, SCRIPTS_DIR, default_cache_dir, default_models_dir
from .tts import Voice


@dataclass
class Settings:
    """Everything that can be set; the command line fills it in."""

    scripts: Path = SCRIPTS_DIR
    """Folder with the exercise scripts."""
    audio: Path = AUDIO_DIR
    """Folder with the sounds and clips the scripts name."""
    voice: str = Voice.name
    """espeak-ng voice."""
    words_per_minute: int = Voice.words_per_minute
    """Speaking rate at an exercise's voice_rate 1.0."""
    pitch: int = Voice.pitch
    """espeak-ng pitch, 0-100."""
    speaker: str | None = None
    """Output device name (part of it is enough); None: the default device."""
    speaker_rate: int | None = None
    """Output sample rate; None: the device's own."""
    microphone: str | None = None
    """Input device name (part of it is enough); None: the default device."""
    microphone_rate: int | None = None
    """Input sample rate; None: the device's own (Vosk takes 16, 44.1 or 48 kHz)."""
    model: Path = field(default_factory=lambda: default_models_dir() / DUTCH_MODEL)
    """The Vosk model folder."""
    cache: Path = field(default_factory=default_cache_dir)
    """Where rendered speech is kept."""
    min_confidence: float = 0.5
    """Recognized words below this confidence are ignored."""
    barge_in: bool = False
    """Let "stop" through while the coach speaks."""
    volume: float = 0.7
    """Start volume, 0.1-1.0."""

    def voice_settings(self) -> Voice:
        """The voice these settings describe."""
        return Voice(self.voice, self.words_per_minute, self.pitch)
