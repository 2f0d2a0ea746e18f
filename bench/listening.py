"""False starts and missed commands: hours of audio made here, fed through the real
listening path (the listener's audio callback: voice gate, then Vosk with the daemon's
idle grammar) faster than real time.

Negative corpus (nothing in it asks for anything), per run from its own seed:
- Korean speech with no command: sentences of words the model knows (random two-syllable
  Hangul strings kept only when ``vosk_model_find_word`` knows them), varied voices,
  rates and pitches;
- speech in other languages (espeak-ng voices; pseudo-words in each language's sounds);
- music-like audio (chords, melodies, beats) and noise (white, pink, brown, hum, fan);
- speech close to the commands: the command words inside longer sentences, and sound-alikes.
Positive set: every idle command said by several voices, clean and with noise at 10 and
5 dB SNR, with room reverberation (sox ``reverb``), at several levels.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np

from voice_coach.core.meaning import ONE_PIECE, compile_pattern
from voice_coach.core.utterance import Utterance
from voice_coach.speech.early import PAUSE_SECONDS as SHIPPED_PAUSE  # read before a run may change it

RATE = 16000
"""The listener's rate here: Vosk's own, so nothing is resampled."""
BENCH_SCRIPTS = Path(__file__).parent / "scripts"
"""The bench's own exercise (meting), beside the shipped ones."""
BLOCK = 1600
"""Audio fed per call (0.1 s; the live microphone hands on 20 ms): the voice gate judges the
same frames and keeps the same seconds whatever the block, so this measures the live gate."""
KOREAN_VOICES = ["ko", "ko+m3", "ko+f2", "ko+f4", "ko+m7", "ko+klatt", "ko+whisper"]
POSITIVE_VOICES = ["ko", "ko+m3", "ko+f2", "ko+f4", "ko+m7"]
OTHER_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "tr", "fi", "sv", "pt", "ru"]
SOUND_ALIKES = ["시장", "시각", "시청", "시조", "지각", "감사", "감자", "목요일", "목소리", "도로", "도우미", "안녕", "사람", "진주", "사랑니"]
MIX = {"korean": 0.35, "other": 0.25, "near": 0.10, "music": 0.15, "noise": 0.15}
"""Share of the negative corpus per kind of audio."""


def espeak(text: str, voice: str, words_per_minute: int = 175, pitch: int = 50, rate: int = RATE) -> np.ndarray:
    """espeak-ng speech at ``rate``: float32 samples on the int16 scale."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", text],
        capture_output=True, check=True,
    ).stdout
    raw = subprocess.run(  # sox resamples with a proper low-pass filter
        ["sox", "-t", "wav", "-", "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16", "-e", "signed", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, "<i2").astype(np.float32)


def known_korean_words(model, rng: np.random.Generator, wanted: int, avoid: set[str]) -> list[str]:
    """Random two-syllable Hangul strings that the model knows as words."""
    words: set[str] = set()
    tries = 0
    while len(words) < wanted and tries < wanted * 400:
        tries += 1
        word = "".join(chr(0xAC00 + int(rng.integers(0, 11172))) for _ in range(2))
        if word not in avoid and model.vosk_model_find_word(word) != -1:
            words.add(word)
    return sorted(words)


def pseudo_words(rng: np.random.Generator, count: int) -> str:
    """Words of two or three consonant-vowel syllables, for a foreign voice to read."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    return " ".join(
        "".join(consonants[rng.integers(len(consonants))] + vowels[rng.integers(len(vowels))] for _ in range(int(rng.integers(2, 4))))
        for _ in range(count)
    )


