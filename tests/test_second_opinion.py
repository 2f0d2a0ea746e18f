"""The second pass's rule, in virtual time: what is heard again before the coach acts, what a
verdict does, a crisis held until it is heard again, and what is never held up. The second
pass here is a fake that answers as each test says (the real one: test_model_second_pass.py)."""

from __future__ import annotations

import pytest

from conftest import FixedTiming
from voice_coach.core.coach import Coach, CoachSettings, CrisisHeard, ExerciseStarted, StartAsked
from voice_coach.core.driver import HEARD, SECOND_OPINION, Driver, Heard
from voice_coach.core.engine import Speak
from voice_coach.core.interpret import Interpreter
from voice_coach.core.library import load_library
from voice_coach.core.phrases import Intent
from voice_coach.core.second_opinion import (
    CRISIS_PATIENCE, MARGIN, REPEAT_SECONDS, Confirmed, Question, SecondHearing, TurnedDown, holds, sounds,
)
from voice_coach.core.virtual_time import VirtualTime
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

LANGUAGE = Interpreter.load()
LIBRARY = load_library([SCRIPTS_DIR], AUDIO_DIR)
CARE = LANGUAGE.care
AUDIO = b"\0\0" * 1600
"""An utterance's audio, as the listener hands it on (the fake does not listen to it)."""
AGREES = SecondHearing("", 0.0)
DISAGREES = SecondHearing("iets heel anders", MARGIN + 50)


class Device:
    """The coach on the driver in virtual time, with a second pass that takes ``delay`` seconds
    and answers from ``verdicts`` (in order); every action is kept."""

    def __init__(self, verdicts: list[SecondHearing | None], delay: float = 0.2, **settings):
        self.coach = Coach(LANGUAGE, LIBRARY, FixedTiming(speech=2.0, sound=1.0), CoachSettings(**settings))
        self.time = VirtualTime()
        self.verdicts = list(verdicts)
        self.asked: list[Question] = []
        self.actions: list = []
        self.driver = Driver(self.coach, self.time, self.actions.append, second_pass=self._ask)
        self.delay = delay
        self.driver.start()

    def _ask(self, audio: bytes, question: Question) -> None:
        assert audio == AUDIO
        self.asked.append(question)
        self.time.put_at(self.time.now() + self.delay, SECOND_OPINION, (question, self.verdicts.pop(0)))

    def say(self, words: str, after: float = 0.5, audio: bytes | None = AUDIO) -> list:
        """``words`` heard (by a grammar, with ``audio``; typed with None) ``after`` seconds from
        now; returns the actions until the verdict is in."""
        self.time.put_at(self.time.now() + after, HEARD, Heard(words, 1.0, None, audio))
        first = len(self.actions)
        self.driver.step(self.time)
        while any(kind == SECOND_OPINION for _, _, (kind, _) in self.time._due):
            self.driver.step(self.time)
        return self.actions[first:]

    def spoken(self, actions: list) -> list[str]:
        return [a.text for a in actions if isinstance(a, Speak)]


@pytest.mark.parametrize("phrase, transcript, held", [
    ("시작 사랑", "시작 사랑", True),
    ("시작 사랑", "오늘 날씨 시작 사라 너무", True),  # one letter off, inside a longer transcript
    ("시작 사랑", "감자 목소리", False),
    ("lijst", "geef me de lijst maar", True),
    ("lijst", "list", True),  # one letter of five
    ("start ademoefening", "ik ga zo slapen", False),
    ("ik wil dood", "ik wil doot", True),
    ("één", "een", True),  # accents are not sounds apart
    ("", "wat dan ook", False),  # nothing to hold
    ("hulp", "", False),
])
def test_a_transcript_holds_a_phrase_by_its_sounds(phrase, transcript, held):
    assert holds(phrase, transcript) is held


def test_hangul_is_compared_letter_by_letter():
    assert len(sounds("사랑")) == 5 and sounds("사라") in sounds("사랑")


