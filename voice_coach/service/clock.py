"""The session clock: monotonic script time, optionally faster than real time."""

from __future__ import annotations

import time
from datetime import datetime

NIGHT_HOURS = (21, 7)
"""From 21:00 until 07:00 local time the coach speaks its night lines."""


def is_night(moment: datetime) -> bool:
    """True in the evening and night, when a closing should let the person sleep."""
    start, end = NIGHT_HOURS
    return moment.hour >= start or moment.hour < end


class Clock:
    """Seconds since creation on the monotonic clock, times ``speed``."""

    def __init__(self, speed: float = 1.0):
        self.speed = speed
        """How many script seconds pass per real second (above 1: a quick look)."""
        self._origin = time.monotonic()

    def now(self) -> float:
        """Script time now."""
        return (time.monotonic() - self._origin) * self.speed

    def real_seconds(self, script_seconds: float) -> float:
        """How long ``script_seconds`` of script time take in real time."""
        return script_seconds / self.speed
