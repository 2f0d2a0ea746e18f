"""Rendered speech on disk: each sentence synthesized once, keyed by everything that changes its sound."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Callable, Iterable

from ..audio.sound import wav_seconds
from ..core.answers import AnswerBook, said_back
from ..core.care import Care
from ..core.phrases import Replies, list_item, start_check_question
from ..core.script import Record, Script
from ..paths import private_folder
from .tts import NoRoom, SpeechError, Synthesizer
from .synthesis import Voice

log = logging.getLogger(__name__)


class SpeechCache:
    """Sentence -> WAV file under ``directory``; renders what is missing.

    When the voice cannot render a sentence, the synthesizer's next voice takes
    over (see :meth:`Synthesizer.fall_back`) and renders it under its own key, so
    a voice that fails is never silent while another one can speak.
    """

    def __init__(self, directory: Path, synthesizer: Synthesizer):
        self.directory = directory
        self.synthesizer = synthesizer
        self._identities: dict[Voice, str] = {}
        self._seconds: dict[Path, float] = {}
        self._lock = threading.Lock()  # the daemon prerenders in the background while it speaks
        self.renders = 0
        """How many sentences this cache had to synthesize (the rest were hits)."""
        self._identity()

    def _identity(self) -> str:
        """Everything about the voice speaking now that changes its sound."""
        voice = self.synthesizer.voice
        if voice not in self._identities:
            self._identities[voice] = json.dumps([voice.engine, voice.name, voice.words_per_minute, voice.pitch, self._engine()])
        return self._identities[voice]

    def _engine(self) -> str:
        """The engine version; when espeak-ng is gone, the one the cache was rendered with,
        so everything already rendered keeps playing."""
        voice = self.synthesizer.voice
        recorded = self.directory / f"engine-{hashlib.sha256(f'{voice.engine}:{voice.name}'.encode()).hexdigest()[:12]}"
        current = self.synthesizer.engine_version()
        if current is None:
            if recorded.is_file():
                log.error("%s; only speech rendered before can be played", self.synthesizer.engine.problem(voice))
                return recorded.read_text("utf-8")
            return "cannot speak"
        if not recorded.is_file() or recorded.read_text("utf-8") != current:
            private_folder(self.directory)
            recorded.write_text(current, "utf-8")
        return current

    def path(self, text: str, rate: float) -> Path:
        """Where ``text`` at ``rate`` is (or will be) cached, in the voice speaking now."""
        spoken = self.synthesizer.spoken_form(text)  # a new pronunciation renders anew
        key = hashlib.sha256(f"{self._identity()}\n{rate:.3f}\n{spoken}".encode()).hexdigest()
        return self.directory / key[:2] / f"{key}.wav"

    def get(self, text: str, rate: float) -> Path:
        """The rendered file, synthesizing it first if needed, by the next voice when the
        one speaking now cannot (raises SpeechError when none can)."""
        while True:
            path = self.path(text, rate)
            if path in self._seconds or path.is_file():
                return path
            with self._lock:
                if path != self.path(text, rate) or path.is_file():
                    continue  # another thread fell back or rendered it meanwhile
                try:
                    self._seconds[path] = self.synthesizer.render(text, rate, path)
                except NoRoom:
                    raise  # every voice needs room
                except SpeechError as err:
                    if not self.synthesizer.fall_back(str(err)):
                        raise
                    continue
                self.renders += 1
                return path

    def release(self) -> None:
        """End the rendering processes (safely: not while one renders); they restart when needed."""
        with self._lock:
            self.synthesizer.close()

    def speech_seconds(self, text: str, rate: float) -> float:
        """Length of ``text`` spoken at ``rate``: the engine's Timing, from real renderings."""
        path = self.get(text, rate)
        if path not in self._seconds:
            self._seconds[path] = wav_seconds(path)
        return self._seconds[path]


def prerender(cache: SpeechCache, todo: list[tuple[str, float]], reached: Callable[[int], None] = lambda done: None) -> None:
    """Render every (sentence, rate) of ``todo`` that is not cached yet, telling ``reached``
    how many are done after each; raises SpeechError when no voice can speak one."""
    for done, (text, rate) in enumerate(todo, 1):
        cache.get(text, rate)
        reached(done)


def sentences(scripts: Iterable[Script], replies: Replies, care: Care, answers: AnswerBook) -> list[tuple[str, float]]:
    """Every (sentence, voice rate) the coach can say with these scripts, without duplicates:
    what an exercise says at its voice rate; what is said while none runs (help, the list,
    the start checks as asked for each script, not their templates, a declined start,
    saved or not) at the normal rate; every answer said back as one phrasing of it
    (several answers in one breath are rendered when they are heard)."""
    scripts = list(scripts)
    found: dict[tuple[str, float], None] = {}
    said_anytime = [*(getattr(replies, field) for field in Replies.__dataclass_fields__ if field not in TEMPLATES), *care.spoken]
    for script in scripts:
        spoken = [*script_sentences(script), *said_back_sentences(script, answers), *said_anytime]
        found.update(((text, script.voice_rate), None) for text in spoken)
    found.update(((text, 1.0), None) for text in said_anytime)
    for script in scripts:
        found.update({(list_item(replies, script), 1.0): None, (start_check_question(replies, script), 1.0): None})
    return list(found)


TEMPLATES = ("list_item", "start_check")
"""Replies with a script's name to fill in: never said as they are."""


def script_sentences(script: Script) -> Iterable[str]:
    """Every sentence a script itself can say (clip sentences too: they are the fallback)."""
    for step in script.steps:
        yield from step.body.sentences()


PRERENDERED_SAY_BACK_WORDS = 1
"""Answers of up to this many words are said back from the cache: most answers are one
word ("moe", "rugpijn"); the thousands of longer phrasings are rendered when heard, once."""


def said_back_sentences(script: Script, answers: AnswerBook) -> Iterable[str]:
    """The sentences that say a short answer back, for each open question of ``script``."""
    for step in script.steps:
        body = step.body
        if isinstance(body, Record) and body.say_back:
            frames = dict(body.say_back)
            for word in body.answers:
                for heard in answers.every_heard(word):
                    if len(heard.said.split()) <= PRERENDERED_SAY_BACK_WORDS:
                        yield from said_back((heard,), frames)


def script_answers(script: Script) -> tuple[str, ...]:
    """Every answer word any question of ``script`` listens for."""
    found = {a for step in script.steps for a in step.body.listens_for()}
    return tuple(sorted(found))
