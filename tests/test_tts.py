"""Speech synthesis with the real pyttsx3 and espeak-ng: rendering, verifying, caching."""

from __future__ import annotations

import subprocess
import sys
import wave

import numpy as np
import pytest

from conftest import say, short_library
from voice_coach.audio.sound import read_wav, write_wav
from voice_coach.speech.speech_cache import SpeechCache, sentences
from voice_coach.speech.tts import RENDER_ATTEMPTS, SpeechError, Synthesizer, check_rendering
from voice_coach.speech.synthesis import Voice


@pytest.fixture
def cache(tmp_path) -> SpeechCache:
    return SpeechCache(tmp_path / "speech", Synthesizer())


def test_renders_dutch_speech_to_a_verified_wav(cache):
    path = cache.get("Adem rustig in, en langzaam uit.", 1.0)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        seconds = wav.getnframes() / wav.getframerate()
    assert 1.0 < seconds < 5.0
    assert cache.speech_seconds("Adem rustig in, en langzaam uit.", 1.0) == pytest.approx(seconds)
    samples, _ = read_wav(path)
    assert np.max(np.abs(samples)) > 0.1


def test_the_dutch_voice_is_used(tmp_path):
    # The same text in the Dutch and the English voice sounds different.
    dutch = SpeechCache(tmp_path, Synthesizer(Voice("gmw/nl"))).get("Goedemorgen", 1.0)
    english = SpeechCache(tmp_path, Synthesizer(Voice("gmw/en"))).get("Goedemorgen", 1.0)
    assert dutch != english
    assert read_wav(dutch)[0].shape != read_wav(english)[0].shape


def test_second_render_is_a_cache_hit(cache):
    first = cache.get("Welkom.", 1.0)
    mtime = first.stat().st_mtime_ns
    again = SpeechCache(cache.directory, cache.synthesizer)
    assert again.get("Welkom.", 1.0) == first
    assert again.renders == 0 and first.stat().st_mtime_ns == mtime


def test_a_changed_rate_or_voice_is_a_new_rendering(cache, tmp_path):
    normal = cache.get("Welkom bij deze oefening.", 1.0)
    slow = cache.get("Welkom bij deze oefening.", 0.8)
    assert normal != slow and cache.renders == 2
    assert cache.speech_seconds("Welkom bij deze oefening.", 0.8) > cache.speech_seconds("Welkom bij deze oefening.", 1.0) * 1.1
    faster_voice = SpeechCache(cache.directory, Synthesizer(Voice(words_per_minute=180)))
    assert faster_voice.path("Welkom bij deze oefening.", 1.0) != normal


def espeak_seconds(text: str, words_per_minute: int) -> float:
    wav = subprocess.run(["espeak-ng", "-v", "nl", "-s", str(words_per_minute), "--stdout", text], capture_output=True, check=True).stdout
    samples = np.frombuffer(wav[44:], dtype="<i2")
    return len(samples) / 22050


def test_each_file_holds_its_own_sentence_not_its_neighbours(cache):
    # pyttsx3 2.99 has written files one behind; lengths this different would show it.
    texts = ["Ja.", "Dit is een veel langere zin, met heel veel woorden om te tellen.", "Rust.", "Adem rustig in en uit."]
    for text in texts:
        ours = cache.speech_seconds(text, 1.0)
        assert ours == pytest.approx(espeak_seconds(text, 128), rel=0.25), text


class LosesFirstFile(Synthesizer):
    """The real synthesizer with pyttsx3 2.99's fault: the first file lands elsewhere."""

    def __init__(self):
        super().__init__()
        self.workers = []
        """The worker process of each attempt, in order."""

    def _render_once(self, text, words_per_minute, path):
        lost = not self.workers
        try:
            return super()._render_once(text, words_per_minute, path.with_suffix(".lost.wav") if lost else path)
        finally:
            if words_per_minute in self._workers:  # not when the worker could not start
                self.workers.append(self._workers[words_per_minute].process)


def test_a_lost_first_file_is_recovered(tmp_path):
    synthesizer = LosesFirstFile()
    seconds = synthesizer.render("Welkom. Fijn dat je er bent.", 1.0, tmp_path / "welkom.wav")
    assert (tmp_path / "welkom.wav").is_file()
    assert check_rendering(tmp_path / "welkom.wav", "Welkom. Fijn dat je er bent.", 150) == seconds
    # Retried with a fresh worker each time; more than one retry is pyttsx3's own fault
    # striking again, which the retries exist for.
    assert 2 <= len(synthesizer.workers) <= RENDER_ATTEMPTS
    assert len(set(map(id, synthesizer.workers))) == len(synthesizer.workers)
    assert synthesizer.workers[0].poll() is not None  # the worker that lost the file was stopped


