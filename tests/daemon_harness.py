"""Running `voice-coach run` as a real subprocess on the ALSA rig, watching its log,
its sd_notify messages and its journal."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

SHARED_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "voice-coach-test-speech"
"""Rendered speech shared by every daemon of a test run (rendering is not what is tested here)."""


class DaemonProcess:
    """One daemon (by default without the spoken start check, so "start X" starts X at once);
    ``say`` types a phrase (with --listen-stdin), ``wait_log`` waits for a log line,
    ``wait_shown`` for a line it shows (what it says and does, with --listen-stdin)."""

    def __init__(
        self, tmp: Path, *args: str, listen_stdin: bool = True, scripts: Path | None = None, env: dict | None = None,
        verbose: bool = True, journal: Path | None = None, speaker: str | None = "vctest_speaker",
        start_check: str = "never",
    ):
        self.tmp = tmp
        self.journal = journal or tmp / "journal.sqlite"
        self.notify_path = tmp / "notify.sock"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.notify_path))
        self.notify.settimeout(0.2)
        self.messages: list[str] = []
        config = tmp / "config.toml"
        config.write_text("")
        command = [
            sys.executable, "-m", "voice_coach", "--config", str(config), "--journal", str(self.journal),
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
