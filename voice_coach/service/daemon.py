"""The bedside daemon: always listening, an exercise on request, listening again after.

A thin adapter around the coach (:mod:`voice_coach.core.coach`), which decides
everything: it wires speaker, listener (or typed lines for tests), speech cache,
journal, signals and systemd notification to the one driver
(:mod:`voice_coach.core.driver`); and it stays up through faults: a device that
vanishes is waited for, a bad script is skipped, a journal that cannot be written
is logged and the exercise goes on.
"""

from __future__ import annotations

import logging
import queue
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Callable, TextIO

from ..audio.alsa_default import default_sound_server, unreachable_default_advice
from ..audio.portaudio import NoPortAudio, sounddevice
from ..audio.speaker import AUDIO_LOOKAHEAD, Speaker
from ..core.coach import (
    Coach, CoachAction, CoachSettings, CrisisHeard, ExerciseEnded, ExerciseStarted, ListenFor, StartAsked, StartLapsed,
    Understood,
)
from ..core.driver import HEARD, SECOND_OPINION, Driver, DriverClock, Heard, Inbox
from ..core.engine import SaveAnswer
from ..core.interpret import Interpreter, Listening
from ..core.library import Library
from ..core.second_opinion import Confirmed, TurnedDown
from ..core.timeline import describe
from ..paths import command_name
from ..speech.asr import load_model
from ..speech.model import ModelError
from ..speech.second_pass import InTheBackground
from ..speech.speech_cache import prerender, sentences
from ..speech.tts import SpeechError
from ..speech.vocabulary import listened_phrases, report_unknown
from .audioplayer import AudioPlayer, AudioTiming, speech_cache
from .clock import is_night
from .config import EXIT_CONFIG, Config, ConfigError, Settings, load_config
from .journal import Journal, JournalError
from .keeper import JournalKeeper
from .notify import Notifier
from .textplayer import TerminalPlayer, read_lines

log = logging.getLogger(__name__)

EXIT_NO_MODEL = 79
"""Exit status when there is no usable speech model: waiting will not fix that."""
EXIT_NO_PORTAUDIO = 80
"""Exit status when the sound library PortAudio is not installed: neither will waiting."""
LISTENING = "luistert"
"""The service status while idle."""
LONGEST_WAIT = 1.0
"""The loop wakes at least this often (real seconds), to ping systemd's watchdog."""


def coach_settings(settings: Settings) -> CoachSettings:
    """What the coach decides with, from the configuration."""
    return CoachSettings(settings.start_check, settings.start_confidence, settings.volume)


