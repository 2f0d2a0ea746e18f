"""Finding sound devices by name: ALSA's numbers change when a USB device is replugged.

PortAudio reads the list of devices once, when it starts; a device plugged in
later only appears after a restart of PortAudio, which needs every open stream
closed first. Streams register a way to let go (:func:`on_refresh`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from .portaudio import DeviceError, NoPortAudio, sounddevice

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
"""How often a vanished device is looked for again."""
REFRESH_SECONDS = 10.0
"""PortAudio is restarted to look for a missing device at most this often."""

_lock = threading.RLock()
_releases: list[Callable[[], None]] = []
_last_refresh = 0.0


@dataclass(frozen=True)
class Device:
    """A sound device as found now."""

    index: int | None
    """PortAudio's index now (None: the system default)."""
    name: str
    """Its name."""
    rate: int
    """Sample rate to use: the device's own unless one was asked for."""
    channels: int
    """Channels to open (mono for microphones, up to stereo for speakers)."""


def find_device(name: str | None, kind: str, rate: int | None = None) -> Device:
    """The ``kind`` ("input" or "output") device whose name contains ``name`` (None: the default)."""
    key = f"max_{kind}_channels"
    sd = sounddevice()
    try:
        if name is None:
            info = sd.query_devices(kind=kind)
        else:
            matches = [d for d in sd.query_devices() if name.lower() in d["name"].lower() and d[key] > 0]
            if not matches:
                names = ", ".join(d["name"] for d in sd.query_devices() if d[key] > 0) or "none"
                raise DeviceError(f"no {kind} device named {name!r}; available: {names}. Check the cable or the name in the config.")
            exact = [d for d in matches if d["name"].lower() == name.lower()]
            info = (exact or matches)[0]
    except sd.PortAudioError as err:
        raise DeviceError(f"no usable {kind} device ({err}); is libportaudio2 installed and a sound device connected?") from None
    channels = 1 if kind == "input" else min(2, int(info[key]))
    return Device(info["index"] if name is not None else None, info["name"], rate or int(info["default_samplerate"]), channels)


def on_refresh(release: Callable[[], None]) -> None:
    """Call ``release`` (close your stream; reopen it later) before PortAudio restarts."""
    with _lock:
        _releases.append(release)


def forget(release: Callable[[], None]) -> None:
    """Undo :func:`on_refresh`."""
    with _lock:
        if release in _releases:
            _releases.remove(release)


def stream_lock() -> threading.RLock:
    """Held around stream calls, so a refresh never pulls a stream from under them."""
    return _lock


def refresh_devices() -> bool:
    """Restart PortAudio to see devices plugged in since (rate-limited); True if it did."""
    global _last_refresh
    with _lock:
        if time.monotonic() - _last_refresh < REFRESH_SECONDS:
            return False
        _last_refresh = time.monotonic()
        for release in list(_releases):
            release()
        sd = sounddevice()
        sd._terminate()
        sd._initialize()
        return True


def find_device_refreshing(name: str | None, kind: str, rate: int | None = None) -> Device:
    """:func:`find_device`, restarting PortAudio once if the device is not in its list."""
    try:
        return find_device(name, kind, rate)
    except DeviceError:
        if not refresh_devices():
            raise
        return find_device(name, kind, rate)


class DeviceStream:
    """A device's stream served by a thread, surviving the device coming and going.

    Subclasses name their ``kind`` ("input" or "output") and give ``_open`` (open
    ``self._stream`` on ``self.device``) and ``_serve`` (the thread's loop).
    """

    kind = ""

    def __init__(self, name: str | None, rate: int | None, wait_for_device: bool):
        """With ``wait_for_device``, a missing device is waited for instead of an error."""
        self.name = name
        try:
            self.device: Device | None = find_device(name, self.kind, rate)
        except DeviceError as err:
            if not wait_for_device or isinstance(err, NoPortAudio):  # waiting cannot install a library
                raise
            log.warning("%s; waiting for it", err)
            self.device = None
        self._stream = None
        self._running = False
        self._thread: threading.Thread | None = None

    def start(self):
        on_refresh(self._close_stream)
        if self.device is not None:
            self._open()
        self._running = True
        self._thread = threading.Thread(target=self._serve, name=f"sound-{self.kind}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._running = False
        forget(self._close_stream)
        if self._thread:
            self._thread.join(timeout=2)
        self._close_stream()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def _open(self) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        raise NotImplementedError

    def _close_stream(self) -> None:
        with _lock:
            stream, self._stream = self._stream, None
            if stream is not None:
                try:
                    stream.close(ignore_errors=True)
                except sounddevice().PortAudioError:
                    pass

    def _find_again(self, rate: int) -> bool:
        """Look the device up by name again and open it; True when that worked."""
        try:
            self.device = find_device_refreshing(self.name, self.kind, rate)
            self._open()
            return True
        except (DeviceError, sounddevice().PortAudioError):
            self._close_stream()
            return False
