"""The coach's state machine for the whole device, driven in virtual time: idle, the
start check, exercises, crisis and distress, what is said of the journal, and what
to listen for, with the shipped exercises and language."""

from __future__ import annotations

import queue

import pytest

from conftest import FixedTiming
from voice_coach.core.coach import (
    CHECK_SECONDS, NIGHT_VOLUME, Coach, CoachSettings, CrisisHeard, ExerciseEnded, ExerciseStarted, ListenFor,
    StartAsked, StartLapsed, Understood,
)
from voice_coach.core.driver import HEARD, Driver, Heard
from voice_coach.core.engine import SENTENCE_GAP, Command, Crisis, Hush, PlaySound, SaveAnswer, SetVolume, Speak
from voice_coach.core.interpret import Interpreter
from voice_coach.core.library import load_library
from voice_coach.core.phrases import list_item, start_check_question
from voice_coach.core.virtual_time import NothingMoreWillHappen, VirtualTime
from voice_coach.core.yes_no import YES_NO
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

LANGUAGE = Interpreter.load()
LIBRARY = load_library([SCRIPTS_DIR], AUDIO_DIR)
REPLIES = LANGUAGE.phrases.replies
CARE = LANGUAGE.care
TIMING = FixedTiming(speech=2.0, sound=1.0)


class Device:
    """The coach on the driver in virtual time; every action is kept, and the journal
    keeps (or fails to keep) answers as ``keeps`` says."""

    def __init__(self, night: bool = False, keeps: bool | None = True, **settings):
        self.coach = Coach(LANGUAGE, LIBRARY, TIMING, CoachSettings(**settings))
        self.time = VirtualTime()
        self.night = night
        self.keeps = keeps
        self.actions: list = []
        self.driver = Driver(self.coach, self.time, self.perform, lambda: self.night)
        self.driver.start()

    def perform(self, action):
        self.actions.append(action)
        return self.keeps if isinstance(action, SaveAnswer) else None

    def say(self, words: str, after: float = 0.5, confidence: float | None = 1.0, continues: str | None = None) -> list:
        """``words`` heard ``after`` seconds from now (``continues``: the rest of that early
        phrase); returns the actions from then on."""
        self.time.put_at(self.time.now() + after, HEARD, Heard(words, confidence, continues))
        first = len(self.actions)
        self.driver.step(self.time)
        return self.actions[first:]

    def wait(self, seconds: float) -> list:
        """Let ``seconds`` pass; the actions meanwhile."""
        first, until = len(self.actions), self.time.now() + seconds
        while self.time.now() < until:
            self.driver.step(self.time, until - self.time.now())
        return self.actions[first:]

    def until_idle(self) -> list:
        """Run until the exercise has ended."""
        first = len(self.actions)
        while self.coach.state == "exercise":
            self.driver.step(self.time, 60.0)
        return self.actions[first:]

    def of(self, kind, actions=None) -> list:
        return [a for a in (self.actions if actions is None else actions) if isinstance(a, kind)]

    def spoken(self, actions=None) -> list[str]:
        return [a.text for a in self.of(Speak, actions)]

    def listening(self):
        return self.of(ListenFor)[-1].listening


IDLE = LANGUAGE.idle_listening(list(LANGUAGE.spoken_names(LIBRARY)))


def test_idle_it_listens_for_the_idle_phrases():
    device = Device()
    assert device.listening() == IDLE
    assert device.coach.state == "idle" and device.coach.next_due() is None


def test_a_start_is_asked_about_and_ja_starts_it():
    device = Device()
    asked = device.say("start vierkant")
    assert device.spoken(asked) == [start_check_question(REPLIES, LIBRARY.scripts["vierkant"])]
    assert device.of(StartAsked, asked) == [StartAsked(0.5, "vierkant")]
    assert device.listening() == LANGUAGE.session_listening(YES_NO)
    assert not device.of(ExerciseStarted)
    started = device.say("ja")
    assert device.of(ExerciseStarted, started) == [ExerciseStarted(1.0, "vierkant")]
    assert device.coach.state == "exercise"
    assert device.listening() == LANGUAGE.session_listening()


