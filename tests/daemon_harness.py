"""Running `voice-coach run` as a real subprocess on the ALSA rig, watching its log,
its sd_notify messages and its journal."""

from __future__ import annotations

import io
import logging
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from voice_coach.service.logs import FORMAT

SHARED_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "voice-coach-test-speech"
"""Rendered speech shared by every daemon of a test run (rendering is not what is tested here)."""


class DaemonProcess:
    """One daemon (by default without the spoken start check, so "start X" starts X at once);
    ``say`` types a phrase (with --listen-stdin), ``wait_log`` waits for a log line,
    ``wait_shown`` for a line it shows (what it says and does, with --listen-stdin)."""

    def __init__(
        self, tmp: Path, *args: str, listen_stdin: bool = True, scripts: Path | None = None, env: dict | None = None,
        verbose: bool = True, journal: Path | None = None, speaker: str | None = "vctest_speaker",
        start_check: str = "never", config: str = "",
    ):
        self.tmp = tmp
        self.journal = journal or tmp / "journal.sqlite"
        self.notify_path = tmp / "notify.sock"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.notify_path))
        self.notify.settimeout(0.2)
        self.messages: list[str] = []
        config_file = tmp / "config.toml"
        config_file.write_text(config)
        command = [
            sys.executable, "-m", "voice_coach", "--config", str(config_file), "--journal", str(self.journal),
            *(["-v"] if verbose else []),
            *(["--scripts", str(scripts)] if scripts else []),
            "run", *(["--speaker", speaker, "--speaker-rate", "48000"] if speaker else []), "--cache", str(SHARED_CACHE),
            "--start-check", start_check, *(["--listen-stdin"] if listen_stdin else []), *args,
        ]
        environment = {**os.environ, "NOTIFY_SOCKET": str(self.notify_path), "WATCHDOG_USEC": "400000", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            env={**environment, **(env or {})},
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        self.shown: list[str] = []
        self._shown_new: queue.Queue[str] = queue.Queue()
        self._running = True
        threading.Thread(target=self._read_log, daemon=True).start()
        threading.Thread(target=self._read_shown, daemon=True).start()
        threading.Thread(target=self._read_notify, daemon=True).start()

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip())
            self._new.put(line.rstrip())

    def _read_shown(self) -> None:
        for line in self.process.stdout:
            self.shown.append(line.rstrip())
            self._shown_new.put(line.rstrip())

    def _read_notify(self) -> None:
        while self._running:
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except (TimeoutError, OSError):
                continue

    @property
    def pid(self) -> int:
        return self.process.pid

    def say(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def wait_log(self, pattern: str, seconds: float = 30.0) -> str:
        """The first log line, from now on, matching ``pattern`` (a regex)."""
        return self._wait(self._new, self.lines, pattern, seconds, "log line")

    def wait_shown(self, pattern: str, seconds: float = 30.0) -> str:
        """The first line shown on standard output, from now on, matching ``pattern`` (a regex)."""
        return self._wait(self._shown_new, self.shown, pattern, seconds, "line shown")

    def _wait(self, new: queue.Queue[str], seen: list[str], pattern: str, seconds: float, what: str) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = new.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no {what} matching {pattern!r}; the last ones:\n" + "\n".join(seen[-40:]))

    def wait_message(self, text: str, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(text in m.split("\n") for m in self.messages):
                return
            time.sleep(0.05)
        raise AssertionError(f"no sd_notify message {text!r}; got {self.messages}")

    def ready(self) -> "DaemonProcess":
        self.wait_log(r"listening \(\d+ exercises\)", 60)
        return self

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=10)
        self._running = False
        self.notify.close()
        return code

    def __enter__(self) -> "DaemonProcess":
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._running = False
        self.notify.close()


KOREAN = Path(__file__).parent / "data" / "ko"
"""The test-only Korean language folder (phrases, answers, crisis phrasings)."""


def korean_daemon(tmp: Path, parts: list, seconds: float, **options) -> DaemonProcess:
    """A daemon hearing ``parts`` (second, int16 speech) through the ALSA file microphone
    with the real Korean model and the Korean test table; ``options`` go to DaemonProcess."""
    from conftest import MIC_RATE, korean_model_path, microphone_input

    microphone_input(parts, seconds)
    return DaemonProcess(
        tmp, "--model", str(korean_model_path()), "--language", str(KOREAN),
        "--microphone", "vctest_mic", "--microphone-rate", str(MIC_RATE), listen_stdin=False, **options,
    )


class VirtualDaemon:
    """The daemon in this process on virtual time: the same ``say``, ``wait_log`` and
    ``wait_shown`` as :class:`DaemonProcess`, with a real journal, the real speech cache
    and its sounds mixed offline, but waiting moves the clock: an exercise takes moments.
    The devices, signals and systemd are :class:`DaemonProcess`'s to test."""

    RATE = 22050

    def __init__(
        self, tmp: Path, journal: Path | None = None, scripts: Path | None = None, start_check: str = "never",
        night: bool = False, level: int = logging.INFO, record: bool = False, language: Path | None = None,
    ):
        from voice_coach.audio.mixer import Mixer
        from voice_coach.audio.speaker import BLOCK_SECONDS
        from voice_coach.core.virtual_time import VirtualTime
        from voice_coach.service.audioplayer import AudioPlayer
        from voice_coach.service.config import load_config
        from voice_coach.service.daemon import Daemon
        from voice_coach.service.notify import Notifier

        self.tmp = tmp
        self.journal = journal or tmp / "journal.sqlite"
        config = load_config(_empty_config(tmp))
        for key, value in (("journal", self.journal), ("cache", SHARED_CACHE), ("start_check", start_check), ("scripts", scripts)):
            config.override(key, value)
        self.time = VirtualTime()
        self.out = io.StringIO()
        self.lines: list[str] = []
        self.shown: list[str] = []
        self._read = {"log": 0, "shown": 0}
        self._handler = _ListHandler(self.lines, level)
        logging.getLogger("voice_coach").addHandler(self._handler)
        logging.getLogger("voice_coach").setLevel(logging.INFO)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(tmp / "notify.sock"))
        self.notify.setblocking(False)
        self.messages: list[str] = []
        self.daemon = Daemon(config, listen_stdin=True, language=language, inbox=self.time, shown=self.out)
        self.daemon.notifier = Notifier({"NOTIFY_SOCKET": str(tmp / "notify.sock")})
        code, _ = self.daemon.prepare(prerender=False)
        assert code is None, self.lines
        self.mixer = Mixer(self.RATE, volume=config.settings.volume)
        self.block = int(self.RATE * BLOCK_SECONDS)
        """Mixed in the speaker's own blocks (a change of volume glides over one)."""
        self.record = record
        self.output: list[np.ndarray] = []
        """What the speaker played, with ``record``."""
        player = AudioPlayer(self.mixer, lambda seconds: int(round(seconds * self.RATE)), self.daemon.cache)
        self.daemon.attach(self.time, player, 0.0, night=lambda: night)
        self.stopped = False

    def say(self, text: str) -> None:
        from voice_coach.core.driver import HEARD, Heard

        self.time.put((HEARD, Heard(text)))

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass."""
        until = self.time.now() + seconds
        while self.time.now() < until and not self.stopped:
            self._step()

    def wait_log(self, pattern: str, seconds: float = 30.0) -> str:
        """The first log line, from now on, matching ``pattern`` within ``seconds`` of virtual time."""
        return self._wait("log", self.lines, pattern, seconds)

    def wait_shown(self, pattern: str, seconds: float = 30.0) -> str:
        """The first line shown, from now on, matching ``pattern`` within ``seconds`` of virtual time."""
        return self._wait("shown", self.shown, pattern, seconds)

    def wait_message(self, text: str, seconds: float = 30.0) -> None:
        """An sd_notify message ``text`` within ``seconds`` of virtual time."""
        deadline = self.time.now() + seconds
        while not any(text in m.split("\n") for m in self._received()):
            if self.time.now() > deadline or self.stopped:
                raise AssertionError(f"no sd_notify message {text!r}; got {self.messages}")
            self._step()

    def _received(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.notify.recv(4096).decode())
            except BlockingIOError:
                return self.messages

    def stop(self) -> int:
        """SIGTERM's way: the daemon ends a running exercise silently and stops."""
        self.time.put(("signal", "TERM"))
        while not self.stopped:
            self._step()
        return 0

    def played(self) -> np.ndarray:
        """Everything the speaker played so far (with ``record``)."""
        return np.concatenate(self.output) if self.output else np.zeros(0, np.float32)

    def _wait(self, kind: str, seen: list[str], pattern: str, seconds: float) -> str:
        deadline = self.time.now() + seconds
        while True:
            while self._read[kind] < len(seen):
                line = seen[self._read[kind]]
                self._read[kind] += 1
                if re.search(pattern, line):
                    return line
            if self.time.now() > deadline or self.stopped:
                raise AssertionError(f"no line matching {pattern!r} in {seconds} s; the last ones:\n" + "\n".join(seen[-40:]))
            self._step()

    def _step(self) -> None:
        self.stopped = self.daemon.step()
        self.shown += self.out.getvalue().splitlines()
        self.out.seek(0)
        self.out.truncate()
        frame = int(self.time.now() * self.RATE)
        while self.mixer.frames < frame:
            block = self.mixer.next_block(min(self.block, frame - self.mixer.frames))
            if self.record:
                self.output.append(block)

    def __enter__(self) -> "VirtualDaemon":
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("voice_coach").removeHandler(self._handler)
        self.notify.close()
        self.daemon.keeper.close()


def _empty_config(tmp: Path) -> Path:
    config = tmp / "config.toml"
    config.write_text("")
    return config


class _ListHandler(logging.Handler):
    """Log lines, formatted as the daemon's own log, into a list."""

    def __init__(self, lines: list[str], level: int):
        super().__init__(level)
        self.lines = lines
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
