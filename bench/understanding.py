"""What the coach makes of what people say, through an independent Dutch ear.

This machine has no Dutch Vosk model, so Whisper base (forced to Dutch) stands in
for a recognizer's mistakes: sentences of the corpus are spoken by each installed
Dutch voice, at two speaking rates, clean and in a small room with noise; the ear
transcribes them and the transcripts go through the interpreter, as the daemon
reads what it hears. Reported per voice and condition: crisis recall (a crisis
sentence that reaches 113: the crisis message, or the distress question whose
both answers carry the 113 line), false crisis messages on look-alikes, and
check-in answers understood.

The sentences are a fixed random sample of ``tests/data/crisis_corpus.toml`` and
``tests/data/answer_corpus.toml`` (seed 18), the same in every run.
"""

from __future__ import annotations

import random
import tempfile
import tomllib
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED = 18
CONDITIONS = {"clean, normal rate": (1.0, None), "clean, 20 % faster": (1.2, None), "room + noise 10 dB": (1.0, 10.0)}
"""Condition -> (speaking rate, noise SNR in dB or None for clean)."""
QUESTION_KEYS = {"body": "lichaam", "feeling": "emotie", "need": "behoefte"}


def sample(per_kind: int) -> dict[str, list]:
    """The fixed sample: crisis and look-alike sentences, and (sentence, question) answers."""
    rng = random.Random(SEED)
    corpus = tomllib.loads((ROOT / "tests" / "data" / "crisis_corpus.toml").read_text("utf-8"))
    answers = tomllib.loads((ROOT / "tests" / "data" / "answer_corpus.toml").read_text("utf-8"))
    said = [(s, k) for k, sentences in answers.items() for s in sentences]
    return {
        "crisis": rng.sample(corpus["crisis"], per_kind),
        "look_alikes": rng.sample(corpus["look_alikes"], per_kind),
        "answers": rng.sample(said, per_kind),
    }


def _samples(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float32), wav.getframerate()


def _noisy(path: Path, snr_db: float, rng: np.random.Generator, folder: Path) -> Path:
    """``path`` in a small room (sox reverb) with pink-ish room noise ``snr_db`` below the speech."""
    import subprocess

    room = folder / "room.wav"
    subprocess.run(["sox", str(path), str(room), "reverb", "50", "50", "20"], check=True, capture_output=True)
    speech, rate = _samples(room)
    white = rng.standard_normal(len(speech)).astype(np.float32)
    pink = np.convolve(white, np.ones(8, np.float32) / 8, mode="same")
    level = np.std(speech[np.abs(speech) > 200]) if np.any(np.abs(speech) > 200) else np.std(speech)
    mixed = speech + pink / np.std(pink) * level / 10 ** (snr_db / 20)
    out = folder / "noisy.wav"
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1), wav.setsampwidth(2), wav.setframerate(rate)
        wav.writeframes(np.clip(mixed, -32768, 32767).astype(np.int16).tobytes())
    return out


def measure(ear, voices: list, per_kind: int) -> dict:
    """Per voice and condition: crisis recall, false crisis messages, answers understood."""
    from voice_coach.core.engine import Answer, Crisis, Distress, NoAnswer
    from voice_coach.core.interpret import Interpreter
    from voice_coach.core.library import load_library
    from voice_coach.core.script import Record
    from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
    from voice_coach.speech.speech_cache import SpeechCache
    from voice_coach.speech.tts import Synthesizer

    language = Interpreter.load()
    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    questions = {s.body.key: s.body.answers for script in library.scripts.values() for s in script.steps if isinstance(s.body, Record)}
    said = sample(per_kind)
    rng = np.random.default_rng(SEED)
    report: dict = {}
    for voice in voices:
        folder = Path(tempfile.mkdtemp(prefix="voice-coach-bench-ear-"))
        cache = SpeechCache(folder / "cache", Synthesizer(voice))

        def heard(text: str, rate: float, snr: float | None) -> str:
            path = cache.get(text, rate)
            if snr is not None:
                path = _noisy(path, snr, rng, folder)
            segments, _ = ear.transcribe(str(path), language="nl", beam_size=5)
            return " ".join(s.text for s in segments)

        figures = {}
        for condition, (rate, snr) in CONDITIONS.items():
            crisis = [language.during(heard(s, rate, snr)) for s in said["crisis"]]
            look_alikes = [language.during(heard(s, rate, snr)) for s in said["look_alikes"]]
            understood = [
                language.during(heard(s, rate, snr), questions[QUESTION_KEYS[k]], True) for s, k in said["answers"]
            ]
            figures[condition] = {
                "crisis_recall_pct": _pct(sum(isinstance(e, (Crisis, Distress)) for e in crisis), len(crisis)),
                "crisis_message_pct": _pct(sum(isinstance(e, Crisis) for e in crisis), len(crisis)),
                "false_crisis_pct": _pct(sum(isinstance(e, Crisis) for e in look_alikes), len(look_alikes)),
                "answers_understood_pct": _pct(sum(isinstance(e, (Answer, NoAnswer)) for e in understood), len(understood)),
            }
            print(voice.name, condition, figures[condition], flush=True)
        cache.release()
        report[voice.name] = figures
    report["sentences"] = {kind: len(items) for kind, items in said.items()}
    return report


def _pct(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0