def music(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Chords on a beat, a melody over them, and a little percussion."""
    t = np.arange(int(seconds * RATE)) / RATE
    beat = 60 / rng.uniform(60, 140)
    root = 110 * 2 ** (rng.integers(0, 12) / 12)
    out = np.zeros_like(t)
    for start in np.arange(0, seconds, beat * 4):
        chord = root * 2 ** (np.array(rng.choice([[0, 4, 7], [0, 3, 7], [5, 9, 12], [7, 11, 14], [9, 12, 16]])) / 12)
        span = (t >= start) & (t < start + beat * 4)
        local = t[span] - start
        for f in chord:
            out[span] += np.sin(2 * np.pi * f * t[span]) * np.exp(-local / (beat * 3)) * 0.2
    for start in np.arange(0, seconds, beat):
        note = root * 4 * 2 ** (rng.choice([0, 2, 4, 5, 7, 9, 11, 12]) / 12)
        span = (t >= start) & (t < start + beat)
        out[span] += np.sin(2 * np.pi * note * t[span]) * np.exp(-(t[span] - start) / beat) * 0.25
        hit = (t >= start) & (t < start + 0.05)
        out[hit] += rng.normal(0, 0.3, hit.sum()) * (rng.random() < 0.5)
    return out * rng.uniform(2000, 9000)


def noise(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """White, pink or brown noise, mains hum, or a fan, at a random level."""
    return noise_samples(rng, int(seconds * RATE))


def noise_samples(rng: np.random.Generator, n: int) -> np.ndarray:
    """:func:`noise`, exactly ``n`` samples long."""
    kind = rng.choice(["white", "pink", "brown", "hum", "fan"])
    white = rng.normal(0, 1, n)
    if kind == "white":
        out = white
    elif kind == "pink":
        spectrum = np.fft.rfft(white) / np.sqrt(np.arange(1, n // 2 + 2))
        out = np.fft.irfft(spectrum, n)
    elif kind == "brown":
        out = np.cumsum(white)
        out -= np.convolve(out, np.ones(1600) / 1600, "same")
    elif kind == "hum":
        t = np.arange(n) / RATE
        out = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3, 5)) + 0.05 * white
    else:
        t = np.arange(n) / RATE
        out = np.convolve(white, np.ones(8) / 8, "same") * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(5, 30) * t))
    out = out / (np.std(out) + 1e-9)
    return out * rng.uniform(200, 4000)


class NegativeCorpus:
    """Stretches of audio with no command in them, ``hours`` long in all, from ``seed``."""

    def __init__(self, model, commands: list[str], avoid: set[str], hours: float, seed: int):
        self.rng = np.random.default_rng(seed)
        self.seconds = hours * 3600
        self.words = known_korean_words(model, self.rng, 600, avoid)
        self.commands = commands

    def stretches(self):
        """(kind, samples) until the corpus is long enough; a short room silence between."""
        kinds, shares = list(MIX), list(MIX.values())
        made = 0.0
        while made < self.seconds:
            kind = str(self.rng.choice(kinds, p=shares))
            audio = getattr(self, f"_{kind}")()
            pause = self.rng.normal(0, 30, int(self.rng.uniform(0.3, 2.5) * RATE))
            audio = np.concatenate([audio, pause])
            made += len(audio) / RATE
            yield kind, audio

    def _voice(self) -> tuple[str, int, int]:
        return str(self.rng.choice(KOREAN_VOICES)), int(self.rng.integers(110, 200)), int(self.rng.integers(20, 80))

    def _sentence(self, words: int) -> str:
        return " ".join(self.rng.choice(self.words, words))

    def _korean(self) -> np.ndarray:
        voice, speed, pitch = self._voice()
        return espeak(" ".join(self._sentence(int(self.rng.integers(3, 9))) for _ in range(int(self.rng.integers(1, 4)))), voice, speed, pitch)

    def _other(self) -> np.ndarray:
        voice = str(self.rng.choice(OTHER_LANGUAGES))
        return espeak(pseudo_words(self.rng, int(self.rng.integers(4, 16))), voice, int(self.rng.integers(110, 200)), int(self.rng.integers(20, 80)))

    def _near(self) -> np.ndarray:
        """A command inside a longer sentence, or sound-alikes of the command words."""
        voice, speed, pitch = self._voice()
        if self.rng.random() < 0.5:
            inside = f"{self._sentence(int(self.rng.integers(1, 4)))} {self.rng.choice(self.commands)} {self._sentence(int(self.rng.integers(1, 4)))}"
        else:
            inside = " ".join(self.rng.choice(SOUND_ALIKES + self.words[:50], int(self.rng.integers(2, 6))))
        return espeak(inside, voice, speed, pitch)

    def _music(self) -> np.ndarray:
        return music(self.rng, float(self.rng.uniform(5, 30)))

    def _noise(self) -> np.ndarray:
        return noise(self.rng, float(self.rng.uniform(5, 30)))


def reverberant(samples: np.ndarray, reverberance: int) -> np.ndarray:
    """``samples`` through sox's ``reverb`` in a small room (a bedroom: room scale 20 %)."""
    raw = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    out = subprocess.run(
        ["sox", "-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", "1", "-", "-t", "raw", "-", "reverb", str(reverberance), "50", "20"],
        input=raw, capture_output=True, check=True,
    ).stdout
    return np.frombuffer(out, "<i2").astype(np.float32)


def with_noise(speech: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``speech`` with pink-ish room noise at ``snr_db`` below the speech's own level."""
    voiced = speech[np.abs(speech) > 0.1 * np.abs(speech).max()]
    level = np.sqrt(np.mean(voiced**2))
    room = noise_samples(rng, len(speech))
    return speech + room / np.std(room) * level / 10 ** (snr_db / 20)


def positive_set(commands: list[str], rng: np.random.Generator) -> list[tuple[str, str, np.ndarray]]:
    """(condition, command, audio): each command by each voice, at a soft and a loud level:
    clean; in a small room (sox reverb); in the room with noise at 10 dB and at 5 dB SNR.
    Each begins with a second of its room (quiet room noise, or the noise), as the voice gate
    passes a second before the voice."""
    cases = []
    for command in commands:
        for voice in POSITIVE_VOICES:
            spoken = espeak(command, voice, int(rng.integers(140, 170)), int(rng.integers(35, 65)))
            for level in (0.3, 1.0):
                spoken_at = np.concatenate([np.zeros(RATE), spoken * level, np.zeros(RATE)])
                quiet = rng.normal(0, 100, len(spoken_at))  # a quiet room, about -50 dBFS
                cases.append(("clean", command, spoken_at + quiet))
                room = reverberant(spoken_at, int(rng.integers(10, 30)))
                cases.append(("reverb", command, room + quiet[: len(room)]))
                for condition, snr in (("reverb_snr10", 10.0), ("reverb_snr5", 5.0)):
                    cases.append((condition, command, with_noise(room, snr, rng)))
    return cases


def blocks(samples: np.ndarray):
    """``samples`` (float, on the int16 scale) as int16 blocks of :data:`BLOCK`, as a listener is fed."""
    audio = np.clip(samples, -32768, 32767).astype("<i2")
    for start in range(0, len(audio), BLOCK):
        yield audio[start : start + BLOCK]


class IdleEar:
    """The daemon's idle coach on its driver, fed by hand (the night test's machinery): the
    real Listener (voice gate and grammar recognizer) fed blocks as fast as they are
    recognized, the second pass and the question before a start as shipped, and nothing
    carried out."""

    def __init__(self, model, language, names: dict[str, str]):
        from voice_coach.core.coach import CoachSettings
        from voice_coach.core.library import load_library
        from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
        from voice_coach.service.config import Settings
        from voice_coach.service.night_test import NightTest
        from voice_coach.speech.listener import Listener

        self.language = language
        self.names = list(names)
        self.said: list[str] = []
        library = load_library([SCRIPTS_DIR, BENCH_SCRIPTS], AUDIO_DIR)
        self.test = NightTest(language, library, lambda done: None, settings=CoachSettings())
        self.listener = self.test.listen_with(lambda test: Listener.configured(model, self, Settings(), recorded_rate=RATE))
        self.clock = 0.0
        self.second_seconds: list[tuple[str, float]] = []
        """(what was asked about, seconds the second pass took to hear it) for each it heard."""
        hear_again = self.test.driver.second_pass

        def timed(audio: bytes, question) -> None:
            began = time.process_time()  # the CPU it takes: what it adds on an idle device, whatever else loads this one
            hear_again(audio, question)  # hears, then the coach acts: the acting is negligible
            self.second_seconds.append((question.meaning.name, time.process_time() - began))

        self.test.driver.second_pass = timed

    def put(self, text: str) -> None:
        """The listener's sink: every text is kept, and the coach hears it."""
        self.said.append(text)
        self.test.put(text)

    def feed(self, samples: np.ndarray) -> list[str]:
        """Everything heard in ``samples``."""
        first = len(self.said)
        for block in blocks(samples):
            self.test.feed(block, self.clock)
            self.clock += BLOCK / RATE
        return self.said[first:]

    def intent(self, text: str) -> str | None:
        found = self.language.idle(text, self.names)
        return found.name if found else None

    def intent_inside(self, text: str) -> str | None:
        """The weaker rule compared with: an idle phrase anywhere in what was heard."""
        whole = self.intent(text)
        if whole is not None:
            return whole
        heard = Utterance.of(text).text
        for phrase, intent in self.language.phrases.idle_phrases(self.names).items():
            if compile_pattern(phrase, ONE_PIECE).search(heard):
                return intent.name
        return None


class ExerciseEar:
    """The daemon's coach on its driver in a breathing exercise (no questions: it listens for the
    session's commands and crisis phrasings), begun again whenever it ends, fed by hand like
    :class:`IdleEar`, with the second pass as shipped; nothing is carried out. Counts the crisis
    and distress it would have answered, and those the second pass turned down."""

    EXERCISE = "ademoefening"

    def __init__(self, model, language):
        from voice_coach.core.coach import Coach, CoachSettings, ListenFor, Understood
        from voice_coach.core.driver import Driver
        from voice_coach.core.engine import Crisis, Distress, EstimatedTiming
        from voice_coach.core.library import load_library
        from voice_coach.core.second_opinion import TurnedDown
        from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
        from voice_coach.service.config import Settings
        from voice_coach.speech.listener import Listener
        from voice_coach.speech.model_second_pass import ModelSecondPass
        from voice_coach.speech.second_pass import AtOnce

        self.clock = 0.0
        self.answered = {"crisis": 0, "distress": 0}
        self.turned_down = {"crisis": 0, "distress": 0}
        kinds = {Crisis: "crisis", Distress: "distress"}

        def perform(action) -> None:
            if isinstance(action, ListenFor):
                self.listener.listen_for(action.listening)
            elif isinstance(action, Understood) and type(action.meaning) in kinds:
                self.answered[kinds[type(action.meaning)]] += 1
            elif isinstance(action, TurnedDown):
                self.turned_down[action.meaning.name] += 1

        coach = Coach(language, load_library([SCRIPTS_DIR], AUDIO_DIR), EstimatedTiming(), CoachSettings())
        self.driver = Driver(coach, self, perform)
        self.listener = Listener.configured(model, self, Settings(), recorded_rate=RATE)
        self.driver.second_pass = AtOnce(ModelSecondPass(model, RATE), self.driver.second_opinion).ask
        self.driver.begin(self.EXERCISE)

    def now(self) -> float:
        return self.clock

    def real_seconds(self, coach_seconds: float) -> float:
        return coach_seconds

    def put(self, text: str) -> None:
        """The listener's sink."""
        self.driver.hear(self.listener.as_heard(text))

    def feed(self, samples: np.ndarray) -> None:
        for block in blocks(samples):
            self.listener.feed(block, self.clock)
            self.clock += BLOCK / RATE
            self.driver.tick()
            if self.driver.coach.state != "exercise":
                self.driver.begin(self.EXERCISE)


# -- the measurements -------------------------------------------------------------------

IDLE_ACTIONS = ("start", "list", "help", "crisis", "distress")


def setup(model_path: Path, language_path: Path):
    """The model, the Korean test language, the spoken names and the idle commands."""
    import vosk

    from voice_coach.core.interpret import Interpreter

    vosk.SetLogLevel(-1)
    model = vosk.Model(str(model_path))
    language = Interpreter.load(language_path)
    names = {n: ex for ex, spoken in language.phrases.exercises.items() for n in spoken}
    commands = list(language.phrases.idle_phrases(list(names)))
    return model, language, names, commands


def avoided(language, commands: list[str]) -> set[str]:
    """Words a negative corpus must not say: those of the commands, crisis phrasings, fillers and
    the start check's answers."""
    from voice_coach.core.yes_no import YES_NO

    phrases = [*commands, *language.care.grammar, *language.phrases.fillers, *language.answers.grammar(YES_NO)]
    return {word for phrase in phrases for word in phrase.split()}


def negative_run(model_path: Path, language_path: Path, hours: float, seed: int) -> dict:
    """One random negative corpus through the idle coach: what it would have done.

    "whole": what the shipped coach acts on (a start: asking whether to start it); "inside":
    a start phrase found anywhere in what was heard, compared; "checked_starts": exercises
    the shipped coach would have started, a "ja" heard after its question.
    """
    model, language, names, commands = setup(model_path, language_path)
    ear = IdleEar(model, language, names)
    inside = dict.fromkeys(IDLE_ACTIONS, 0)
    seconds, examples = 0.0, []
    for kind, audio in NegativeCorpus(model, commands, avoided(language, commands), hours, seed).stretches():
        seconds += len(audio) / RATE
        logged = len(ear.test.logged)
        for text in ear.feed(audio):
            if (intent := ear.intent_inside(text)) is not None:
                inside[intent] += 1
        for done in ear.test.logged[logged:]:
            if len(examples) < 20:
                examples.append(f"{kind}: {done.heard!r} -> {done.intent}")
    done = [d.intent for d in ear.test.logged if not d.turned_down]
    first = [d.intent for d in ear.test.logged]  # without the second pass, what it turned down is done too
    whole = {action: done.count("asked" if action == "start" else action) for action in IDLE_ACTIONS}
    first_pass = {action: first.count("asked" if action == "start" else action) for action in IDLE_ACTIONS}
    return {
        "seconds": seconds, "counts": {"whole": whole, "first_pass": first_pass, "inside": inside},
        "checked_starts": done.count("start"), "examples": examples,
        "second_pass_cpu_seconds": sum(s for _, s in ear.second_seconds), "second_passes": len(ear.second_seconds),
    }


def exercise_negative_run(model_path: Path, language_path: Path, hours: float, seed: int) -> dict:
    """One random negative corpus (its own seed) heard during a breathing exercise: the crisis
    and distress the coach would have answered, with the second pass and without it."""
    model, language, names, commands = setup(model_path, language_path)
    ear = ExerciseEar(model, language)
    seconds = 0.0
    for _, audio in NegativeCorpus(model, commands, avoided(language, commands), hours, seed).stretches():
        seconds += len(audio) / RATE
        ear.feed(audio)
    first_pass = {kind: ear.answered[kind] + ear.turned_down[kind] for kind in ear.answered}
    return {"seconds": seconds, "answered": ear.answered, "first_pass": first_pass}


def positive_run(model_path: Path, language_path: Path, seed: int) -> dict:
    """Every idle command, per condition: how many were missed (not heard as that command).
    Each case gets an ear of its own: what one case leaves in the recognizer's adaptation
    must not decide the next."""
    model, language, names, commands = setup(model_path, language_path)
    said_here = [*commands, *language.care.grammar]  # the idle commands, and the crisis and distress phrasings
    result: dict[str, list[tuple[int, int]]] = {}
    delays: list[float] = []
    for condition, command, audio in positive_set(said_here, np.random.default_rng(seed)):
        wanted = language.idle(command, list(names))
        ear = IdleEar(model, language, names)
        said = ear.feed(np.concatenate([audio, np.random.default_rng(seed).normal(0, 30, 2 * RATE)]))
        first = any(language.idle(t, list(names)) == wanted for t in said)
        confirmed = any(_did(d, wanted, names) for d in ear.test.logged if not d.turned_down)
        delays += [s for name, s in ear.second_seconds if name == "start" and confirmed]
        result.setdefault(f"{_kind(wanted)}:{condition}", []).append((0 if first else 1, 0 if confirmed else 1))
    summary = {
        key: {"missed": sum(s for _, s in m), "missed_first_pass": sum(f for f, _ in m), "said": len(m)} for key, m in result.items()
    }
    return {"missed": summary, "start_delays": delays}


def _kind(intent) -> str:
    """How the positive figures are grouped: commands, crisis or distress."""
    return intent.name if intent.name in ("crisis", "distress") else "command"


def _did(done, wanted, names: dict[str, str]) -> bool:
    """Whether the night test's ``done`` is what ``wanted`` asks for (a start: the question)."""
    if wanted.name == "start":
        return done.intent == "asked" and done.exercise == names[wanted.value]
    return done.intent == wanted.name


EARLY_VOICES = ["ko", "ko+m3", "ko+f2", "ko+f4", "ko+m7"]


def early_acceptance(model_path: Path, language_path: Path, seed: int, at_pauses: bool) -> list[tuple[str, str | None, float | None]]:
    """Every command of the Korean table (idle, session, the check's answers) said by
    :data:`EARLY_VOICES` in a quiet room, each through a fresh grammar recognizer (fillers in
    it) fed 20 ms blocks: (command, first result, seconds from the end of the voice to it).
    ``at_pauses``: a whole phrase is accepted at the pause after it (as shipped); without,
    only at Vosk's own end of the utterance."""
    from voice_coach.core.yes_no import YES_NO as CHECK_ANSWERS
    from voice_coach.speech import early
    from voice_coach.speech.grammar_asr import GrammarRecognizer

    early.PAUSE_SECONDS = SHIPPED_PAUSE if at_pauses else float("inf")  # this process: a pool's worker is reused

    model, language, names, commands = setup(model_path, language_path)
    listenings = [
        (language.idle_listening(list(names)), commands),
        (language.session_listening(), language.phrases.session_phrases()),
        (language.session_listening(CHECK_ANSWERS), language.answers.grammar(CHECK_ANSWERS)),
    ]
    rng = np.random.default_rng(seed)
    found = []
    for listening, said in listenings:
        for command in dict.fromkeys(said):
            for voice in EARLY_VOICES:
                speech = espeak(command, voice, rate=48000)
                room = rng.normal(0, 100, len(speech) + 96000)
                audio = np.clip(np.concatenate([np.zeros(24000), speech, np.zeros(72000)]) + room, -32768, 32767).astype("<i2")
                end = (24000 + np.nonzero(np.abs(speech) > 500)[0][-1] + 1) / 48000
                recognizer = GrammarRecognizer(model, 48000)
                recognizer.set_phrases(listening.phrases, listening.fillers)
                first = None
                for start in range(0, len(audio), 960):
                    text = recognizer.accept(audio[start : start + 960].tobytes())
                    if text:
                        first = (text, (start + 960) / 48000 - end)
                        break
                found.append((command, *(first or (None, None))))
    return found
