"""Voices, as one concept: every voice the device has or could have, and the best one.

A voice is spoken by one of three engines, each a small :class:`SynthesisEngine`
in a module of its own: espeak-ng through pyttsx3 (always there, the last
fallback), MBROLA through espeak-ng (clearer Dutch diphones), and Piper (neural,
the most natural; GPL, so it stays an optional extra in its own process).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Protocol

from ..paths import DATA_DIR

AUTO = "auto"
"""The voice setting that means: the best voice installed."""
PIPER_CATALOGUE = DATA_DIR / "voices" / "piper-dutch.tsv"
"""The Dutch Piper voices: id, quality, sizes and MD5 digests."""


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
    """Which engine speaks it: a key of :data:`ENGINES`."""
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


def _engines() -> dict[str, SynthesisEngine]:
    from .espeak_synthesis import EspeakEngine
    from .mbrola_synthesis import MbrolaEngine
    from .piper_synthesis import PiperEngine

    return {"espeak": EspeakEngine(), "mbrola": MbrolaEngine(), "piper": PiperEngine()}


ENGINES: dict[str, SynthesisEngine] = _engines()
"""Engine name -> engine."""

PREFERENCE = (
    "nl_NL-pim-medium", "nl_BE-nathalie-medium", "nl_NL-ronnie-medium", "nl_NL-alex-medium", "nl_BE-rdh-medium",
    "mb-nl2", "gmw/nl",
)
"""The best voice first. Piper's nl_NL pim (medium) leads: Netherlands Dutch, medium
quality, and the only nl_NL voice whose model and config digests are both published
(so both are verified); Flemish nathalie is next. The nl_NL-mls voices are reported
to garble short phrases, and x_low voices sound rough: they are never chosen by
themselves. Then MBROLA nl2 (an independent ear got 22.5 % of words wrong against
espeak-ng's 58.7 %), then espeak-ng, which is always there. MBROLA nl3 lacks some
Dutch diphones."""


@dataclass(frozen=True)
class PiperEntry:
    """One Dutch Piper voice in the catalogue."""

    id: str
    """e.g. ``nl_NL-pim-medium``."""
    quality: str
    """``x_low``, ``low`` or ``medium``."""
    onnx_bytes: int
    """Size of the model."""
    onnx_md5: str
    """MD5 of the model, hex."""
    json_bytes: int | None
    """Size of its config, when published."""
    json_md5: str | None
    """MD5 of its config, when published."""

    @property
    def locale(self) -> str:
        return self.id.split("-")[0]

    @property
    def path(self) -> str:
        """Its place in the rhasspy/piper-voices repository, without the file ending."""
        language, name = self.locale.split("_")[0], self.id.split("-")[1]
        return f"{language}/{self.locale}/{name}/{self.quality}/{self.id}"


@cache
def piper_catalogue() -> dict[str, PiperEntry]:
    """The Dutch Piper voices, by id."""
    rows = [line for line in PIPER_CATALOGUE.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    entries = {}
    for voice_id, quality, onnx_bytes, onnx_md5, json_bytes, json_md5 in csv.reader(rows, delimiter="\t"):
        entries[voice_id] = PiperEntry(
            voice_id, quality, int(onnx_bytes), onnx_md5,
            None if json_bytes == "-" else int(json_bytes), None if json_md5 == "-" else json_md5,
        )
    return entries


def all_voices(voices_dir: Path) -> list[Voice]:
    """Every voice this device has or could have, best first."""
    piper = [
        Voice(e.id, engine="piper", model=voices_dir / e.id / f"{e.id}.onnx", language=e.locale)
        for e in piper_catalogue().values()
    ]
    rank = {name: i for i, name in enumerate(PREFERENCE)}
    voices = [*piper, Voice("mb-nl2", engine="mbrola"), Voice("mb-nl3", engine="mbrola"), Voice("gmw/nl")]
    return sorted(voices, key=lambda v: rank.get(v.name, len(rank)))


def problem(voice: Voice) -> str | None:
    """Why ``voice`` cannot speak here, with the fix; None when it can."""
    return ENGINES[voice.engine].problem(voice)


def best_voice(voices_dir: Path) -> Voice:
    """The best installed voice of :data:`PREFERENCE` (espeak-ng, at worst)."""
    candidates = {v.name: v for v in all_voices(voices_dir)}
    for name in PREFERENCE:
        if problem(candidates[name]) is None:
            return candidates[name]
    return candidates["gmw/nl"]


def fallbacks(voice: Voice, voices_dir: Path) -> list[Voice]:
    """Who speaks, in turn, when ``voice`` fails: the other voices of :data:`PREFERENCE`,
    best first, espeak-ng last, at ``voice``'s rate and pitch (installed or not: the
    synthesizer asks each when its turn comes)."""
    candidates = {v.name: v for v in all_voices(voices_dir)}
    return [
        replace(candidates[name], words_per_minute=voice.words_per_minute, pitch=voice.pitch)
        for name in PREFERENCE if name != voice.name
    ]


def resolve(name: str, voices_dir: Path, words_per_minute: int = Voice.words_per_minute, pitch: int = Voice.pitch) -> Voice:
    """The voice a setting names: ``auto``, a catalogue voice, a Piper ``.onnx`` file,
    an MBROLA ``mb-`` voice or any espeak-ng voice id."""
    if name == AUTO:
        voice = best_voice(voices_dir)
    elif name.endswith(".onnx"):
        voice = Voice(Path(name).stem, engine="piper", model=Path(name).expanduser(), language="?")
    else:
        known = {v.name: v for v in all_voices(voices_dir)}
        voice = known.get(name) or Voice(name, engine="mbrola" if name.startswith("mb-") else "espeak")
    return replace(voice, words_per_minute=words_per_minute, pitch=pitch)