class Daemon:
    """``voice-coach run``."""

    def __init__(
        self, config: Config, listen_stdin: bool = False, language: Path | None = None, show: bool = False,
        inbox: Inbox | None = None, shown: TextIO = sys.stdout,
    ):
        self.config = config
        self.settings = config.settings
        self.listen_stdin = listen_stdin
        self.language = Interpreter.load(language)
        self.terminal = TerminalPlayer(shown, False, [], queue.Queue()) if show or listen_stdin else None
        """Shows what the coach says and does (typed replies, or a terminal): never for the service,
        whose output goes to the system log."""
        self.notifier = Notifier()
        self.inbox: Inbox = inbox or queue.SimpleQueue()
        """Heard phrases and signals, in order (a SimpleQueue: safe to put into from a signal
        handler; virtual time's inbox in tests)."""
        self.stopping = False
        """SIGTERM or SIGINT came: acted on before anything still waiting in the inbox."""
        self.library = Library()
        self.keeper = JournalKeeper(None)
        """The journal's side of what the coach does (without a journal until one opens)."""
        self.listener = None
        self.second_pass: InTheBackground | None = None
        """Hears again what a grammar heard, for the coach to act on only if it agrees (used while
        ``second_pass`` is on; made with the listener)."""

    # -- start and stop ---------------------------------------------------
    def run(self) -> int:
        code, model = self.prepare()
        if code is not None:
            return code
        self._warn_of_an_unreachable_default()
        self.speaker = Speaker(self.settings.speaker, self.settings.speaker_rate, self.settings.volume, wait_for_device=True)
        signal.signal(signal.SIGTERM, self._stop_soon)
        signal.signal(signal.SIGINT, self._stop_soon)
        signal.signal(signal.SIGHUP, lambda *_: self.inbox.put(("signal", "HUP")))
        with self.speaker:
            self._make_listener(model)
            self.attach(self.speaker, AudioPlayer(self.speaker.mixer, self.speaker.frame_at, self.cache), AUDIO_LOOKAHEAD)
            if self.listener is not None:  # only now: audio before the first grammar would be half-heard
                self.listener.start()
            try:
                while not self.step():
                    pass
                return 0
            finally:
                if self.listener is not None:
                    self.listener.close()
                self.keeper.close()
                self.cache.release()

    def prepare(self, prerender: bool = True) -> tuple[int | None, object]:
        """Everything but the devices: the scripts, the model, the journal, the speech cache
        (with ``prerender``, rendered in the background). Returns (an exit status when the
        daemon cannot run, the model)."""
        try:
            sounddevice()  # the speaker needs it even with typed input; say so before loading anything
        except NoPortAudio as err:
            log.error("%s", err)
            return EXIT_NO_PORTAUDIO, None
        self.library = self._load_library(self.settings)
        if not self.library.scripts:
            log.error("no valid exercise scripts in %s or %s; fix them (%s validate) and restart", self.settings.scripts, self.settings.own_scripts, command_name())
            return EXIT_CONFIG, None
        model = None
        if not self.listen_stdin:
            try:
                model = load_model(self.settings.model)
            except ModelError as err:
                log.error("%s", err)
                return EXIT_NO_MODEL, None
            report_unknown(model, self._all_phrases())
        self._open_journal()
        self.cache = speech_cache(self.settings)
        if prerender:
            threading.Thread(target=self._prerender, name="prerender", daemon=True).start()
        return None, model

    def attach(self, clock: DriverClock, player: AudioPlayer, lookahead: float, night: Callable[[], bool] | None = None) -> None:
        """Put the coach on ``clock``, its sounds on ``player`` (the speaker's; a virtual
        clock and an offline mixer in tests), and start listening idle."""
        self.player = player
        self.coach = Coach(self.language, self.library, AudioTiming(self.cache), coach_settings(self.settings))
        self.driver = Driver(self.coach, clock, self._perform, night or (lambda: is_night(datetime.now())), lookahead)
        self._use_second_pass()
        self._prepare_grammars()
        self.driver.start()
        self.notifier.ready(LISTENING)
        log.warning("listening (%d exercises)", len(self.library.scripts))

    def _make_listener(self, model) -> None:
        """The listener and its second pass (the microphone starts once the coach listens), or
        typed lines with ``listen_stdin``."""
        if self.listen_stdin:
            read_lines(sys.stdin, _Forward(self.inbox))
            return
        from ..speech.listener import Listener
        from ..speech.model_second_pass import ModelSecondPass

        self.listener = Listener.configured(
            model, _Forward(self.inbox, lambda text: self.listener.as_heard(text)), self.settings, self.speaker,
            wait_for_device=True,
        )
        self.second_pass = InTheBackground(
            ModelSecondPass(model, self.listener.rate), lambda *verdict: self.inbox.put((SECOND_OPINION, verdict)),
        )

    def _stop_soon(self, *_) -> None:
        self.stopping = True
        self.inbox.put(("signal", "TERM"))  # wakes a waiting loop

    def step(self) -> bool:
        """Wait for something heard, due or signalled, and act on it; True once stopped."""
        ping = self.notifier.seconds_to_ping()
        item = self.driver.wait(self.inbox, LONGEST_WAIT if ping is None else min(LONGEST_WAIT, ping))
        self.notifier.ping_if_due()  # fed whatever the devices do
        if self.stopping or item == ("signal", "TERM"):
            self.driver.stop()
            self.notifier.stopping()
            log.warning("stopped")
            return True
        if item is not None and item[0] == "signal":
            self._reload()
        elif item is not None and item[0] == HEARD:
            log.info("heard %r", item[1].text)
        self.driver.act(item)
        return False

    # -- carrying out what the coach decides --------------------------------
    def _perform(self, action: CoachAction) -> bool | None:
        """Carry out ``action``; for an answer, whether the journal kept it."""
        if self.terminal is not None:
            self.terminal.perform(action)
        match action:
            case ListenFor(listening=listening):
                self._listen_for(listening)
            case Understood(meaning=meaning, idle=True):
                log.info("idle command %s", meaning)
            case Understood(meaning=meaning):
                log.info("understood %s", meaning)
            case StartAsked(script_id=script_id):
                log.info("asked whether to start %s", script_id)
            case StartLapsed(script_id=script_id):
                log.info("start of %s not confirmed; listening again", script_id)
            case ExerciseStarted(script_id=script_id):
                self.keeper.started(action)
                self.notifier.status("oefening")  # which one is the person's business, not the system's
                log.info("exercise %s started", script_id)
            case ExerciseEnded(script_id=script_id, outcome=outcome):
                self.keeper.ended(action)
                log.info("exercise %s ended: %s", script_id, outcome)  # private: not at the default level
                self.notifier.status(LISTENING)
            case CrisisHeard():
                self.keeper.crisis(action)
            case Confirmed(meaning=meaning, waited=waited):
                log.info("second pass confirmed %s in %.3f s", meaning.name, waited)  # never the words
            case TurnedDown(meaning=meaning):
                log.info("second pass turned down %s", meaning.name)
            case SaveAnswer():
                self._log(action)
                return self.keeper.keep(action)
            case _:
                self.player.perform(action)
                self._log(action)
        return None

    @staticmethod
    def _log(action: CoachAction) -> None:
        line = describe(action)
        if line is not None:
            log.info("at %.3f: %s", action.at, line)

    # -- listening --------------------------------------------------------
    def _use_second_pass(self) -> None:
        """Hear again before acting, as ``second_pass`` says (a reload may switch it)."""
        wanted = self.settings.second_pass and self.second_pass is not None
        self.driver.second_pass = self.second_pass.ask if wanted else None

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
            self.listener.prepare(self.coach.listenings())

    def _all_phrases(self) -> list[str]:
        return listened_phrases(self.library, self.language, list(self.language.spoken_names(self.library)))

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
        self._use_second_pass()
        self.driver.reload(library, coach_settings(self.settings))
        self._prepare_grammars()
        log.warning("reloaded: %d exercises", len(library.scripts))

    def _open_journal(self) -> None:
        try:
            self.keeper = JournalKeeper(Journal(self.settings.journal))
        except JournalError as err:
            log.error("%s; exercises work, answers are not kept", err)

    def _prerender(self) -> None:
        """Render every sentence in the background, so speaking starts at once."""
        todo = sentences(self.library.scripts.values(), self.language.phrases.replies, self.language.care, self.language.answers)
        try:
            prerender(self.cache, todo)
        except SpeechError as err:
            log.error("speech synthesis fails (%s); sentences already cached still play", err)
            return
        self.cache.release()  # idle, the daemon keeps no rendering processes; they restart on demand
        log.info("prerendered %d sentences", len(todo))


class _Forward:
    """A queue-like sink that wraps each heard phrase, with what the recognizer knows of
    it, for the daemon's inbox."""

    def __init__(self, inbox: queue.SimpleQueue, heard: Callable[[str], Heard] = Heard):
        self.inbox = inbox
        self.heard = heard
        """Called on the listener's thread, right after the phrase was recognized."""

    def put(self, text: str) -> None:
        self.inbox.put((HEARD, self.heard(text)))

    def qsize(self) -> int:
        """How much waits in the inbox (signals included)."""
        return self.inbox.qsize()
