"""What every rendering process speaks with :mod:`voice_coach.speech.tts`.

One JSON line each way: in ``{"text": ..., "path": ...}`` on standard input; out
``{"ok": true}`` or ``{"error": "..."}`` on the reply pipe whose file descriptor
number is the last argument. Never on standard output: speech libraries print
there from their own threads (pyttsx3's espeak driver prints "Audio saved to ..."
even after a redirection has ended). The first line out says whether it started.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Callable

Render = Callable[[str, str], None]
"""Renders a sentence (text) into a WAV file (path); raises on failure."""


def serve(start: Callable[[list[str]], Render]) -> None:
    """Run a rendering process: ``start(arguments)`` makes the renderer (raising if it
    cannot), then every request on standard input is rendered and answered."""
    *arguments, reply_fd = sys.argv[1:]
    reply = os.fdopen(int(reply_fd), "w", encoding="utf-8")

    def answer(**fields) -> None:
        print(json.dumps(fields), file=reply, flush=True)

    try:
        render = start(arguments)
    except Exception as err:  # every engine fails in its own way; the parent names the fix
        answer(error=str(err) or type(err).__name__)
        return
    answer(ok=True)
    for line in sys.stdin:
        try:
            request = json.loads(line)
            render(request["text"], request["path"])
        except Exception as err:
            answer(error=str(err) or type(err).__name__)
        else:
            answer(ok=True)