def test_nee_starts_nothing_and_it_listens_again():
    device = Device()
    device.say("start vierkant")
    declined = device.say("nee")
    assert device.spoken(declined) == [REPLIES.start_declined]
    assert device.coach.state == "idle" and device.listening() == IDLE
    device.say("start veilig")
    device.say("ja")
    assert device.of(ExerciseStarted) == [ExerciseStarted(2.0, "veilig")]


def test_an_unanswered_check_lapses_on_time_silently_and_a_late_ja_is_nothing():
    device = Device()
    device.say("start ademoefening")
    lapsed = device.wait(CHECK_SECONDS + 5)
    assert device.of(StartLapsed, lapsed) == [StartLapsed(0.5 + CHECK_SECONDS, "ademoefening")]
    assert device.spoken(lapsed) == [] and device.listening() == IDLE
    late = device.say("ja")
    assert device.of(ExerciseStarted, late) == [] and device.spoken(late) == []
    assert device.of(Understood, late) == [Understood(device.time.now(), None, True, "ja")]


def test_a_crisis_during_the_check_gets_the_message_and_ends_the_check():
    device = Device()
    device.say("start vierkant")
    crisis = device.say("ik wil niet meer leven")
    assert device.of(CrisisHeard, crisis) == [CrisisHeard(1.0, in_exercise=False)]
    assert device.spoken(crisis) == list(CARE.crisis_message)
    assert device.coach.state == "idle" and device.listening() == IDLE


def test_stop_during_the_check_ends_it_silently():
    device = Device()
    device.say("start vierkant")
    stopped = device.say("stop")
    assert device.spoken(stopped) == [] and device.coach.state == "idle" and device.listening() == IDLE


def test_another_start_during_the_check_asks_about_that_one():
    device = Device()
    device.say("start vierkant")
    again = device.say("start veilig")
    assert device.of(StartAsked, again) == [StartAsked(1.0, "veilig")]
    device.say("ja")
    assert device.of(ExerciseStarted)[0].script_id == "veilig"


@pytest.mark.parametrize("night", [False, True])
def test_the_check_is_soft_at_night_only(night):
    device = Device(night=night)
    asked = device.say("start vierkant")
    expected = [SetVolume(0.5, 0.7 * NIGHT_VOLUME)] if night else []
    assert device.of(SetVolume, asked) == expected
    declined = device.say("nee")
    assert device.spoken(declined) == [REPLIES.start_declined]
    assert device.of(SetVolume, declined) == []  # the reply as softly as the question


@pytest.mark.parametrize(("setting", "night", "asks"), [
    ("always", False, True), ("always", True, True), ("night", False, False), ("night", True, True),
    ("never", False, False), ("never", True, False),
])
def test_when_the_check_asks(setting, night, asks):
    device = Device(night=night, start_check=setting)
    heard = device.say("start vierkant")
    assert bool(device.of(StartAsked, heard)) == asks
    assert bool(device.of(ExerciseStarted, heard)) == (not asks)


@pytest.mark.parametrize(("confidence", "asks"), [(None, True), (0.5, True), (0.9, False), (1.0, False)])
def test_a_start_heard_less_surely_is_asked_about_whatever_the_setting(confidence, asks):
    device = Device(start_check="never", start_confidence=0.8)
    heard = device.say("start vierkant", confidence=confidence)
    assert bool(device.of(StartAsked, heard)) == asks


def test_the_list_is_said_sentence_after_sentence():
    device = Device()
    said = device.of(Speak, device.say("welke oefeningen zijn er"))
    assert [s.text for s in said] == [REPLIES.list_intro, *(list_item(REPLIES, s) for s in LIBRARY.scripts.values())]
    assert [s.at for s in said] == [0.5 + i * (TIMING.speech + SENTENCE_GAP) for i in range(len(said))]
    assert device.of(Hush)[0].at == 0.5  # instead of whatever was being said


def test_help_idle_is_the_care_line_and_the_commands():
    device = Device()
    assert device.spoken(device.say("help")) == list(CARE.help_idle)


@pytest.mark.parametrize("night", [False, True])
def test_a_crisis_idle_is_never_skipped_and_softer_at_night(night):
    device = Device(night=night)
    heard = device.say("ik wil dood")
    assert device.spoken(heard) == list(CARE.crisis_message)
    assert device.of(CrisisHeard, heard) == [CrisisHeard(0.5, in_exercise=False)]
    assert device.of(SetVolume, heard) == ([SetVolume(0.5, 0.7 * NIGHT_VOLUME)] if night else [])


