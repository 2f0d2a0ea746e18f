"""The coach's own voice played into its microphone: self-triggers, echo return loss
enhancement, commands said over it, and the canceller's CPU.

Every exercise is rendered as the coach plays it (``voice-coach render``, espeak-ng's Dutch
voice), mixed by the real Speaker's mixer (not started: no device), and goes through a simulated
bedroom (tests/echo_room.py: a delay of 5-50 ms, sox reverberation, a speaker-to-microphone
gain of -10..+10 dB relative to the person's voice; for the self-triggers a room noise of
-70..-50 dBFS, the commands at -50) into the microphone at 16 kHz. The real
listener (``Listener.configured``, barge-in on, as the daemon has it) is fed that audio by hand,
faster than real time, its far end filled as the live speaker fills it; the Korean stand-in
model listens with the test table's session grammar (commands, help, crisis phrasings).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from echo_room import feed_with_far_end, room_echo, voiced_rms  # noqa: E402
from listening import POSITIVE_VOICES, espeak  # noqa: E402

RATE = 16000
"""The microphone's rate (Vosk's own)."""
SPEAKER_RATE = 48000
"""The speaker's (the far end is resampled to the microphone's rate)."""
PERSON_LEVEL = 3000.0
"""The person's voiced RMS at the microphone (int16 scale, about -21 dBFS): the gains are relative to it."""
ROOM_NOISE = 100.0
"""The room's noise at the microphone (RMS, about -50 dBFS), as in bench/listening.py."""
QUIET_NOISE = 10.0
"""For the ERLE figure: a quiet microphone (-70 dBFS), so the noise does not cap the figure."""
BLOCK = RATE // 50
"""The live microphone's block (20 ms)."""
COMMAND_SPACING = 5.0
"""Seconds between commands said over the coach's voice."""
CRISIS_SAID = "정말 너무 죽고 싶어요"
"""A crisis phrasing of the test table ("really, too much, I want to die") inside a sentence."""
SETTLE_SECONDS = 40.0
"""Commands are said from this far into the coach's voice: the canceller has learned the room by then."""


class Heard(list):
    """The listener's sink: (text, seconds of microphone audio fed when it was heard)."""

    clock = 0.0

    def put(self, text: str) -> None:
        self.append((text, self.clock))


def render_exercises(cache: Path) -> dict[str, np.ndarray]:
    """Every shipped exercise as the coach plays it: float32 at :data:`SPEAKER_RATE`."""
    from voice_coach.audio.sound import read_wav, resample
    from voice_coach.paths import SCRIPTS_DIR

    rendered = {}
    for script in sorted(SCRIPTS_DIR.glob("*.toml")):
        wav = cache / f"{script.stem}.wav"
        if not wav.exists():
            subprocess.run(
                [sys.executable, "-m", "voice_coach", "--config", "/dev/null", "render", script.stem, "--voice", "gmw/nl",
                 "--cache", str(cache / "speech"), "-o", str(wav)],
                check=True, capture_output=True, cwd=cache,
            )
        samples, rate = read_wav(wav)
        rendered[script.stem] = resample(samples, rate, SPEAKER_RATE)
    return rendered


def room_of(rng: np.random.Generator) -> dict:
    """A random bedroom: delay, reverberance (sox), gain relative to the person's voice, and
    its noise at the microphone (RMS, int16 scale): from a quiet night (10, -70 dBFS) to
    :data:`ROOM_NOISE`, evenly in dB. A quiet room hides less of the coach's residual."""
    return {"delay": float(rng.uniform(0.005, 0.05)), "reverberance": int(rng.integers(10, 60)), "gain_db": float(rng.uniform(-10, 10)),
            "noise": float(10 ** rng.uniform(1, np.log10(ROOM_NOISE)))}


