"""The bedside daemon: always listening, an exercise on request, listening again after.

It wires the adapters around the engine: speaker, listener (or typed lines for
tests), speech cache, journal and systemd notification; and it stays up through
faults: a device that vanishes is waited for, a bad script is skipped, a journal
that cannot be written is logged and the exercise goes on.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..audio.alsa_default import default_sound_server, unreachable_default_advice
from ..audio.portaudio import NoPortAudio, sounddevice
from ..audio.speaker import Speaker
from ..core.engine import Action, Answer, Command, Crisis, Distress, Engine, SaveAnswer, Speak
from ..core.interpret import Interpreter, Listening, Reading
from ..core.library import Library
from ..core.script import Script
from ..core.timeline import describe
from ..paths import command_name
from ..speech.asr import load_model
from ..speech.model import ModelError
from ..speech.speech_cache import list_item, sentences, start_check_question
from ..speech.tts import SpeechError
from ..speech.vocabulary import listened_phrases, report_unknown
from .audioplayer import AudioPlayer, AudioTiming, speech_cache
from .clock import is_night
from .config import EXIT_CONFIG, Config, ConfigError, load_config
from .journal import Journal, JournalError
from .notify import Notifier
from .session import AUDIO_LOOKAHEAD, Session
from .textplayer import TerminalPlayer, read_lines

log = logging.getLogger(__name__)

EXIT_NO_MODEL = 79
"""Exit status when there is no usable speech model: waiting will not fix that."""
EXIT_NO_PORTAUDIO = 80
"""Exit status when the sound library PortAudio is not installed: neither will waiting."""
SENTENCE_GAP = 0.8
"""Silence between the sentences of a spoken list or the help."""
LISTENING = "luistert"
"""The service status while idle."""
NO_EXERCISE = "-"
"""The journal's exercise for a crisis heard while no exercise ran."""


CHECK_SECONDS = 10.0
"""How long the start check waits for "ja" before it listens for starts again, silently."""
NIGHT_CHECK_VOLUME = 0.5
"""At night the start check is said at this fraction of the volume: a start heard by
mistake must never speak loudly in a bedroom."""
CHECK_ANSWERS = ("ja", "nee")


@dataclass(frozen=True)
class StartCheck:
    """An exercise asked about: "Wil je ... doen?"."""

    script: Script
    """The exercise that starts on "ja"."""
    until: float
    """When, on the monotonic clock, the question lapses unanswered."""
    at_night: bool
    """Asked at night: the question and its reply are said softly."""


