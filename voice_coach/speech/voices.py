"""Voices, as one concept: every voice the device has or could have, and the best one.

A voice (:class:`~voice_coach.speech.synthesis.Voice`) is spoken by one of three
engines, each a small :class:`~voice_coach.speech.synthesis.SynthesisEngine` in a module of its own: espeak-ng through pyttsx3 (always there, the last
fallback), MBROLA through espeak-ng (clearer Dutch diphones), and Piper (neural,
the most natural; GPL, so it stays an optional extra in its own process).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .espeak_synthesis import EspeakEngine
from .mbrola_synthesis import MbrolaEngine
from .piper_catalogue import piper_catalogue
from .piper_synthesis import PiperEngine
from .synthesis import SynthesisEngine, Voice

AUTO = "auto"
"""The voice setting that means: the best voice installed."""

ENGINES: dict[str, SynthesisEngine] = {"espeak": EspeakEngine(), "mbrola": MbrolaEngine(), "piper": PiperEngine()}
"""Engine name -> engine."""

INSTALL_VOICE = "nl_NL-pim-medium"
"""The Piper voice the installers download (``voice-coach voice download`` without a name).

Chosen from what is published, for Netherlands Dutch listeners first: users call the older
nl_NL voices (the mls ones) broken or scrambled (home-assistant/core#115573), and Piper's
maintainer says voices trained on audiobooks, as the MLS ones are, should not be used for
short phrases (OHF-Voice/piper1-gpl#219), which is most of what the coach says. nl_BE
nathalie and rdh are the ones users call clear, but they are Flemish. pim and ronnie (nl_NL,
medium, added to OpenVoiceOS in 2025) are the Netherlands Dutch voices left, with no quality
report either way yet; pim is the one whose model and config digests are both published, so
both files are verified. On the device, listen once (``voice-coach play veilig``) and switch
if it is not clear (README, "The voice")."""
PREFERENCE = (
    INSTALL_VOICE, "nl_NL-ronnie-medium", "nl_NL-alex-medium", "nl_BE-nathalie-medium", "nl_BE-rdh-medium",
    "mb-nl2", "gmw/nl",
)
"""The best voice first, when several are installed: the Netherlands Dutch Piper voices not
trained on audiobooks (see :data:`INSTALL_VOICE`), then the Flemish ones. The nl_NL-mls voices
garble short phrases and x_low voices sound rough: they are never chosen by themselves. Then
MBROLA nl2 (the independent ear, bench/run.py --only voice: 16.6 % of words wrong per sentence
and 5.3 % in whole exercises, against espeak-ng's 66.5 % and 40.4 %), then espeak-ng, which is
always there. MBROLA nl3 lacks some Dutch diphones."""


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
