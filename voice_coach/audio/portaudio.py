"""PortAudio (through sounddevice), loaded on first use.

Importing sounddevice loads the PortAudio library and fails with OSError where
``libportaudio2`` is missing. Only sound needs it: listing, validating, showing,
rendering and the journal work without it, so nothing imports sounddevice but
:func:`sounddevice`, and only when a device is used.
"""

from __future__ import annotations

from types import ModuleType

APT_PACKAGE = "libportaudio2"
"""The Debian / Raspberry Pi OS package that holds the PortAudio library."""


class DeviceError(Exception):
    """A sound device is missing or cannot be used; the message says what to do."""


class NoPortAudio(DeviceError):
    """The PortAudio library cannot be loaded: no device can be used until it is installed."""


def sounddevice() -> ModuleType:
    """The sounddevice module; :class:`NoPortAudio`, naming the package to install, without PortAudio."""
    try:
        import sounddevice
    except OSError as err:
        raise NoPortAudio(
            f"the sound library PortAudio cannot be loaded ({err}); install it with: sudo apt install {APT_PACKAGE}"
        ) from None
    return sounddevice
