"""An MBROLA rendering process: the espeak-ng program with an ``mb-`` voice.

Run by :mod:`voice_coach.speech.tts` (protocol: :mod:`~voice_coach.speech.worker_protocol`).
Arguments: voice, pitch, words per minute, word gap (espeak-ng's ``-g``), reply pipe.
"""

from __future__ import annotations

import shutil
import subprocess

from .worker_protocol import Render, serve

RENDER_TIMEOUT = 60


def start(arguments: list[str]) -> Render:
    voice, pitch, words_per_minute, word_gap = arguments
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed")

    def render(text: str, path: str) -> None:
        # "[[...]]" in the text is espeak-ng phoneme input (the pronunciation data).
        result = subprocess.run(
            [binary, "-v", voice, "-s", words_per_minute, "-p", pitch, "-g", word_gap, "-w", path, "--", text],
            capture_output=True, text=True, timeout=RENDER_TIMEOUT,
        )
        # A voice lacking a diphone (nl3 lacks some) warns and speaks on; the file is checked after.
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"espeak-ng exit status {result.returncode}")

    return render


if __name__ == "__main__":
    serve(start)
