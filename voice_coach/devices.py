"""Finding sound devices by name: ALSA's numbers change when a USB device is replugged."""

from __future__ import annotations

from dataclasses import dataclass

import sounddevice as sd


class DeviceError(Exception):
    """A sound device is missing or cannot be used; the message says what to do."""


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