class Daemon:
    """``voice-coach run``."""

    def __init__(self, config: Config, listen_stdin: bool = False, language: Path | None = None, show: bool = False):
        self.config = config
        self.settings = config.settings
        self.listen_stdin = listen_stdin
        self.language = Interpreter.load(language)
        self.phrases = self.language.phrases
        self.care = self.language.care
        self.terminal = TerminalPlayer(sys.stdout, False, [], queue.Queue()) if show or listen_stdin else None
        """Shows what the coach says and does (typed replies, or a terminal): never for the service,
        whose output goes to the system log."""
        self.notifier = Notifier()
        self.inbox: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        """Heard phrases and signals, in order (a SimpleQueue: safe to put into from a signal handler)."""
        self.stopping = False
        """SIGTERM or SIGINT came: acted on before anything still waiting in the inbox."""
        self.library = Library()
        self.session: Session | None = None
        self.session_id: int | None = None
        self.journal: Journal | None = None
        self.listener = None
        self.volume = config.settings.volume
        """Kept from one exercise to the next: "zachter" stays softer."""
        self.answers_kept: list[bool] = []
        """Per answer of the running exercise: whether the journal holds it."""
        self.start_check: StartCheck | None = None
        """The start asked about and not yet answered."""

    # -- start and stop ---------------------------------------------------
    def run(self) -> int:
        try:
            sounddevice()  # the speaker needs it even with typed input; say so before loading anything
        except NoPortAudio as err:
            log.error("%s", err)
            return EXIT_NO_PORTAUDIO
        self.library = self._load_library(self.settings)
        if not self.library.scripts:
            log.error("no valid exercise scripts in %s or %s; fix them (%s validate) and restart", self.settings.scripts, self.settings.own_scripts, command_name())
            return EXIT_CONFIG
        model = None
        if not self.listen_stdin:
            try:
                model = load_model(self.settings.model)
            except ModelError as err:
                log.error("%s", err)
                return EXIT_NO_MODEL
            report_unknown(model, self._all_phrases())
        self._open_journal()
        self.cache = speech_cache(self.settings)
        self.timing = AudioTiming(self.cache)
        threading.Thread(target=self._prerender, name="prerender", daemon=True).start()
        self._warn_of_an_unreachable_default()
        self.speaker = Speaker(self.settings.speaker, self.settings.speaker_rate, self.settings.volume, wait_for_device=True)
        self.player = AudioPlayer(
            self.speaker.mixer, self.speaker.frame_at, self.cache,
            self._listen_for, self.language,
        )
        signal.signal(signal.SIGTERM, self._stop_soon)
        signal.signal(signal.SIGINT, self._stop_soon)
        signal.signal(signal.SIGHUP, lambda *_: self.inbox.put(("signal", "HUP")))
        with self.speaker:
            self._start_listening(model)
            self.notifier.ready(LISTENING)
            log.warning("listening (%d exercises)", len(self.library.scripts))
            try:
                return self._loop()
            finally:
                if self.listener is not None:
                    self.listener.close()
                if self.journal is not None:
                    self.journal.close()
                self.cache.release()

    def _start_listening(self, model) -> None:
        if self.listen_stdin:
            read_lines(sys.stdin, _Forward(self.inbox))
        else:
            from ..speech.listener import Listener

            self.listener = Listener(
                model, _Forward(self.inbox, lambda: self.listener.grammar.last_confidence), self.speaker, self.settings.microphone, self.settings.microphone_rate,
                self.settings.min_confidence, barge_in=self.settings.barge_in,
                stop_phrases=self.phrases.session.get("stop", ()), wait_for_device=True,
                open_answers=self.settings.open_answers,
            )
            self.listener.start()
            self._prepare_grammars()
        self._listen_idle()

    def _stop_soon(self, *_) -> None:
        self.stopping = True
        self.inbox.put(("signal", "TERM"))  # wakes a waiting loop

    def _loop(self) -> int:
        while True:
            waits = [1.0, self.notifier.seconds_to_ping()]
            if self.session is not None:
                waits.append(self.session.wait_seconds())
            if self.start_check is not None:
                waits.append(max(self.start_check.until - time.monotonic(), 0.0))
            try:
                kind, value = self.inbox.get(timeout=min(w for w in waits if w is not None))
            except queue.Empty:
                kind, value = "", ""
            self.notifier.ping_if_due()  # fed whatever the devices do
            if self.stopping:
                self._end_session("stopped", hush=True)
                self.notifier.stopping()
                log.warning("stopped")
                return 0
            if kind == "signal":
                self._reload()
            elif kind == "heard":
                self._hear(value)
            if self.start_check is not None and time.monotonic() >= self.start_check.until:
                self._end_start_check(unanswered=True)
            if self.session is not None:
                self.session.tick()
                if self.session.engine.done:
                    self._end_session(self.session.engine.outcome)

    # -- what is heard ----------------------------------------------------
    def _hear(self, heard: Heard) -> None:
        log.info("heard %r", heard.text)
        reading = self.language.read(heard.text)  # folded and read once, whatever happens next
        if self.start_check is not None and self._answer_start_check(reading):
            return
        if self.session is not None:
            engine = self.session.engine
            event = self.language.event(reading, engine.expected_answers, engine.open_answer)
            log.info("understood %s", event)
            if isinstance(event, Crisis) and self.session_id is not None:  # kept at once, not after the message
                self._journal_write(lambda j: j.finish(self.session_id, "crisis"))
            self.session.hear(event)
            return
        names = self._spoken_names()
        intent = self.language.idle_intent(reading, list(names))
        log.info("idle command %s", intent.name if intent else None)
        if intent is None:
            return
        if intent.name == "start":
            threshold = self.settings.start_confidence
            weak = threshold > 0 and (heard.confidence is None or heard.confidence < threshold)
            self._start_or_ask(self.library.scripts[names[intent.value]], weak)
        elif intent.name == "list":
            self._say([self.phrases.replies.list_intro] + [list_item(self.phrases.replies, s) for s in self.library.scripts.values()])
        elif intent.name == "crisis":  # never skipped; at night at the start check's soft volume
            self._journal_write(lambda j: j.finish(j.start(NO_EXERCISE), "crisis"))
            self._say(list(self.care.crisis_message), soft=is_night(datetime.now()))
        elif intent.name == "distress":
            self._say(list(self.care.distress_support), soft=is_night(datetime.now()))
        else:
            self._say(list(self.care.help_idle))

    def _spoken_names(self) -> dict[str, str]:
        return self.language.spoken_names(self.library)

    def _say(self, lines: list[str], soft: bool = False) -> None:
        """Speak sentences one after another, now, instead of whatever was being said;
        ``soft``: at :data:`NIGHT_CHECK_VOLUME` of the volume."""
        self.speaker.mixer.hush()
        self.speaker.mixer.set_volume(self.volume * (NIGHT_CHECK_VOLUME if soft else 1.0))
        at = self.speaker.now()
        for line in lines:
            self._show(Speak(at, line))
            self.player.perform(Speak(at, line))
            at += self.timing.speech_seconds(line, 1.0) + SENTENCE_GAP

    def _show(self, action: Action) -> None:
        if self.terminal is not None:
            self.terminal.perform(action)

    # -- the spoken start check -------------------------------------------
    def _start_or_ask(self, script: Script, weak: bool = False) -> None:
        """Start ``script``, or first ask whether to (the ``start_check`` setting, or a
        ``weak`` hearing): a start heard by mistake then costs one short question, said
        softly at night."""
        night = is_night(datetime.now())
        asks = self.settings.start_check == "always" or (self.settings.start_check == "night" and night)
        if not (asks or weak):
            self._start_session(script)
            return
        self.start_check = StartCheck(script, time.monotonic() + CHECK_SECONDS, night)
        self._listen_for(self.language.session_listening(CHECK_ANSWERS))
        self._say([start_check_question(self.phrases.replies, script)], soft=night)
        log.info("asked whether to start %s", script.id)

    def _answer_start_check(self, reading: Reading) -> bool:
        """Act on an answer to the start check; False when ``reading`` is for idle listening
        (a crisis, help) or means nothing, and the check goes on."""
        event = self.language.event(reading, CHECK_ANSWERS)
        check = self.start_check
        if isinstance(event, Answer):
            self._end_start_check()
            if event.word == "ja":
                self._start_session(check.script)
            else:
                self._say([self.phrases.replies.start_declined], soft=check.at_night)
            return True
        if isinstance(event, Command) and event.name == "stop":
            self._end_start_check()
            return True
        if isinstance(event, (Crisis, Distress, Command)):
            self._end_start_check()
        return False

    def _end_start_check(self, unanswered: bool = False) -> None:
        if unanswered:
            log.info("start of %s not confirmed; listening again", self.start_check.script.id)
        self.start_check = None
        self._listen_idle()

    # -- sessions ---------------------------------------------------------
    def _start_session(self, script: Script) -> None:
        self.speaker.mixer.set_volume(self.volume)
        engine = Engine(script, self.timing, self.phrases.replies, self.care, self.volume, is_night(datetime.now()))
        self.session_id = self._journal_write(lambda j: j.start(script.id))
        self.session = Session(engine, self.speaker, self._perform, AUDIO_LOOKAHEAD)
        self._listen_for(self.language.session_listening())
        self.notifier.status("oefening")  # which one is the person's business, not the system's
        log.info("exercise %s started", script.id)
        self.session.start()

    def _perform(self, action: Action) -> None:
        self._show(action)
        self.player.perform(action)
        if isinstance(action, SaveAnswer):
            self.answers_kept.append(self._keep(action))
        line = describe(action)
        if line is not None:
            log.info("at %.3f: %s", action.at, line)

    def _keep(self, answer: SaveAnswer) -> bool:
        """Write ``answer`` to the journal; True only when it is there."""
        if self.session_id is None:
            log.info("could NOT keep answer %s: %s", answer.key, answer.answer)
            return False
        kept = bool(self._journal_write(lambda j: j.record(self.session_id, answer.key, answer.question, answer.answer, answer.own_words) or True))
        log.info("%s answer %s: %s", "kept" if kept else "could NOT keep", answer.key, answer.answer)  # INFO: private
        return kept

    def _end_session(self, outcome: str, hush: bool = False) -> None:
        if self.session is None:
            return
        if hush:
            self.speaker.mixer.hush()
        if self.session_id is not None:
            self._journal_write(lambda j: j.finish(self.session_id, outcome))
        self.volume = self.session.engine.volume
        log.info("exercise %s ended: %s", self.session.engine.script.id, outcome)  # private: not at the default level
        self.session, self.session_id = None, None
        if self.answers_kept and outcome in ("completed", "stopped") and not hush:  # say only what is true
            self._say([self.phrases.replies.saved if all(self.answers_kept) else self.phrases.replies.not_saved])
        self.answers_kept = []
        self._listen_idle()
        self.notifier.status(LISTENING)

    # -- listening --------------------------------------------------------
    def _listen_for(self, listening: Listening) -> None:
        if self.listener is not None:
            self.listener.listen_for(listening)

    def _warn_of_an_unreachable_default(self) -> None:
        """A device left to ALSA's default that goes to a sound server out of reach (a system
        service and PipeWire) plays and hears nothing: say so, and how to fix it."""
        if self.settings.speaker and (self.settings.microphone or self.listen_stdin):
            return
        server = default_sound_server()
        if server is not None and not server.reachable:
            log.error("%s", unreachable_default_advice(server, self.config.path))

    def _prepare_grammars(self) -> None:
        """Compile every grammar the coach may switch to, in the background, so that no
        switch between hearing and answering compiles one."""
        if self.listener is not None:
            self.listener.prepare(self.language.every_listening(self.library.scripts.values(), list(self._spoken_names())))

    def _listen_idle(self) -> None:
        self._listen_for(self.language.idle_listening(list(self._spoken_names())))

    def _all_phrases(self) -> list[str]:
        return listened_phrases(self.library, self.language, list(self._spoken_names()))

    # -- reload, journal, speech -----------------------------------------
    def _load_library(self, settings) -> Library:
        """The scripts; each broken one is logged and left out."""
        library = settings.load_library(self.notifier.ping_if_due)
        for problem in library.errors:
            log.error("skipped: %s", problem)
        return library

    def _reload(self) -> None:
        """SIGHUP: new config and scripts, all or nothing. Whatever goes wrong, the
        running set stays and one line says why: a reload never takes the daemon down."""
        try:
            self._reload_all()
        except Exception as err:  # noqa: BLE001 - the service must outlive any bad file
            log.error("reload refused: %s: %s; keeping the %d exercises loaded", type(err).__name__, err, len(self.library.scripts))

    def _reload_all(self) -> None:
        """New config and scripts, unless something in them is broken.

        Devices, model and journal stay open (the microphone is not closed);
        everything read per exercise or per phrase takes the new values.
        """
        try:
            config = load_config(self.config.path if self.config.path.exists() else None)
        except ConfigError as err:
            log.error("reload refused: %s", err)
            return
        for key, source in self.config.sources.items():
            if source == "command line":  # the command line still wins
                config.override(key, getattr(self.settings, key))
        library = self._load_library(config.settings)
        if library.errors or not library.scripts:
            log.error("reload refused: a script is broken (see above); keeping the %d exercises loaded", len(self.library.scripts))
            return
        self.config, self.settings, self.library = config, config.settings, library
        if self.listener is not None:
            self.listener.min_confidence = self.settings.min_confidence
        self._prepare_grammars()
        if self.session is None:
            self._listen_idle()
        log.warning("reloaded: %d exercises", len(library.scripts))

    def _open_journal(self) -> None:
        try:
            self.journal = Journal(self.settings.journal)
        except JournalError as err:
            log.error("%s; exercises work, answers are not kept", err)

    def _journal_write(self, write):
        if self.journal is None:
            return None
        try:
            return write(self.journal)
        except JournalError as err:
            log.error("%s; the exercise goes on", err)
            return None

    def _prerender(self) -> None:
        """Render every sentence in the background, so speaking starts at once."""
        todo = sentences(self.library.scripts.values(), self.phrases.replies, self.care, self.language.answers)
        for text, rate in todo:
            try:
                self.cache.get(text, rate)
            except SpeechError as err:
                log.error("speech synthesis fails (%s); sentences already cached still play", err)
                return
        self.cache.release()  # idle, the daemon keeps no rendering processes; they restart on demand
        log.info("prerendered %d sentences", len(todo))


class _Forward:
    """A queue-like sink that wraps each heard phrase, with how sure the recognizer was of
    it, for the daemon's inbox."""

    def __init__(self, inbox: queue.SimpleQueue, confidence: Callable[[], float | None] = lambda: 1.0):
        self.inbox = inbox
        self.confidence = confidence
        """Asked on the listener's thread, right after the phrase was recognized."""

    def put(self, text: str) -> None:
        self.inbox.put(("heard", Heard(text, self.confidence())))

    def qsize(self) -> int:
        """How much waits in the inbox (signals included)."""
        return self.inbox.qsize()


@dataclass(frozen=True)
class Heard:
    """A phrase and how sure the recognizer was of it."""

    text: str
    """What was said."""
    confidence: float | None
    """The lowest word confidence; None when accepted early, before confidences; 1.0 typed."""
