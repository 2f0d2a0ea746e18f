"""How far a long command is (a download, rendering every sentence): a bar on a terminal;
anywhere else (a pipe, a log file, the system log of an install run as a service) one line
at each tenth, so a long task never floods a log with bar redraws."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

TENTHS = 10
"""Off a terminal, one line each time another tenth of the task is done."""


class Progress:
    """Progress of a task of ``length`` units, told on ``stream`` (standard error by default).

    Use as a context manager and call :meth:`reach` with the units done so far.
    """

    def __init__(self, length: int, label: str, stream: TextIO | None = None):
        self.length = length
        self.label = label
        self.stream = stream or sys.stderr
        self._bar = click.progressbar(length=max(length, 1), label=label, file=self.stream) if self.stream.isatty() else None
        self._tenths = 0
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.__enter__()
        else:
            click.echo(f"{self.label} ...", file=self.stream)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def reach(self, done: int, length: int | None = None) -> None:
        """``done`` units of the task are done (``length``: the task's size, when it was learnt only now)."""
        if length and length != self.length:
            self.length = length
            if self._bar is not None:
                self._bar.length = length
        done = max(0, min(done, self.length))
        if self._bar is not None:
            self._bar.update(max(0, done - self._bar.pos))
            return
        tenths = done * TENTHS // self.length if self.length else TENTHS
        if tenths > self._tenths:
            self._tenths = tenths
            seconds = time.monotonic() - self._started
            click.echo(f"{self.label}: {tenths * 100 // TENTHS} % after {seconds:.0f} s", file=self.stream)
