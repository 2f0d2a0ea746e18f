"""Piper: neural, offline voices (``piper-tts`` from PyPI, GPL-3.0-or-later).

voice-coach is MIT: Piper is an optional extra, imported only in its own
rendering process (:mod:`voice_coach.speech.piper_worker`), never by the coach.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..paths import command_name
from .piper_catalogue import piper_catalogue
from .synthesis import Voice

NATURAL_WORDS_PER_MINUTE = 200
"""About how fast a Piper voice speaks at ``length_scale`` 1.0 (measured: en_US-joe-medium, about
240 English words a minute; Dutch words are longer and no Dutch voice could be measured here),
so the coach's 128 words a minute become a length_scale of about 1.6."""
CONFIG_MAX_BYTES = 1 << 20
"""A Piper voice config is a few kilobytes (the Dutch ones 4-6 KB); a larger file is none."""
MODEL_BYTES = range(1 << 20, (1 << 30) + 1)
"""The sizes a Piper model may have (the Dutch ones are 20-77 MB): a bigger one would take
all the memory of a Pi, a smaller one is no model."""
SAMPLE_RATES = range(8000, 192001)
"""Sample rates a voice may render at."""
PHONEME_TYPES = ("espeak", "text")
"""How a voice turns text into phonemes (Piper's own names)."""
INSTALL_PIPER = f"install it with: {sys.executable} -m pip install piper-tts (GPL-3.0-or-later; it runs in a process of its own)"


def length_scale(words_per_minute: int) -> float:
    """Piper's speed setting for a rate in words a minute (above 1: slower)."""
    return round(NATURAL_WORDS_PER_MINUTE / words_per_minute, 3)


def _count(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def config_problem(path: Path) -> str | None:
    """Why ``path`` is not a voice config Piper can load (it needs every field checked here);
    None when it is one."""
    try:
        with path.open("rb") as file:
            raw = file.read(CONFIG_MAX_BYTES + 1)
        if len(raw) > CONFIG_MAX_BYTES:
            return f"{path.name} is larger than {CONFIG_MAX_BYTES} bytes, far more than a Piper voice config"
        config = json.loads(raw)
    except OSError as err:
        return f"{path.name} cannot be read ({err.strerror})"
    except RecursionError:
        return f"{path.name} is nested too deeply to be a Piper voice config"
    except ValueError as err:
        return f"{path.name} is not JSON ({err})"
    why = _config_fields_problem(config)
    return f"{path.name} is not a Piper voice config: {why}" if why else None


def _config_fields_problem(config: object) -> str | None:
    if not isinstance(config, dict):
        return f"it holds {type(config).__name__}, not an object"
    audio, espeak, inference = config.get("audio"), config.get("espeak"), config.get("inference", {})
    if not isinstance(audio, dict) or not _count(audio.get("sample_rate"), 0) or audio["sample_rate"] not in SAMPLE_RATES:
        return f"audio.sample_rate must be a number of Hz from {SAMPLE_RATES.start} to {SAMPLE_RATES.stop - 1}"
    if not isinstance(espeak, dict) or not isinstance(espeak.get("voice"), str) or not espeak["voice"]:
        return "espeak.voice must name an espeak-ng voice"
    if not _count(config.get("num_symbols"), 1) or not _count(config.get("num_speakers"), 1):
        return "num_symbols and num_speakers must be whole numbers of at least 1"
    symbols, phonemes = config["num_symbols"], config.get("phoneme_id_map")
    if not isinstance(phonemes, dict) or not phonemes or not all(
        isinstance(ids, list) and ids and all(_count(i, 0) and i < symbols for i in ids) for ids in phonemes.values()
    ):
        return f"phoneme_id_map must map each phoneme to ids below num_symbols ({symbols})"
    if config.get("phoneme_type", "espeak") not in PHONEME_TYPES:
        return f"phoneme_type must be one of {', '.join(PHONEME_TYPES)}"
    if not isinstance(inference, dict) or not all(_number(v) for v in inference.values()):
        return "inference must hold numbers"
    speakers = config.get("speaker_id_map", {})
    if not isinstance(speakers, dict) or not all(_count(i, 0) for i in speakers.values()):
        return "speaker_id_map must map each speaker to an id"
    return None


def piper_available() -> bool:
    return importlib.util.find_spec("piper") is not None


class PiperEngine:
    """A Piper voice file, one process per rate."""

    family = "piper"

    def worker_command(self, voice: Voice, words_per_minute: int) -> list[str]:
        return [sys.executable, "-m", "voice_coach.speech.piper_worker", str(voice.model), str(length_scale(words_per_minute))]

    def version(self, voice: Voice) -> str | None:
        if self.problem(voice):
            return None
        config = voice.model.with_name(voice.model.name + ".json")
        return f"piper-tts {version('piper-tts')}; {voice.model.stat().st_size}; {hashlib.sha256(config.read_bytes()).hexdigest()}"

    def problem(self, voice: Voice) -> str | None:
        try:
            version("piper-tts")
        except PackageNotFoundError:
            return f"Piper is not installed; {INSTALL_PIPER}"
        if not piper_available():
            return f"Piper cannot be imported; {INSTALL_PIPER}"
        fix = (
            f"download it with: {command_name()} voice download {voice.name}" if voice.name in piper_catalogue()
            else "set 'voice' to a whole Piper voice (an .onnx file with its .onnx.json beside it)"
        )
        config = voice.model.with_name(voice.model.name + ".json") if voice.model else None
        if voice.model is None or not voice.model.is_file() or not config.is_file():
            return f"Piper voice {voice.name} is not installed; {fix}"
        size = voice.model.stat().st_size
        if size not in MODEL_BYTES:
            return f"Piper voice {voice.name} is damaged: {voice.model.name} has {size} bytes, no Piper model has that many; {fix}"
        why = config_problem(config)
        return f"Piper voice {voice.name} is damaged: {why}; {fix}" if why else None