@pytest.mark.parametrize("words, meaning", [
    ("welke oefeningen zijn er", Intent("list")),
    ("hulp", Intent("help")),
    ("ik wil dood", Intent("crisis")),
    ("ik kan niet meer", Intent("distress")),
    ("start ademoefening", Intent("start", "ademoefening")),
])
def test_what_is_acted_on_idle_waits_for_the_second_hearing(words, meaning):
    device = Device([DISAGREES])
    heard = device.say(words)
    assert [q.meaning for q in device.asked] == [meaning]
    assert device.spoken(heard) == [] and [a.meaning for a in heard if isinstance(a, TurnedDown)] == [meaning]


def test_an_agreeing_second_hearing_lets_the_coach_act_when_it_comes():
    device = Device([AGREES], delay=0.25)
    heard = device.say("hulp")
    confirmed = [a for a in heard if isinstance(a, Confirmed)]
    assert confirmed == [Confirmed(0.75, Intent("help"), AGREES, 0.25)]
    assert device.spoken(heard) == list(CARE.help_idle)
    assert heard.index(confirmed[0]) < next(i for i, a in enumerate(heard) if isinstance(a, Speak))


@pytest.mark.parametrize("hearing, agrees", [
    (SecondHearing("zeg hulp", MARGIN + 50), True),  # the transcript holds the phrase
    (SecondHearing("niets", MARGIN), True),  # the phrase explains the audio nearly as well
    (SecondHearing("niets", MARGIN + 0.1), False),
    (SecondHearing("niets", None), False),  # no score and no phrase: not confirmed
    (None, True),  # the second pass failed: the first hearing stands
])
def test_the_rule_for_agreeing(hearing, agrees):
    device = Device([hearing])
    heard = device.say("hulp")
    assert (device.spoken(heard) == list(CARE.help_idle)) is agrees


def test_a_start_confirmed_is_asked_about_and_a_start_turned_down_is_not():
    device = Device([AGREES, DISAGREES])
    assert [a.script_id for a in device.say("start ademoefening") if isinstance(a, StartAsked)] == ["ademoefening"]
    device.say("nee")
    assert not [a for a in device.say("start ademoefening") if isinstance(a, (StartAsked, ExerciseStarted))]


def test_typed_words_and_commands_in_an_exercise_are_never_held_up():
    device = Device([], start_check="never")
    assert device.spoken(device.say("hulp", audio=None)) == list(CARE.help_idle)  # typed, or heard by the full model
    device.say("start check-in", audio=None)
    device.say("stop")  # a command during an exercise is not asked about
    assert device.asked == [] and device.coach.state == "idle"


def test_a_crisis_in_an_exercise_is_asked_about_too():
    device = Device([AGREES], start_check="never")
    device.say("start check-in", audio=None)
    heard = device.say("ik wil niet meer leven")
    assert [q.meaning for q in device.asked] == [Intent("crisis")]
    assert [a for a in heard if isinstance(a, CrisisHeard)] == [CrisisHeard(1.2, in_exercise=True)]


def test_a_crisis_turned_down_is_answered_at_once_when_heard_again_soon():
    device = Device([DISAGREES])
    assert device.spoken(device.say("ik wil dood")) == []
    again = device.say("ik wil niet meer leven", after=REPEAT_SECONDS - 1)
    assert len(device.asked) == 1  # not asked about again
    assert device.spoken(again) == list(CARE.crisis_message)


def test_a_crisis_turned_down_long_ago_is_asked_about_again():
    device = Device([DISAGREES, DISAGREES])
    device.say("ik wil dood")
    assert device.spoken(device.say("ik wil dood", after=REPEAT_SECONDS + 1)) == []
    assert len(device.asked) == 2


def test_another_turned_down_action_does_not_hold_a_crisis():
    device = Device([DISAGREES, DISAGREES])
    device.say("hulp")
    assert device.spoken(device.say("ik wil dood")) == [] and len(device.asked) == 2


