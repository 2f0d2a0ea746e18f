"""A pyttsx3 + espeak-ng rendering process for one voice at one fixed rate.

Run by :mod:`voice_coach.speech.tts` (protocol: :mod:`~voice_coach.speech.worker_protocol`);
not a command for people. espeak-ng applies a rate *change* late (sometimes one
sentence late) and keeps one synthesis callback per process, so each (voice,
rate) gets its own process that sets everything once.

Arguments: voice, pitch, words per minute, reply pipe.
"""

from __future__ import annotations

import contextlib
import io
import os

from .worker_protocol import Render, serve


def start(arguments: list[str]) -> Render:
    """The renderer, or raises RuntimeError with what is wrong."""
    from pyttsx3.drivers import _espeak
    from pyttsx3.engine import Engine

    voice, pitch, words_per_minute = arguments[0], int(arguments[1]), int(arguments[2])
    engine = Engine("espeak")
    if voice not in {v.id for v in engine.getProperty("voices")}:
        # pyttsx3 would silently keep another voice for an unknown name.
        raise RuntimeError(f"the espeak-ng voice {voice!r} is not installed")
    engine.setProperty("voice", voice)
    engine.setProperty("pitch", pitch)
    engine.setProperty("rate", words_per_minute)
    # pyttsx3 calls espeak_Synth without espeakPHONEMES: "[[...]]" of the pronunciation
    # data would be read out letter by letter. This process is the only user of it.
    synth = _espeak.Synth
    _espeak.Synth = lambda text, *args, flags=0, **kw: synth(text, *args, flags=flags | _espeak.PHONEMES, **kw)

    def render(text: str, path: str) -> None:
        # The driver writes the file from inside espeak's callback, where a failed write
        # (a full disk) is swallowed and its loop never ends: it writes into memory here.
        wav = _NewestWav()
        with contextlib.redirect_stdout(io.StringIO()):  # the driver prints every file name
            engine.save_to_file(text, wav)
            engine.runAndWait()
        with open(path, "wb") as file:
            file.write(wav.getvalue())

    # pyttsx3 2.99 can lose the first file an engine renders: spend it on a throwaway.
    warmup = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"voice-coach-warmup-{os.getpid()}.wav")
    render("Hallo.", warmup)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(warmup)
    return render


class _NewestWav(io.BytesIO):
    """Memory that keeps only the newest WAV written into it. pyttsx3's callback can write
    the previous sentence's audio late, into the next sentence's target (seen under
    emulation): a new RIFF header starts the file over, as a fresh file on disk would."""

    def write(self, data) -> int:
        if bytes(data[:4]) == b"RIFF":
            self.seek(0)
            self.truncate()
        return super().write(data)


if __name__ == "__main__":
    serve(start)