def play_into_microphone(model, language, voice: np.ndarray, room: dict, noise: float, seed: int, said=()) -> dict:
    """``voice`` played by the coach through ``room`` into its microphone, ``said`` (seconds,
    int16-scale audio) by the person over it: what the listener heard, its cleaned audio, the
    microphone's echo alone, and the canceller's CPU seconds."""
    from voice_coach.audio.speaker import Speaker
    from voice_coach.service.config import Settings
    from voice_coach.speech.listener import Listener

    speaker = Speaker(None, rate=SPEAKER_RATE, wait_for_device=True)  # no device: its mixer, far end and clock
    speaker.mixer.add(voice, speaker.frame_at(0.5), speech=bool(np.any(voice)))  # a silent coach deafens nothing
    frames = speaker.frame_at(0.5) + len(voice) + SPEAKER_RATE
    played = np.concatenate([speaker.mixer.next_block(480) for _ in range(frames // 480)])
    seconds = len(played) / SPEAKER_RATE
    rng = np.random.default_rng(seed)
    echo = room_echo(played, SPEAKER_RATE, RATE, room["delay"], room["reverberance"], PERSON_LEVEL * 10 ** (room["gain_db"] / 20))
    echo = echo[: int(seconds * RATE)]
    microphone = echo + rng.normal(0, noise, len(echo))
    for at, audio in said:
        start = int(at * RATE)
        part = audio[: len(microphone) - start] * (PERSON_LEVEL / voiced_rms(audio))
        microphone[start : start + len(part)] += part
    heard = Heard()
    listener = Listener.configured(model, heard, Settings(barge_in=True), speaker, recorded_rate=RATE)
    listener.listen_for(language.session_listening())
    cleaned, cpu = [], [0.0]
    clean = listener.echo.clean

    def timed(samples, captured_at):
        heard.clock = captured_at
        started = time.thread_time()
        out = clean(samples, captured_at)
        cpu[0] += time.thread_time() - started
        cleaned.append(out)
        return out

    listener.echo.clean = timed
    feed_with_far_end(listener, speaker, played, np.clip(microphone, -32768, 32767).astype(np.int16), RATE, BLOCK)
    return {"heard": list(heard), "cleaned": np.concatenate(cleaned), "echo": echo, "cpu": cpu[0], "seconds": seconds}


def self_trigger_run(model_path: Path, language_path: Path, seed: int, cache: Path) -> dict:
    """Every exercise once, each in a random room: every action the listener would take on the
    coach's own voice."""
    model, language = _setup(model_path, language_path)
    rng = np.random.default_rng(seed)
    seconds, cpu, actions = 0.0, 0.0, []
    for name, voice in render_exercises(cache).items():
        room = room_of(rng)
        result = play_into_microphone(model, language, voice, room, room["noise"], int(rng.integers(1 << 30)))
        seconds += result["seconds"]
        cpu += result["cpu"]
        for text, at in result["heard"]:
            if language.during(text) is not None:
                actions.append(f"{name} at {at:.1f} s ({room['gain_db']:+.0f} dB, {room['delay'] * 1000:.0f} ms, noise {room['noise']:.0f}): {text!r}")
    return {"seconds": seconds, "actions": actions, "cpu_per_second": cpu / seconds}


def erle_run(model_path: Path, language_path: Path, seed: int, cache: Path, exercises: int = 4) -> dict:
    """Echo return loss enhancement of the whole path (filter, residual suppression) in a quiet
    microphone, over the loud 20 ms frames of the echo once the canceller works (from
    :data:`SETTLE_SECONDS`), per exercise; and the canceller's CPU at 48 kHz."""
    model, language = _setup(model_path, language_path)
    rng = np.random.default_rng(seed + 1000)
    rendered = render_exercises(cache)
    figures = []
    for name in rng.choice(sorted(rendered), exercises, replace=False):
        voice = rendered[name][: int(120 * SPEAKER_RATE)]
        result = play_into_microphone(model, language, voice, room_of(rng), QUIET_NOISE, int(rng.integers(1 << 30)))
        figures.append(_erle_db(result["echo"], result["cleaned"]))
    return {"erle_db": float(np.median(figures)), "per_exercise": [round(f, 1) for f in figures], "cpu_48k": _cpu_at(48000, rendered)}


def _erle_db(echo: np.ndarray, cleaned: np.ndarray) -> float:
    start = int(SETTLE_SECONDS * RATE)
    n = (min(len(echo), len(cleaned)) - start) // BLOCK * BLOCK
    before = echo[start : start + n].reshape(-1, BLOCK) ** 2
    after = cleaned[start : start + n].astype(np.float64).reshape(-1, BLOCK) ** 2
    loud = before.mean(axis=1) > (30 * QUIET_NOISE) ** 2
    return float(10 * np.log10(before[loud].sum() / max(after[loud].sum(), 1.0)))


def _cpu_at(rate: int, rendered: dict[str, np.ndarray]) -> float:
    """CPU seconds per second of audio of the canceller alone for a microphone at ``rate``
    (a USB microphone's own 48 kHz), on 60 s of an exercise."""
    from voice_coach.audio.echo import EchoCancellation, FarEnd, load_canceller

    voice = rendered["veilig"][: 60 * SPEAKER_RATE]
    far_end = FarEnd(SPEAKER_RATE)
    canceller, _ = load_canceller(rate)
    cancellation = EchoCancellation(canceller, far_end, lambda at: at * SPEAKER_RATE, rate)
    echo = room_echo(voice, SPEAKER_RATE, rate, 0.02, 30, PERSON_LEVEL)
    echo += np.random.default_rng(0).normal(0, ROOM_NOISE, len(echo))
    microphone = np.clip(echo, -32768, 32767).astype(np.int16)
    block, far_block = rate // 50, SPEAKER_RATE // 50
    far_end.played(voice[: 3 * far_block])
    started = time.thread_time()
    for index, start in enumerate(range(0, len(microphone) - block + 1, block)):
        far_end.played(voice[(index + 3) * far_block : (index + 4) * far_block])
        cancellation.clean(microphone[start : start + block], (start + block) / rate)
    return (time.thread_time() - started) / (len(microphone) / rate)


def commands_run(model_path: Path, language_path: Path, seed: int, cache: Path) -> dict:
    """Every session command, "help" and a crisis phrasing, said by each of the positive voices
    over the coach's voice at 0 dB and, for comparison, in the same room with the coach silent:
    the share understood as what was said, and how long after the end of its voice "stop" was
    heard (the microphone's time of the block it was heard in; the live block is 20 ms)."""
    model, language = _setup(model_path, language_path)
    rng = np.random.default_rng(seed + 2000)
    rendered = render_exercises(cache)
    coach = np.concatenate([rendered[name] for name in ("veilig", "ademoefening", "hier-en-nu", "mededogen")])
    phrases = [*dict.fromkeys(language.phrases.session_phrases()), CRISIS_SAID]
    cases = [(phrase, espeak(phrase, voice, int(rng.integers(140, 170)), int(rng.integers(35, 65)))) for phrase in phrases for voice in POSITIVE_VOICES]
    rng.shuffle(cases)
    room = room_of(rng) | {"gain_db": 0.0}
    stop = language.phrases.session["stop"][0]
    result = {}
    for condition, level in (("over_voice", 1.0), ("silence", 0.0)):
        times = _said_over(coach, len(cases))
        voice = coach[: int((times[-1] + COMMAND_SPACING) * SPEAKER_RATE)]
        played = play_into_microphone(model, language, voice * level, room, ROOM_NOISE, seed, list(zip(times, (a for _, a in cases))))
        understood, stop_after = 0, []
        for at, (phrase, audio) in zip(times, cases):
            wanted = language.during(phrase)
            when = [t for text, t in played["heard"] if at <= t < at + COMMAND_SPACING - 0.5 and language.during(text) == wanted]
            understood += bool(when)
            if when and phrase == stop:
                voice_end = at + (np.nonzero(np.abs(audio) > 0.1 * np.abs(audio).max())[0][-1] + 1) / RATE
                stop_after.append(when[0] - voice_end)
        result[condition] = 100 * understood / len(cases)
        result[f"stop_heard_after_{condition}"] = float(np.median(stop_after)) if stop_after else None
    return result | {"said": len(cases), "room": room}


def _said_over(coach: np.ndarray, count: int) -> list[float]:
    """``count`` moments, :data:`COMMAND_SPACING` apart from :data:`SETTLE_SECONDS` on, each
    moved to where the coach speaks for the next second (a command said over its voice)."""
    frame = SPEAKER_RATE // 50
    active = np.sqrt(np.mean(coach[: len(coach) // frame * frame].reshape(-1, frame) ** 2, axis=1)) > 0.01
    times, at = [], SETTLE_SECONDS
    while len(times) < count:
        index = int((at - 0.5) * 50)
        while index + 50 < len(active) and active[index : index + 50].mean() < 0.8:
            index += 5
        if index + 50 >= len(active):
            raise ValueError("the coach's voice is too short for all the commands")
        times.append(index / 50 + 0.5)
        at = times[-1] + COMMAND_SPACING
    return times


def _setup(model_path: Path, language_path: Path):
    import vosk

    from voice_coach.core.interpret import Interpreter

    vosk.SetLogLevel(-1)
    logging.getLogger("voice_coach").setLevel(logging.ERROR)  # no device: the speaker's "waiting for it"
    return vosk.Model(str(model_path)), Interpreter.load(language_path)


def render_cache() -> Path:
    """Where the rendered exercises are kept between the groups of one bench run."""
    folder = Path(tempfile.gettempdir()) / "voice-coach-bench-echo"
    folder.mkdir(exist_ok=True)
    return folder
