"""Telling systemd how the service is doing (sd_notify), without a library.

Each message opens an AF_UNIX datagram socket, sends, and closes it: the daemon
keeps no socket open, and outside systemd (no $NOTIFY_SOCKET) nothing is sent.
"""

from __future__ import annotations

import os
import socket
import time


class Notifier:
    """READY, STATUS and WATCHDOG messages to the service manager."""

    def __init__(self, environ: dict[str, str] = os.environ):
        address = environ.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address  # abstract namespace
        usec = environ.get("WATCHDOG_USEC", "")
        self.watchdog_interval: float | None = int(usec) / 2e6 if usec.isdigit() else None
        """Seconds between watchdog pings (half of WatchdogSec), None when no watchdog is set."""
        self._next_ping = 0.0

    def send(self, *lines: str) -> None:
        if not self.address:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto("\n".join(lines).encode(), self.address)
            except OSError:
                pass  # systemd went away; the service goes on

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def seconds_to_ping(self) -> float | None:
        """How long until the next watchdog ping is due (None: no watchdog)."""
        if self.watchdog_interval is None:
            return None
        return max(0.0, self._next_ping - time.monotonic())

    def ping_if_due(self) -> None:
        if self.watchdog_interval is not None and time.monotonic() >= self._next_ping:
            self.send("WATCHDOG=1")
            self._next_ping = time.monotonic() + self.watchdog_interval
