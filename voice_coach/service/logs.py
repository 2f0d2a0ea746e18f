"""Logging to standard error that nothing in the process can swallow.

sounddevice points file descriptor 2 at /dev/null while it (re)initializes
PortAudio, which the daemon does every few seconds while a device is missing;
a log line written in that window vanished. The log therefore writes to its own
duplicate of descriptor 2, taken once at start-up.
"""

from __future__ import annotations

import logging
import os

FORMAT = "%(levelname)s %(name)s: %(message)s"


def start_logging(verbose: bool) -> None:
    """Log at INFO (``verbose``) or WARNING to the standard error the process began with."""
    stream = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=FORMAT, stream=stream, force=True)
