"""A pyttsx3 + espeak-ng rendering process for one voice at one fixed rate.

Run by :mod:`voice_coach.speech.tts`; not a command for people. espeak-ng applies a rate
*change* late (sometimes one sentence late) and keeps one synthesis callback per
process, so each (voice, rate) gets its own process that sets everything once.

Protocol, one JSON line each way: in ``{"text": ..., "path": ...}`` on standard
input, out ``{"ok": true}`` or ``{"error": "..."}`` on the reply pipe whose file
descriptor number is the last argument (never standard output: pyttsx3's espeak
driver prints "Audio saved to ..." there from espeak's own thread, sometimes after
any redirection has ended). The first line out says whether it started.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def start(voice: str, pitch: int, words_per_minute: int):
    """The engine, or raises RuntimeError with what is wrong."""
    from pyttsx3.engine import Engine

    engine = Engine("espeak")
    if voice not in {v.id for v in engine.getProperty("voices")}:
        # pyttsx3 would silently keep another voice for an unknown name.
        raise RuntimeError(f"the espeak-ng voice {voice!r} is not installed")
    engine.setProperty("voice", voice)
    engine.setProperty("pitch", pitch)
    engine.setProperty("rate", words_per_minute)
    return engine


def save(engine, text: str, path: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # the driver prints every file name
        engine.save_to_file(text, path)
        engine.runAndWait()


def main() -> None:
    voice, pitch, words_per_minute = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reply = os.fdopen(int(sys.argv[4]), "w", encoding="utf-8")
    try:
        engine = start(voice, pitch, words_per_minute)
        # pyttsx3 2.99 can lose the first file an engine renders: spend it on a throwaway.
        warmup = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"voice-coach-warmup-{os.getpid()}.wav")
        save(engine, "Hallo.", warmup)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(warmup)
    except Exception as err:  # pyttsx3 and ctypes raise many kinds
        print(json.dumps({"error": str(err)}), file=reply, flush=True)
        return
    print(json.dumps({"ok": True}), file=reply, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            save(engine, request["text"], request["path"])
            print(json.dumps({"ok": True}), file=reply, flush=True)
        except Exception as err:
            print(json.dumps({"error": str(err)}), file=reply, flush=True)


if __name__ == "__main__":
    main()
