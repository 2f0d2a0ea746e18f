"""Finding how late the coach's own voice reaches its microphone: cross-correlation.

The device latencies say roughly when a played frame is heard; the room, the sound
server and the devices' own buffers add a delay that nobody reports. GCC-PHAT (the
cross-spectrum whitened to its phase) of what played against what the microphone
heard gives one sharp peak at that delay, even in a reverberant room.
"""

from __future__ import annotations

import numpy as np

MIN_LAG_SECONDS = -0.02
"""The earliest echo looked for, relative to the reported latencies (they may overstate a
little; no earlier, since the speaker's mix runs only its lead ahead of what is heard)."""
MAX_LAG_SECONDS = 0.3
"""The latest: a sound server or a Bluetooth speaker adds up to this much."""
PEAK_RATIO = 10.0
"""A lag counts only where its correlation stands this many times above the typical
value of the others; between unrelated signals the highest of thousands of lags stands
about 6 times above it (measured), so echo-free audio (a muted speaker) gives no such peak."""


PLAYED_BIN = 1e-3
"""Only frequencies where the far end has energy (above this share of its strongest) are
compared: elsewhere the whitened spectrum is the room's noise, and its phase is random."""
BROADBAND = 0.1
"""At least this share of the frequencies must have been played (speech has most of them)."""
UNIQUE_SECONDS = 0.002
"""Around the highest peak, this much belongs to it..."""
SECOND_PEAK = 0.5
"""...and no other lag may reach this share of it: a breath tone or a chime, periodic, matches
itself at every period, and the lag it gives may be any of them."""


def estimate_delay(far: np.ndarray, near: np.ndarray, rate: int) -> float | None:
    """Seconds by which ``near`` (the microphone) lags ``far`` (what played), or None when
    no clear echo is in it. ``far`` starts :data:`MAX_LAG_SECONDS` before ``near`` and
    ends ``-MIN_LAG_SECONDS`` after it (see :func:`far_span`); both at ``rate``."""
    lead, span = far_span(rate)
    if len(far) != len(near) + span or not np.any(far) or not np.any(near):
        return None
    size = 1 << int(np.ceil(np.log2(len(far) + len(near))))
    far_spectrum = np.fft.rfft(far.astype(np.float64), size)
    played = np.abs(far_spectrum) > PLAYED_BIN * np.abs(far_spectrum).max()
    if played.mean() < BROADBAND:  # a tone: too few frequencies to tell one lag from the next
        return None
    spectrum = np.fft.rfft(near.astype(np.float64), size) * np.conj(far_spectrum) * played
    correlation = np.fft.irfft(spectrum / (np.abs(spectrum) + 1e-9), size)
    # near[n] ~ far[n + lead - lag]: its correlation peaks at shift lag - lead (negative shifts wrap)
    lags = np.arange(round(MIN_LAG_SECONDS * rate), round(MAX_LAG_SECONDS * rate) + 1)
    values = np.abs(correlation[(lags - lead) % size])
    best = int(np.argmax(values))
    typical = float(np.median(values)) + 1e-12
    width = round(UNIQUE_SECONDS * rate)
    if values[best] < PEAK_RATIO * typical or not width <= best < len(values) - width:  # at an edge: outside the range
        return None
    near_best = np.abs(np.arange(len(values)) - best) <= width
    if np.max(values[~near_best]) > SECOND_PEAK * values[best]:  # a tone: it matches itself a period later
        return None
    return float(lags[best]) / rate


def far_span(rate: int) -> tuple[int, int]:
    """(frames of ``far`` before ``near`` starts, frames more of ``far`` than of ``near``)."""
    lead = round(MAX_LAG_SECONDS * rate)
    return lead, lead + round(-MIN_LAG_SECONDS * rate)
