"""A Piper rendering process (GPL: imported here only, never by the coach itself).

Run by :mod:`voice_coach.speech.tts` (protocol: :mod:`~voice_coach.speech.worker_protocol`).
Arguments: the voice's .onnx file, length scale, reply pipe.
"""

from __future__ import annotations

import wave

from .worker_protocol import Render, serve


def start(arguments: list[str]) -> Render:
    from piper import PiperVoice, SynthesisConfig

    model, length_scale = arguments[0], float(arguments[1])
    voice = PiperVoice.load(model)
    config = SynthesisConfig(length_scale=length_scale)

    def render(text: str, path: str) -> None:
        with wave.open(path, "wb") as out:
            voice.synthesize_wav(text, out, syn_config=config)

    return render


if __name__ == "__main__":
    serve(start)
