"""Carrying out the engine's actions with real sound: speech from the cache, sound
files where the loader found them, all on one Mixer. (What to listen for is the
coach's :class:`~voice_coach.core.coach.ListenFor`, for the Listener: not this.)"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import numpy as np

from ..audio.mixer import Mixer
from ..audio.sound import SoundError, cut, read_wav, resample, wav_seconds
from ..core.engine import Action, EstimatedTiming, Hush, PlaySound, SetVolume, Speak
from ..speech.speech_cache import SpeechCache
from ..speech.tts import SpeechError, Synthesizer
from ..speech.voices import fallbacks
from .config import Settings

log = logging.getLogger(__name__)

TONE_FADE_SECONDS = 0.3
"""A breath tone cut at its phase's end fades out over this long."""


def speech_cache(settings: Settings) -> SpeechCache:
    """The cache of everything the voice of ``settings`` says; when that voice fails, the
    next installed one speaks, and espeak-ng last."""
    voice = settings.voice_settings()
    return SpeechCache(settings.cache / "speech", Synthesizer(voice, fallbacks(voice, settings.voices)))


class AudioTiming:
    """The engine's Timing from real renderings and real sound files.

    A sentence that cannot be rendered (espeak-ng broken or missing) gets an
    estimated length, so the exercise keeps its rhythm with what is cached.
    """

    def __init__(self, cache: SpeechCache):
        self.cache = cache

    def speech_seconds(self, text: str, rate: float) -> float:
        try:
            return self.cache.speech_seconds(text, rate)
        except SpeechError:
            return EstimatedTiming().speech_seconds(text, rate)

    def sound_seconds(self, sound: str) -> float:
        try:
            return wav_seconds(Path(sound), bounded=True)
        except SoundError as err:  # changed since it was loaded: the player leaves it out
            log.warning("%s", err)
            return EstimatedTiming().sound_seconds(sound)


class AudioPlayer:
    """Performs actions on ``mixer``; ``frame_at`` maps session time to the mixer's frames."""

    def __init__(
        self,
        mixer: Mixer,
        frame_at: Callable[[float], int],
        cache: SpeechCache,
        strict: bool = False,
    ):
        self.strict = strict
        """A sentence no voice can speak raises SpeechError instead of being left out
        (a rendered file must not hold silence where words belong)."""
        self.mixer = mixer
        self.frame_at = frame_at
        self.cache = cache
        self._sounds: dict[str, np.ndarray] = {}

    def perform(self, action: Action) -> None:
        if isinstance(action, Speak):
            samples = self._speech(action)
            if samples is not None:
                self.mixer.add(samples, self.frame_at(action.at), speech=True)
        elif isinstance(action, PlaySound):
            try:
                samples = self._sound(action.sound)
            except SoundError as err:  # checked at load; changed since: the exercise goes on without it
                log.warning("sound left out: %s", err)
                return
            if action.seconds is not None:
                samples = cut(samples, int(action.seconds * self.mixer.rate), int(TONE_FADE_SECONDS * self.mixer.rate))
            self.mixer.add(samples, self.frame_at(action.at))
        elif isinstance(action, Hush):
            self.mixer.hush()
        elif isinstance(action, SetVolume):
            self.mixer.set_volume(action.level)

    def _speech(self, action: Speak) -> np.ndarray | None:
        if action.clip:
            try:
                return self._sound(action.clip)
            except SoundError as err:
                log.warning("recorded clip unusable (%s); using the synthesized voice", err)
        try:
            samples, rate = read_wav(self.cache.get(action.text, action.rate))
        except (SpeechError, SoundError) as err:
            if self.strict:
                raise SpeechError(f"cannot speak {action.text!r}: {err}") from None
            log.error("cannot speak %r: %s", action.text, err)
            return None
        return resample(samples, rate, self.mixer.rate)

    def _sound(self, name: str) -> np.ndarray:
        if name not in self._sounds:
            samples, rate = read_wav(Path(name), bounded=True)
            self._sounds[name] = resample(samples, rate, self.mixer.rate)
        return self._sounds[name]
