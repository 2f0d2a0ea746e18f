"""Where ALSA's default device goes, and which sound cards there are.

On Raspberry Pi OS Bookworm, ``pipewire-alsa`` routes ALSA's default device to PipeWire
(PulseAudio's ALSA plugin does the same). PipeWire runs per logged-in user: a system
service cannot reach it, so its default speaker and microphone silently go nowhere. The
fix is a card by name in the config, or the user unit. alsa-lib itself is asked how it
defines the default (``ALSA_CONFIG_PATH`` included), so every config file counts as ALSA
reads it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .portaudio import sounddevice

SOUND_SERVERS = {"pipewire": "PipeWire", "pulse": "PulseAudio"}
"""ALSA plugin type -> the sound server it hands the sound to."""
SERVER_SOCKETS = {"pipewire": "pipewire-0", "pulse": "pulse/native"}
"""Where each server listens, under the session's ``$XDG_RUNTIME_DIR``."""
CARD_SUFFIX = re.compile(r"\s*\(hw:\d+,\d+\)$")
"""PortAudio appends ALSA's card numbers, which change when a USB device is replugged."""

_ERROR_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
_quiet = _ERROR_HANDLER(lambda *args: None)  # kept alive: alsa-lib holds the pointer


@dataclass(frozen=True)
class SoundServer:
    """A sound server that ALSA's default device goes to."""

    plugin: str
    """The ALSA plugin type: "pipewire" or "pulse"."""
    name: str
    """Its name for people: "PipeWire" or "PulseAudio"."""
    reachable: bool
    """Whether this process can reach it (its socket is in this session's runtime folder)."""


@dataclass(frozen=True)
class Card:
    """A sound card, by the name the config's speaker and microphone keys take."""

    name: str
    """PortAudio's name without the card numbers, e.g. "USB PnP Sound Device: Audio"."""
    output: bool
    """It can play."""
    input: bool
    """It can record."""


def default_pcm_type() -> str | None:
    """The type of ALSA's default PCM ("hw", "plug", "pipewire", "pulse", ...), following one
    ``slave.pcm`` of a plug or similar; None when alsa-lib is missing or cannot tell."""
    name = ctypes.util.find_library("asound")
    if name is None:
        return None
    alsa = ctypes.CDLL(name)
    alsa.snd_lib_error_set_handler(_quiet)  # a card that is missing is not worth a log line here
    try:
        if alsa.snd_config_update() < 0:
            return None
        top = ctypes.c_void_p.in_dll(alsa, "snd_config")
        definition = ctypes.c_void_p()
        if alsa.snd_config_search_definition(top, b"pcm", b"default", ctypes.byref(definition)) < 0:
            return None
        try:
            kind = _string(alsa, definition, b"type")
            slave = _string(alsa, definition, b"slave.pcm")
        finally:
            alsa.snd_config_delete(definition)
    finally:
        alsa.snd_lib_error_set_handler(None)
    return slave if slave in SOUND_SERVERS and kind not in SOUND_SERVERS else kind


def _string(alsa: ctypes.CDLL, node: ctypes.c_void_p, key: bytes) -> str | None:
    found = ctypes.c_void_p()
    if alsa.snd_config_search(node, key, ctypes.byref(found)) < 0:
        return None
    value = ctypes.c_char_p()
    if alsa.snd_config_get_string(found, ctypes.byref(value)) < 0 or value.value is None:
        return None
    return value.value.decode(errors="replace")


def default_sound_server() -> SoundServer | None:
    """The sound server ALSA's default device goes to; None when it goes to a card."""
    plugin = default_pcm_type()
    if plugin not in SOUND_SERVERS:
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    reachable = bool(runtime) and (Path(runtime) / SERVER_SOCKETS[plugin]).is_socket()
    return SoundServer(plugin, SOUND_SERVERS[plugin], reachable)


def sound_cards() -> list[Card]:
    """The hardware sound cards PortAudio sees, by name (:class:`~.portaudio.NoPortAudio` without it)."""
    return cards_among(list(sounddevice().query_devices()))


def cards_among(devices: list[dict]) -> list[Card]:
    """The hardware cards (ALSA ``hw`` devices) among PortAudio's device descriptions."""
    cards: dict[str, Card] = {}
    for device in devices:
        if not CARD_SUFFIX.search(device["name"]):
            continue
        name = CARD_SUFFIX.sub("", device["name"])
        seen = cards.get(name, Card(name, False, False))
        cards[name] = Card(name, seen.output or device["max_output_channels"] > 0, seen.input or device["max_input_channels"] > 0)
    return list(cards.values())


def unreachable_default_advice(server: SoundServer, config_path: Path) -> str:
    """What to do when a service's default device goes to a server it cannot reach."""
    cards = sound_cards()
    speakers = [c.name for c in cards if c.output]
    microphones = [c.name for c in cards if c.input]
    example = f'speaker = "{speakers[0]}" and microphone = "{(microphones or ["..."])[0]}"' if speakers else 'speaker = "..." and microphone = "..."'
    found = f" (cards here: {', '.join(c.name for c in cards)})" if cards else ""
    return (
        f"ALSA's default device goes to {server.name}, which this process cannot reach: the coach would be silent and deaf. "
        f"Name the sound card in {config_path}: {example}{found}; or run the user unit "
        "(systemd/voice-coach-user.service), which lives in your session beside the sound server"
    )