@pytest.mark.parametrize("night", [False, True])
def test_distress_idle_gets_words_of_support(night):
    device = Device(night=night)
    heard = device.say("ik kan niet meer")
    assert device.spoken(heard) == list(CARE.distress_support)
    assert bool(device.of(SetVolume, heard)) == night


def test_a_full_exercise_plays_in_virtual_time_and_the_coach_listens_again():
    device = Device(start_check="never")
    device.say("start vierkant")
    ended = device.until_idle()
    assert device.of(ExerciseEnded, ended) == [ExerciseEnded(ended[-2].at, "vierkant", "completed")]
    assert ended[-1] == ListenFor(ended[-2].at, IDLE)
    assert device.time.now() > 60  # minutes of exercise, no real waiting


def test_play_begins_an_exercise_one_lookahead_ahead_so_its_first_sound_is_handed_over_early():
    time = VirtualTime()
    time.put_at(3.0, HEARD, Heard("stop"))
    performed: list = []
    coach = Coach(LANGUAGE, LIBRARY, TIMING, CoachSettings())
    driver = Driver(coach, time, lambda action: performed.append((time.now(), action)), lookahead=0.25)
    driver.run_exercise(time, "vierkant")
    handed_at, first = next((at, action) for at, action in performed if isinstance(action, (Speak, PlaySound)))
    assert (handed_at, first.at) == (0.0, 0.25)


def answer_check_in(device: Device) -> list:
    device.say("start check-in")
    while True:
        step = device.wait(1.0)
        if device.coach.engine is None:
            return step
        if device.coach.engine.expected_answers:
            device.say("moe", after=0.1)


@pytest.mark.parametrize(("keeps", "closing"), [(True, REPLIES.saved), (False, REPLIES.not_saved), (None, None)])
def test_it_says_answers_were_saved_only_when_they_were(keeps, closing):
    device = Device(start_check="never", keeps=keeps)
    answer_check_in(device)
    assert device.of(SaveAnswer)
    said = device.spoken()
    assert (REPLIES.saved in said) == (closing == REPLIES.saved)
    assert (REPLIES.not_saved in said) == (closing == REPLIES.not_saved)


def test_a_crisis_in_an_exercise_is_kept_at_once_then_spoken_and_nothing_is_said_of_saving():
    device = Device(start_check="never")
    device.say("start check-in")
    device.wait(20)
    heard = device.say("ik wil stoppen met leven")
    crisis = device.of(CrisisHeard, heard)
    assert crisis == [CrisisHeard(device.time.now(), in_exercise=True)]
    assert heard.index(crisis[0]) < heard.index(device.of(Speak, heard)[0])
    assert device.of(Understood, heard)[0].meaning == Crisis()
    ended = device.until_idle()
    assert [e.outcome for e in device.of(ExerciseEnded, ended)] == ["crisis"]
    assert CARE.crisis_message[0] in device.spoken() and REPLIES.saved not in device.spoken()


def test_the_rest_of_an_early_stop_is_read_with_it_for_a_crisis():
    # "ik wil stoppen", a short pause, "met leven": the recognizer reports the stop at the
    # pause, then the rest. The stop has ended the exercise; the whole breath is a crisis.
    device = Device(start_check="never")
    device.say("start vierkant")
    device.say("ik wil stoppen")
    assert device.coach.state == "idle"
    heard = device.say("met leven", after=0.3, continues="ik wil stoppen")
    assert device.of(CrisisHeard, heard) == [CrisisHeard(device.time.now(), in_exercise=False)]
    assert device.spoken(heard)[0] == CARE.crisis_message[0]


def test_the_rest_of_an_early_crisis_is_not_a_second_crisis():
    device = Device(start_check="never")
    first = device.say("ik wil dood")
    heard = device.say("echt", after=0.3, continues="ik wil dood")
    assert len(device.of(CrisisHeard, first)) == 1 and device.of(CrisisHeard, heard) == []


def test_the_rest_of_an_early_command_is_only_the_rest_without_a_crisis():
    # "volgende" at the pause, then "volgende" again: two skips, not three.
    device = Device(start_check="never")
    device.say("start vijf-vier-drie")
    device.say("volgende")
    heard = device.say("volgende", after=0.3, continues="volgende")
    assert [u.meaning for u in device.of(Understood, heard)] == [Command("skip")]
    assert device.of(CrisisHeard, heard) == []