def test_a_verdict_the_coach_has_moved_on_from_is_dropped():
    device = Device([AGREES], delay=5.0, start_check="never")
    device.time.put_at(0.5, HEARD, Heard("wat kun je", 1.0, None, AUDIO))
    device.driver.step(device.time)  # heard, asked about
    device.time.put_at(1.0, HEARD, Heard("start check-in", 1.0, None, None))
    device.driver.step(device.time)  # typed: an exercise starts before the verdict comes
    first = len(device.actions)
    while device.time._due:
        device.driver.step(device.time)
    assert not [a for a in device.actions[first:] if isinstance(a, Confirmed)]
    assert device.coach.state == "exercise"


def test_a_crisis_said_twice_before_either_verdict_is_answered():
    device = Device([DISAGREES, DISAGREES], delay=3.0)
    device.time.put_at(0.5, HEARD, Heard("ik wil dood", 1.0, None, AUDIO))
    device.time.put_at(1.5, HEARD, Heard("ik wil niet meer leven", 1.0, None, AUDIO))
    while device.time._due:
        device.driver.step(device.time)
    assert len(device.asked) == 2
    assert [a for a in device.actions if isinstance(a, CrisisHeard)] == [CrisisHeard(4.5, in_exercise=False)]
    assert device.spoken(device.actions) == list(CARE.crisis_message)
    assert [type(a) for a in device.actions if isinstance(a, (Confirmed, TurnedDown))] == [TurnedDown, Confirmed]


def test_a_crisis_the_second_hearing_finds_is_answered_whatever_was_asked():
    device = Device([SecondHearing("ik wil niet meer leven", MARGIN + 50)])
    heard = device.say("hulp")
    assert [a.meaning for a in heard if isinstance(a, Confirmed)] == [Intent("crisis")]
    assert device.spoken(heard) == list(CARE.crisis_message)


def test_distress_heard_again_as_a_crisis_is_a_crisis():
    device = Device([SecondHearing("ik wil er niet meer zijn", MARGIN + 50)])
    assert device.spoken(device.say("ik kan niet meer")) == list(CARE.crisis_message)


def test_a_crisis_is_answered_when_its_second_hearing_does_not_come():
    device = Device([AGREES], delay=1000.0)  # a second pass stuck behind other work, or hung
    device.time.put_at(0.5, HEARD, Heard("ik wil dood", 1.0, None, AUDIO))
    device.driver.step(device.time)
    device.driver.step(device.time)  # wakes at the deadline, with nothing heard
    assert [a for a in device.actions if isinstance(a, CrisisHeard)] == [CrisisHeard(0.5 + CRISIS_PATIENCE, in_exercise=False)]
    assert device.spoken(device.actions) == list(CARE.crisis_message)
    confirmed = [a for a in device.actions if isinstance(a, Confirmed)]
    assert confirmed == [Confirmed(0.5 + CRISIS_PATIENCE, Intent("crisis"), None, CRISIS_PATIENCE)]
    device.driver.step(device.time)  # the late verdict: answered already, nothing more
    assert len([a for a in device.actions if isinstance(a, Confirmed)]) == 1


def test_distress_heard_idle_then_read_in_the_exercise_begun_meanwhile_is_not_lost():
    device = Device([AGREES], delay=5.0, start_check="never")
    device.time.put_at(0.5, HEARD, Heard("ik kan het niet meer aan en ik heb hulp nodig", 1.0, None, AUDIO))
    device.driver.step(device.time)  # idle: distress, asked about
    device.time.put_at(1.0, HEARD, Heard("start check-in", 1.0, None, None))
    device.driver.step(device.time)  # typed: the exercise begins before the verdict
    while device.time.now() < 5.5:  # the verdict: in the exercise it means help, which needs no second hearing
        device.driver.step(device.time)
    assert CARE.help_exercise[0] in device.spoken(device.actions)
    assert not [a for a in device.actions if isinstance(a, (Confirmed, TurnedDown))]