def test_a_render_that_keeps_failing_is_reported_not_played_as_silence(tmp_path):
    with pytest.raises(SpeechError, match="'xx/geen-stem' is not installed"):
        Synthesizer(Voice(name="xx/geen-stem")).render("Hallo.", 1.0, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_check_rejects_missing_broken_silent_and_implausible_files(tmp_path):
    with pytest.raises(SpeechError, match="no file"):
        check_rendering(tmp_path / "none.wav", "Hallo.", 150)
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(SpeechError, match="not a readable WAV"):
        check_rendering(tmp_path / "text.wav", "Hallo.", 150)
    write_wav(tmp_path / "silent.wav", np.zeros(22050, np.float32), 22050)
    with pytest.raises(SpeechError, match="silent"):
        check_rendering(tmp_path / "silent.wav", "Hallo daar.", 150)
    write_wav(tmp_path / "long.wav", np.full(22050 * 30, 0.5, np.float32), 22050)
    with pytest.raises(SpeechError, match="implausible"):
        check_rendering(tmp_path / "long.wav", "Ja.", 150)


def test_every_sentence_of_every_exercise_is_listed_for_prerendering():
    from voice_coach.core.care import load_care
    from voice_coach.core.library import load_library
    from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
    from voice_coach.core.phrases import load_phrases

    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    from voice_coach.core.answers import load_answers

    todo = sentences(library.scripts.values(), load_phrases().replies, load_care(), load_answers())
    texts = {t for t, _ in todo}
    assert "Wil je nog een paar rondes doen?" in texts
    assert {"Je voelt verdriet.", "Je voelt je verdrietig.", "Je hebt rust nodig.", "Dat mag er zijn."} <= texts  # said back, one phrasing each
    assert set(load_care().spoken) <= texts
    assert ("Adem in", 0.8) in todo  # vier-zeven-acht's slower voice
    assert len(todo) == len(set(todo))


def test_alternating_rates_each_get_their_own_speed(cache):
    # espeak-ng applies rate changes late; each rate must still sound at its own speed.
    text = "Voel je voeten op de grond."
    lengths = {rate: [] for rate in (1.0, 0.8, 1.2)}
    for round_ in range(2):
        for rate in (1.0, 0.8, 1.2):
            lengths[rate].append(cache.synthesizer.render(text, rate, cache.directory / f"{rate}-{round_}.wav"))
    for rate, seconds in lengths.items():
        assert seconds[0] == pytest.approx(seconds[1], rel=0.02), rate  # a late rate change would differ by 20 % or more
    assert lengths[0.8][0] > lengths[1.0][0] * 1.15 > lengths[1.2][0] * 1.3


def test_espeak_ng_renders_every_sentence_of_every_exercise(tmp_path):
    # espeak-ng, the voice every other one falls back to, must render each of them into a
    # file that passes the check (a SpeechError otherwise). Two renderers share the work:
    # they mostly wait on pyttsx3's loop.
    from concurrent.futures import ThreadPoolExecutor

    from voice_coach.core.interpret import Interpreter
    from voice_coach.core.library import load_library
    from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

    language = Interpreter.load()
    todo = sentences(load_library([SCRIPTS_DIR], AUDIO_DIR).scripts.values(), language.phrases.replies, language.care, language.answers)
    caches = [SpeechCache(tmp_path / str(n), Synthesizer()) for n in range(2)]

    def render_share(n: int) -> int:
        try:
            for text, rate in todo[n :: len(caches)]:
                caches[n].get(text, rate)
        finally:
            caches[n].release()
        return caches[n].renders

    with ThreadPoolExecutor(len(caches)) as renderers:
        assert sum(renderers.map(render_share, range(len(caches)))) == len(todo) > 700


def test_cached_speech_keeps_playing_when_espeak_ng_is_gone(tmp_path):
    import os
    import subprocess
    import sys

    # One exercise: test_espeak_ng_renders_every_sentence_of_every_exercise renders them all.
    scripts = short_library(tmp_path / "scripts", say("Hallo."))

    def prerender(path: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "voice_coach", "--config", os.devnull, "--scripts", str(scripts), "prerender", "--voice", "gmw/nl", "--cache", str(tmp_path)],
            capture_output=True, text=True, env={**os.environ, "PATH": path}, timeout=120,
        )

    assert prerender(os.environ["PATH"]).returncode == 0
    without = prerender("/nonexistent")  # espeak-ng cannot be found any more
    assert without.returncode == 0, without.stderr
    assert " 0 rendered" in without.stdout
    assert "espeak-ng is not installed; install it with: sudo apt-get install espeak-ng; only speech rendered before can be played" in without.stderr


# -- the reply channel: nothing the speech library prints can reach it ---------------

NOISY_WORKER = (
    "import os, sys, threading, time\n"
    "def spam():\n"
    "    while True:\n"
    "        os.write(1, b'Audio saved to /tmp/x.wav\\n{\"ok\": true}\\n')\n"
    "        time.sleep(0.001)\n"
    "threading.Thread(target=spam, daemon=True).start()\n"
    "from voice_coach.speech.tts_worker import start\n"
    "from voice_coach.speech.worker_protocol import serve\n"
    "serve(start)\n"
)


class NoisySynthesizer(Synthesizer):
    """The real worker, with a thread that floods its standard output the way
    pyttsx3's espeak driver does from espeak's own thread."""

    def worker_command(self, words_per_minute: int) -> list[str]:
        return [sys.executable, "-c", NOISY_WORKER, *super().worker_command(words_per_minute)[3:]]


def test_stray_output_of_the_speech_process_never_reaches_the_replies(tmp_path):
    synthesizer = NoisySynthesizer()
    try:
        for n in range(6):
            seconds = synthesizer.render(f"Zin nummer {n}, rustig uitgesproken.", 1.0, tmp_path / f"{n}.wav")
            assert seconds == pytest.approx(check_rendering(tmp_path / f"{n}.wav", "Zin nummer een rustig uitgesproken", 150))
    finally:
        synthesizer.close()


class GarblingSynthesizer(Synthesizer):
    """A process that answers nonsense on the reply pipe: each attempt must fail cleanly."""

    def worker_command(self, words_per_minute: int) -> list[str]:
        return [sys.executable, "-c", "import os, sys; os.write(int(sys.argv[1]), b'Audio saved to x\\n'); sys.stdin.read()"]


def test_a_garbled_reply_is_a_failed_attempt_not_a_crash(tmp_path):
    synthesizer = GarblingSynthesizer()
    with pytest.raises(SpeechError, match="garbled reply: 'Audio saved to x"):
        synthesizer.render("Hallo.", 1.0, tmp_path / "x.wav")
    assert synthesizer._workers == {}  # every garbled process was retired
