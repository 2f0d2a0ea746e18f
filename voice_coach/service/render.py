"""Rendering a whole exercise to one WAV file, offline, with the live scheduler and mixer."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from ..audio.mixer import Mixer
from ..core.script import Script
from ..core.timeline import Timeline, simulate
from ..speech.speech_cache import SpeechCache
from .audioplayer import AudioPlayer, AudioTiming

RENDER_RATE = 22050
"""espeak-ng's own rate: no resampling of speech."""
BLOCK = 1024


def render_exercise(
    script: Script, cache: SpeechCache, answers: Iterable[str] = (), rate: int = RENDER_RATE,
    said: Iterable[tuple[float, str]] = (), night: bool = False,
) -> tuple[np.ndarray, Timeline]:
    """The exercise as samples, and the timeline they follow (``said``: see :func:`simulate`);
    SpeechError when a sentence cannot be spoken by any voice."""
    timeline = simulate(script, AudioTiming(cache), answers, said, night)
    mixer = Mixer(rate, volume=1.0)
    player = AudioPlayer(mixer, lambda seconds: int(round(seconds * rate)), cache, strict=True)
    blocks = []
    for action in timeline.actions:
        blocks += _mix_until(mixer, int(round(action.at * rate)))
        player.perform(action)
    while mixer.busy:
        blocks.append(mixer.next_block(BLOCK))
    return (np.concatenate(blocks) if blocks else np.zeros(0, np.float32)), timeline


def _mix_until(mixer: Mixer, frame: int) -> list[np.ndarray]:
    blocks = []
    while mixer.frames < frame:
        blocks.append(mixer.next_block(min(BLOCK, frame - mixer.frames)))
    return blocks