def test_zachter_in_one_exercise_stays_for_the_next():
    device = Device(start_check="never")
    device.say("start vierkant")
    device.say("zachter")
    softer = device.of(SetVolume)[-1].level
    device.say("stop")
    assert device.coach.state == "idle"
    assert device.of(SetVolume, device.say("start veilig")) == []  # already at that level
    assert device.coach.engine.volume == softer < 0.7


def test_the_device_stopping_ends_an_exercise_silently():
    device = Device(start_check="never")
    device.say("start vierkant")
    first = len(device.actions)
    device.driver.stop()
    stopped = device.actions[first:]
    assert isinstance(stopped[0], Hush) and device.spoken(stopped) == []
    assert device.of(ExerciseEnded, stopped)[0].outcome == "stopped"


def test_a_reload_relistens_when_idle_and_not_in_an_exercise():
    device = Device(start_check="never")
    smaller = load_library([SCRIPTS_DIR / "vierkant.toml"], AUDIO_DIR)
    device.driver.reload(smaller, CoachSettings(start_check="never"))
    assert device.listening() == LANGUAGE.idle_listening(list(LANGUAGE.spoken_names(smaller)))
    assert device.of(ExerciseStarted, device.say("start veilig")) == []
    device.say("start vierkant")
    before = len(device.of(ListenFor))
    device.driver.reload(LIBRARY, CoachSettings())
    assert len(device.of(ListenFor)) == before


def test_a_reload_while_asking_keeps_listening_for_the_answer():
    device = Device()
    device.say("start vierkant")
    device.driver.reload(LIBRARY, CoachSettings())
    assert device.listening() == LANGUAGE.session_listening(YES_NO)
    assert device.of(ExerciseStarted, device.say("ja")) == [ExerciseStarted(1.0, "vierkant")]


def test_every_listening_the_coach_uses_is_among_those_to_prepare():
    device = Device(start_check="always")
    prepared = set(device.coach.listenings())
    device.say("start check-in")
    device.say("ja")
    answer_check_in(device)
    device.say("start vierkant")
    device.say("ja")
    device.say("ik kan niet meer")  # the distress check listens for ja/nee
    used = {a.listening for a in device.of(ListenFor)}
    assert used <= prepared


def test_a_command_in_an_exercise_is_the_engine_s_event():
    device = Device(start_check="never")
    device.say("start vierkant")
    heard = device.say("pauze")
    assert device.of(Understood, heard)[0].meaning == Command("pause")
    assert REPLIES.paused in device.spoken(heard)


def test_virtual_time_moves_to_each_item_or_by_the_whole_wait():
    time = VirtualTime()
    time.put_at(5.0, "b")
    time.put_at(2.0, "a")
    time.put_at(2.0, "a2")
    assert time.get(10) == ("a", None) and time.now() == 2.0
    assert time.get(10) == ("a2", None)
    with pytest.raises(queue.Empty):
        time.get(1.0)
    assert time.now() == 3.0
    assert time.get(None) == ("b", None) and time.now() == 5.0
    with pytest.raises(NothingMoreWillHappen):
        time.get(None)


def first_of(actions: list, kinds) -> int:
    return next(i for i, a in enumerate(actions) if isinstance(a, kinds))


@pytest.mark.parametrize("words", ["start vierkant", "ik wil niet meer leven", "nee", "ja", "welke oefeningen zijn er"])
def test_what_is_said_is_handed_out_before_listening_changes(words):
    """Sounds are placed on exact frames; rebuilding what to listen for may take a moment, so it comes after."""
    device = Device()
    if words in ("nee", "ja"):
        device.say("start vierkant")
    heard = device.say(words)
    sounds = first_of(heard, (Speak, PlaySound))
    assert all(not isinstance(a, ListenFor) for a in heard[:sounds]), heard


def test_a_crisis_during_the_check_ends_listening_idle_and_another_start_listens_for_its_answer():
    device = Device()
    device.say("start vierkant")
    device.say("ik wil niet meer leven")
    assert device.listening() == IDLE
    device.say("start vierkant")
    device.say("start veilig")
    assert device.listening() == LANGUAGE.session_listening(YES_NO) and device.coach.state == "asking"
