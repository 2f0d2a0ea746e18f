"""Speex's echo canceller (libspeexdsp, BSD-3-Clause) through ctypes.

The multidelay block frequency-domain adaptive filter (MDF) of ``speex_echo_*``, followed
by the residual echo suppressor of ``speex_preprocess_*`` with its noise suppression, AGC,
VAD and dereverberation all off: the recognizer wants the person's voice as it was said.
Debian's and Raspberry Pi OS's ``libspeexdsp1`` ships the library; nothing is compiled.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

LIBRARY = "speexdsp"
"""The library's name for ``ctypes.util.find_library``."""
SONAME = "libspeexdsp.so.1"
"""Its file name, tried when ``find_library`` finds nothing (it needs ldconfig or a compiler)."""
TAIL_SECONDS = 0.128
"""How much echo the filter models after the estimated delay: the direct path and the first
reflections of a bedroom; what rings on longer is left to the residual echo suppressor."""
RESIDUAL_SUPPRESS_DB = -40
"""How far the residual echo suppressor may attenuate what is left of the echo."""
RESIDUAL_SUPPRESS_ACTIVE_DB = -15
"""The same while the person speaks too: less, so their words survive."""

_ECHO_SET_SAMPLING_RATE = 24
_ECHO_GET_IMPULSE_RESPONSE_SIZE = 27
_ECHO_GET_IMPULSE_RESPONSE = 29
_PREPROCESS_SET_DENOISE = 0
_PREPROCESS_SET_AGC = 2
_PREPROCESS_SET_DEREVERB = 8
_PREPROCESS_SET_ECHO_SUPPRESS = 20
_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22
_PREPROCESS_SET_ECHO_STATE = 24

_INT16_P = ctypes.POINTER(ctypes.c_int16)


class SpeexUnavailable(RuntimeError):
    """libspeexdsp cannot be loaded (not installed, or a build without the echo canceller)."""


def _library() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(ctypes.util.find_library(LIBRARY) or SONAME)
        lib.speex_echo_state_init.restype = ctypes.c_void_p
        lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
        lib.speex_echo_state_reset.argtypes = [ctypes.c_void_p]
        lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p, _INT16_P, _INT16_P, _INT16_P]
        lib.speex_preprocess_state_init.restype = ctypes.c_void_p
        lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.speex_preprocess_state_destroy.argtypes = [ctypes.c_void_p]
        lib.speex_preprocess_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.speex_preprocess_run.argtypes = [ctypes.c_void_p, _INT16_P]
    except (OSError, AttributeError) as err:
        raise SpeexUnavailable(f"libspeexdsp cannot be loaded ({err}); install it: apt-get install libspeexdsp1") from None
    return lib


class SpeexCanceller:
    """One echo canceller for one microphone at ``rate``, fed ``frame`` samples at a time."""

    name = "speex"

    def __init__(self, rate: int, frame: int):
        self._lib = _library()
        self.rate = rate
        self.frame = frame
        """Samples per call of :meth:`cancel` (10-20 ms is what Speex is made for)."""
        self._echo = self._lib.speex_echo_state_init(frame, int(rate * TAIL_SECONDS))
        self._suppressor = self._lib.speex_preprocess_state_init(frame, rate)
        if not self._echo or not self._suppressor:
            self.close()
            raise SpeexUnavailable("libspeexdsp could not make an echo canceller")
        self._ctl(self._lib.speex_echo_ctl, self._echo, _ECHO_SET_SAMPLING_RATE, rate)
        size = ctypes.c_int(0)
        self._lib.speex_echo_ctl(self._echo, _ECHO_GET_IMPULSE_RESPONSE_SIZE, ctypes.byref(size))
        self._response = (ctypes.c_int32 * size.value)()
        for request, value in (
            (_PREPROCESS_SET_DENOISE, 0), (_PREPROCESS_SET_AGC, 0), (_PREPROCESS_SET_DEREVERB, 0),
            (_PREPROCESS_SET_ECHO_SUPPRESS, RESIDUAL_SUPPRESS_DB), (_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, RESIDUAL_SUPPRESS_ACTIVE_DB),
        ):
            self._ctl(self._lib.speex_preprocess_ctl, self._suppressor, request, value)
        self._lib.speex_preprocess_ctl(self._suppressor, _PREPROCESS_SET_ECHO_STATE, ctypes.c_void_p(self._echo))

    @staticmethod
    def _ctl(function, state: int, request: int, value: int) -> None:
        argument = ctypes.c_int(value)
        function(state, request, ctypes.byref(argument))

    def cancel(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``near`` (the microphone, int16) without the echo of ``far`` (what played, int16,
        aligned with it); both exactly :attr:`frame` samples."""
        near = np.ascontiguousarray(near, dtype=np.int16)
        far = np.ascontiguousarray(far, dtype=np.int16)
        out = np.empty(self.frame, dtype=np.int16)
        self._lib.speex_echo_cancellation(self._echo, near.ctypes.data_as(_INT16_P), far.ctypes.data_as(_INT16_P), out.ctypes.data_as(_INT16_P))
        self._lib.speex_preprocess_run(self._suppressor, out.ctypes.data_as(_INT16_P))
        return out

    def reset(self) -> None:
        """Forget the learned echo path (after the delay moved, the old filter is wrong)."""
        self._lib.speex_echo_state_reset(self._echo)

    def learned(self) -> float:
        """The energy of the filter's impulse response: 0 once Speex has reset itself."""
        self._lib.speex_echo_ctl(self._echo, _ECHO_GET_IMPULSE_RESPONSE, self._response)
        return float(np.sum(np.frombuffer(self._response, dtype=np.int32).astype(np.float64) ** 2))

    def close(self) -> None:
        if getattr(self, "_suppressor", None):
            self._lib.speex_preprocess_state_destroy(self._suppressor)
            self._suppressor = None
        if getattr(self, "_echo", None):
            self._lib.speex_echo_state_destroy(self._echo)
            self._echo = None

    def __del__(self) -> None:
        self.close()
