"""Virtual time: a clock and an inbox together, so the driver runs hours in a moment.

Waiting on the inbox moves the clock instead of sleeping: to the next item put in
for a later moment, or by the whole timeout when none comes first.
"""

from __future__ import annotations

import heapq
import itertools
import queue


class NothingMoreWillHappen(Exception):
    """A wait without timeout, and nothing left in the inbox: it would wait forever."""


class VirtualTime:
    """A clock (seconds from 0) and an inbox of items due at given moments."""

    def __init__(self, start: float = 0.0):
        self.time = start
        """The virtual time now."""
        self._due: list[tuple[float, int, tuple[str, object]]] = []
        self._order = itertools.count()  # items due at the same moment keep their order

    def now(self) -> float:
        return self.time

    @staticmethod
    def real_seconds(coach_seconds: float) -> float:
        return coach_seconds

    def put_at(self, at: float, kind: str, value: object = None) -> None:
        """``(kind, value)`` arrives at ``at`` (at once if that has passed)."""
        heapq.heappush(self._due, (max(at, self.time), next(self._order), (kind, value)))

    def put(self, item: tuple[str, object]) -> None:
        """An item arriving now (the inbox's ``put``)."""
        self.put_at(self.time, *item)

    def get(self, timeout: float | None = None) -> tuple[str, object]:
        """The next item, moving the clock to its moment; queue.Empty (the clock moved
        by ``timeout``) when none is due within ``timeout``."""
        if self._due and (timeout is None or self._due[0][0] <= self.time + timeout):
            at, _, item = heapq.heappop(self._due)
            self.time = at
            return item
        if timeout is None:
            raise NothingMoreWillHappen(f"waiting forever at {self.time:.3f} s")
        self.time += timeout
        raise queue.Empty

    @property
    def pending(self) -> int:
        """Items not yet delivered."""
        return len(self._due)
