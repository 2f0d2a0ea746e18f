"""What a voice is, and what an engine must offer to speak it.

The leaf that the voice catalogue (:mod:`voice_coach.speech.voices`) and the three
engines (``espeak_synthesis``, ``mbrola_synthesis``, ``piper_synthesis``) share: it
imports none of them, so they depend on it and never on each other through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Voice:
    """How the coach sounds."""

    name: str = "gmw/nl"
    """The voice: an espeak-ng id (``gmw/nl``), an MBROLA voice (``mb-nl2``) or a Piper voice."""
    words_per_minute: int = 128
    """Speaking rate at voice_rate 1.0: calm, for tired or anxious listeners with their eyes
    closed (espeak's own 175 and conversational Dutch at about 150 are too quick)."""
    pitch: int = 45
    """espeak pitch, 0-100 (50 is espeak's default); MBROLA follows it, Piper has its own."""
    engine: str = "espeak"
    """Which engine speaks it: a key of :data:`voice_coach.speech.voices.ENGINES`."""
    model: Path | None = None
    """A Piper voice's ``.onnx`` file (its ``.onnx.json`` beside it)."""
    language: str = "nl"
    """The language it speaks (``nl_NL``, ``nl_BE`` for Flemish)."""


class SynthesisEngine(Protocol):
    """What the renderer needs of an engine; each implementation is one module."""

    family: str
    """Which pronunciation table applies (``data/pronunciation.toml``)."""

    def worker_command(self, voice: Voice, words_per_minute: int) -> list[str]:
        """The rendering process (protocol: :mod:`voice_coach.speech.worker_protocol`)."""

    def version(self, voice: Voice) -> str | None:
        """A string that changes whenever the sound could (for the speech cache); None: cannot speak."""

    def problem(self, voice: Voice) -> str | None:
        """Why ``voice`` cannot speak here, with the command that fixes it; None when it can."""
