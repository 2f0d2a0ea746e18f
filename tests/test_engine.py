"""The engine under a fake clock: every step kind, every command, exact timing."""

from __future__ import annotations

import random

import pytest

from conftest import make_engine, shared_sound
from voice_coach.core.engine import (
    SENTENCE_GAP,
    Answer,
    BreathPhase,
    Command,
    Crisis,
    Engine,
    Finished,
    Hush,
    Listen,
    Distress,
    NoAnswer,
    NotUnderstood,
    Paused,
    PlaySound,
    Resumed,
    SaveAnswer,
    SetVolume,
    Silence,
    Speak,
    StepStarted,
    StopListening,
)
from voice_coach.core.care import load_care
from voice_coach.core.phrases import load_phrases

REPLIES = load_phrases().replies
CARE = load_care()


def run_until(engine: Engine, until: float, late: float = 0.0) -> list:
    """Advance the engine step by step up to ``until``, each call ``late`` seconds after due."""
    actions = []
    while (due := engine.next_due()) is not None and due <= until:
        actions += engine.advance(due + late)
    return actions


def run_to_end(engine: Engine, start: float = 0.0) -> list:
    actions = engine.start(start)
    return actions + run_until(engine, float("inf"))


def of(kind, actions):
    return [a for a in actions if isinstance(a, kind)]


def spoken(actions):
    return [a.text for a in of(Speak, actions)]


BREATHE = {"breathe": {"in": 4, "hold": 2, "out": 6}, "rounds": 3, "cues": {"in": "Adem in", "out": "Uit"}}


# -- step kinds ----------------------------------------------------------


def test_say_speaks_then_waits_speech_plus_gap():
    actions = run_to_end(make_engine({"say": "Welkom."}, {"say": "Dag."}))
    assert [(a.at, a.text) for a in of(Speak, actions)] == [(0.0, "Welkom."), (1.0 + SENTENCE_GAP, "Dag.")]
    assert of(Finished, actions) == [Finished(pytest.approx(2 * (1.0 + SENTENCE_GAP)), "completed")]


def test_clip_replaces_voice_and_its_length_counts():
    actions = run_to_end(make_engine({"say": "Welkom.", "clip": "gong.wav"}))
    assert of(Speak, actions) == [Speak(0.0, "Welkom.", shared_sound("gong.wav"), 1.0)]
    assert actions[-1] == Finished(2.0 + SENTENCE_GAP, "completed")


def test_pause_is_silence_of_its_length():
    actions = run_to_end(make_engine({"pause": 5}))
    assert of(Silence, actions) == [Silence(0.0, 5.0)]
    assert actions[-1].at == 5.0


def test_chime_plays_and_lasts_the_sound():
    actions = run_to_end(make_engine({"chime": "gong.wav"}, {"say": "Na."}))
    assert of(PlaySound, actions) == [PlaySound(0.0, shared_sound("gong.wav"))]
    assert of(Speak, actions)[0].at == 2.0


def test_voice_rate_reaches_every_speak_and_its_length():
    actions = run_to_end(make_engine({"say": "Langzaam."}, {"say": "Nog."}, voice_rate=0.5))
    assert {a.rate for a in of(Speak, actions)} == {0.5}
    assert of(Speak, actions)[1].at == 2.0 + SENTENCE_GAP


def test_breathing_phase_onsets_and_total_are_exact():
    actions = run_to_end(make_engine({"say": "Start."}, BREATHE))
    t0 = 1.0 + SENTENCE_GAP
    expected = []
    for r in range(3):
        base = t0 + r * 12
        expected += [(base, "in"), (base + 4, "hold"), (base + 6, "out")]
    onsets = [(round(a.at, 3), a.phase) for a in of(BreathPhase, actions)]
    assert onsets == [(round(t, 3), p) for t, p in expected]
    assert round(actions[-1].at, 3) == round(t0 + 36, 3)
    assert isinstance(actions[-1], Finished)


def test_cue_is_said_at_phase_onset_and_takes_no_extra_time():
    actions = run_to_end(make_engine(BREATHE))
    cues = [(a.at, a.text) for a in of(Speak, actions)]
    assert cues[:2] == [(0.0, "Adem in"), (6.0, "Uit")]
    assert actions[-1].at == 36.0  # 3 rounds x 12 s, the 1 s cues inside the phases


def test_cue_rounds_limits_cues_but_tones_go_on():
    engine = make_engine(
        {"breathe": {"in": 4, "out": 6}, "rounds": 3, "cues": {"in": "In"}, "tones": {"in": "toon-in.wav"}, "cue_rounds": 1}
    )
    actions = run_to_end(engine)
    assert spoken(actions) == ["In"]
    assert of(PlaySound, actions) == [PlaySound(t, shared_sound("toon-in.wav"), 4.0) for t in (0.0, 10.0, 20.0)]


def test_reflect_speaks_then_holds_silence():
    actions = run_to_end(make_engine({"reflect": "Wat heb je nodig?", "silence": 30}))
    assert of(Silence, actions) == [Silence(1.0, 30.0)]
    assert actions[-1].at == 31.0


def test_goto_repeats_exactly_times():
    actions = run_to_end(make_engine({"label": "top", "say": "Rond."}, {"goto": "top", "times": 2}, {"say": "Klaar."}))
    assert spoken(actions) == ["Rond.", "Rond.", "Rond.", "Klaar."]


def test_forward_goto_skips():
    actions = run_to_end(make_engine({"goto": "eind"}, {"say": "Overgeslagen."}, {"label": "eind", "say": "Eind."}))
    assert spoken(actions) == ["Eind."]


# -- ask -----------------------------------------------------------------

ASK = {
    "label": "vraag",
    "ask": "Nog een paar rondes?",
    "answers": {"ja": "rondes", "nee": "slot"},
    "default": "nee",
    "timeout": 5,
    "retry": "Zeg ja of nee.",
}


def ask_engine():
    return make_engine(
        {"label": "rondes", "say": "Ronde."},
        ASK,
        {"label": "slot", "say": "Tot ziens."},
    )


ASKED = 1.0 + SENTENCE_GAP + 1.0
"""When the ask engine has said "Ronde." and its question, and listens."""


def test_ask_listens_after_the_question_until_timeout():
    engine = ask_engine()
    actions = engine.start(0.0) + run_until(engine, ASKED)
    assert of(Listen, actions) == [Listen(ASKED, ("ja", "nee"), ASKED + 5)]
    assert engine.expected_answers == ("ja", "nee")
    assert engine.next_due() == ASKED + 5


def test_ask_answer_jumps_to_its_label():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, ASKED)
    actions = engine.handle(Answer("ja"), 4.0)
    assert actions[0] == StopListening(4.0)
    assert of(Speak, actions) == [Speak(4.0, "Ronde.", None, 1.0)]
    actions = engine.handle(Answer("nee"), engine.next_due() + 2.0)  # the second time round
    assert "Tot ziens." in spoken(actions + run_until(engine, 100))


def test_ask_unanswered_twice_takes_default_with_retry_text():
    engine = ask_engine()
    actions = run_to_end(engine)
    assert spoken(actions) == ["Ronde.", "Nog een paar rondes?", "Zeg ja of nee.", "Tot ziens."]
    listens = of(Listen, actions)
    assert [l.at for l in listens] == [ASKED, ASKED + 5 + 1.0]
    assert of(Speak, actions)[-1].at == ASKED + 6 + 5  # default applied at the second timeout


def test_not_understood_counts_as_an_attempt():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, ASKED)
    actions = engine.handle(NotUnderstood(), ASKED + 0.5)
    assert spoken(actions) == ["Zeg ja of nee."]
    actions = engine.handle(NotUnderstood(), ASKED + 2.0)
    assert spoken(actions) == ["Tot ziens."]


def test_answer_not_expected_is_ignored():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, ASKED)
    assert engine.handle(Answer("misschien"), ASKED + 0.3) == []
    assert engine.next_due() == ASKED + 5


def test_answer_outside_a_question_is_ignored():
    engine = make_engine({"say": "Hoi."}, {"pause": 3})
    engine.start(0.0)
    assert engine.expected_answers == ()
    assert engine.handle(Answer("ja"), 0.5) == []


# -- record --------------------------------------------------------------

RECORD = {
    "record": "Welke emotie is er nu?",
    "key": "emotie",
    "answers": ["rust", "verdriet"],
    "confirm": "Er is {answer}.",
    "timeout": 10,
}


def test_record_saves_and_confirms():
    engine = make_engine(RECORD, {"say": "Dank je."})
    engine.start(0.0)
    run_until(engine, 1.0)
    actions = engine.handle(Answer("verdriet"), 2.0)
    assert of(SaveAnswer, actions) == [SaveAnswer(2.0, "emotie", "Welke emotie is er nu?", "verdriet")]
    assert spoken(actions) == ["Er is verdriet."]
    rest = run_until(engine, 100)
    assert of(Speak, rest)[0].at == 2.0 + 1.0 + SENTENCE_GAP


def test_record_unanswered_saves_nothing_and_goes_on():
    actions = run_to_end(make_engine(RECORD, {"say": "Dank je."}))
    assert of(SaveAnswer, actions) == []
    assert spoken(actions) == ["Welke emotie is er nu?"] * 2 + ["Dank je."]


def test_record_listens_for_an_open_answer():
    engine = make_engine(RECORD, {"say": "Dank je."})
    engine.start(0.0)
    listen = of(Listen, run_until(engine, 1.0))
    assert listen == [Listen(1.0, ("rust", "verdriet"), 11.0, open_answer=True)] and engine.open_answer


THANKS = {"say": "Dank je wel voor je antwoorden.", "without_answers": "Dank je dat je stilstond."}


@pytest.mark.parametrize("events,said", [
    ([Answer("verdriet")], "Dank je wel voor je antwoorden."),
    ([NoAnswer()], "Dank je dat je stilstond."),  # "weet ik niet" is no answer to thank for
    ([], "Dank je dat je stilstond."),
])
def test_a_thank_you_for_answers_is_said_only_after_an_answer(events, said):
    engine = make_engine(RECORD, THANKS)
    actions = engine.start(0.0) + run_until(engine, 1.0)
    for event in events:
        actions += engine.handle(event, 2.0)
    actions += run_until(engine, 1000)
    assert spoken(actions)[-1] == said


OPEN_ASK = {"ask": "Noem ze hardop.", "answers": {"klaar": "kring", "later": "open"}, "other": "kring", "default": "later"}
CIRCLE = [OPEN_ASK, {"goto": "slot"}, {"label": "kring", "say": "Fijn."}, {"goto": "slot"},
          {"label": "open", "say": "Allebei is goed."}, {"label": "slot", "say": "Einde."}]


@pytest.mark.parametrize("event,said", [
    (NotUnderstood(), "Fijn."),  # names said aloud: any words count
    (Answer("klaar"), "Fijn."),
    (NoAnswer(), "Allebei is goed."),  # "weet ik niet" takes the default
    (None, "Allebei is goed."),  # so does silence
])
def test_an_ask_with_other_takes_any_words_as_an_answer(event, said):
    engine = make_engine(*CIRCLE)
    actions = engine.start(0.0) + run_until(engine, 1.0)
    assert of(Listen, actions)[0].open_answer and engine.open_answer
    if event is not None:
        actions += engine.handle(event, 2.0)
    actions += run_until(engine, 1000)
    assert spoken(actions)[-2:] == [said, "Einde."]
    assert spoken(actions).count("Noem ze hardop.") == (2 if event is None else 1)


def test_several_answers_in_one_breath_are_saved_and_said_back_together():
    engine = make_engine(RECORD, {"say": "Dank je."})
    engine.start(0.0)
    run_until(engine, 1.0)
    actions = engine.handle(Answer("verdriet", ("rust", "boosheid")), 2.0)
    assert of(SaveAnswer, actions) == [SaveAnswer(2.0, "emotie", "Welke emotie is er nu?", "verdriet, rust")]
    assert spoken(actions) == ["Er is verdriet en rust."]


def test_no_answer_moves_on_kindly_and_saves_nothing():
    engine = make_engine(RECORD, {"say": "Dank je."})
    engine.start(0.0)
    run_until(engine, 1.0)
    actions = engine.handle(NoAnswer(), 2.0) + run_until(engine, 100)
    assert of(SaveAnswer, actions) == []
    assert spoken(actions) == [REPLIES.no_answer, "Dank je."]


def test_no_answer_to_a_yes_no_question_takes_its_default():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, ASKED)
    actions = engine.handle(NoAnswer(), ASKED + 0.3) + run_until(engine, 100)
    assert spoken(actions) == [REPLIES.no_answer, "Tot ziens."]


def test_help_pauses_and_speaks_the_commands_and_113_then_verder_goes_on():
    engine = make_engine({"say": "Voel je voeten."}, {"pause": 30}, {"say": "Einde."})
    engine.start(0.0)
    run_until(engine, 5.0)
    actions = engine.handle(Command("help"), 5.0) + run_until(engine, 59.0)
    assert actions[0] == Hush(5.0) and of(Paused, actions)
    assert spoken(actions) == list(CARE.help_exercise)
    assert engine.next_due() is None  # held until "verder"
    actions = engine.handle(Command("resume"), 60.0) + run_until(engine, 200)
    assert spoken(actions) == [REPLIES.resumed, "Einde."]


def test_distress_asks_once_and_ja_stops_with_support():
    engine = make_engine({"breathe": {"in": 4, "out": 6}, "rounds": 10}, {"say": "Einde."})
    engine.start(0.0)
    run_until(engine, 12.0)
    actions = engine.handle(Distress(), 12.0) + run_until(engine, 19.0)
    assert actions[0] == Hush(12.0) and spoken(actions) == list(CARE.distress_question)
    assert engine.expected_answers == ("ja", "nee") and not engine.open_answer
    assert engine.handle(Distress(), 13.0) == []  # asked once
    actions = engine.handle(Answer("ja"), 20.0) + run_until(engine, 200)
    assert spoken(actions) == list(CARE.distress_support)
    assert of(Finished, actions)[0].outcome == "stopped"


def test_distress_then_nee_goes_on_where_it_was():
    engine = make_engine({"breathe": {"in": 4, "out": 6}, "rounds": 2}, {"say": "Einde."})
    engine.start(0.0)
    run_until(engine, 3.0)
    engine.handle(Distress(), 3.0)
    run_until(engine, 9.0)
    actions = engine.handle(Answer("nee"), 10.0) + run_until(engine, 200)
    assert spoken(actions)[:2] == list(CARE.distress_go_on)
    assert "gratis één één drie" in spoken(actions)[0]  # "nee" gets the 113 line too
    assert [a.round for a in of(BreathPhase, actions) if a.phase == "in"] == [1, 2]
    assert of(Finished, actions)[0].outcome == "completed"


def test_crisis_stops_gently_with_the_113_message():
    engine = make_engine(RECORD, {"say": "Dank je."})
    engine.start(0.0)
    run_until(engine, 1.0)
    actions = engine.handle(Crisis(), 3.0)
    actions += run_until(engine, 1000)
    assert actions[0] == Hush(3.0)
    assert spoken(actions) == [load_care().exercise_stopped, *load_care().crisis_message]
    assert actions[-1].outcome == "crisis"
    assert of(SaveAnswer, actions) == []
    assert engine.done


# -- session commands ----------------------------------------------------


def test_stop_hushes_and_finishes_at_once():
    engine = make_engine(BREATHE)
    engine.start(0.0)
    actions = engine.handle(Command("stop"), 5.0)
    assert actions[:2] == [BreathPhase(4.0, "hold", 2.0, 1, 3), Hush(5.0)]
    assert actions[-1] == Finished(5.0, "stopped")
    assert engine.done and engine.next_due() is None


def test_pause_holds_everything_until_resume_then_restarts_the_round():
    engine = make_engine(BREATHE)
    engine.start(0.0)
    actions = engine.handle(Command("pause"), 7.0)
    assert of(Hush, actions) == [Hush(7.0)] and of(Paused, actions) == [Paused(7.0)]
    assert spoken(actions) == ["Uit", REPLIES.paused]  # the cue due at 6 s, then the reply
    assert engine.next_due() is None
    assert engine.advance(500.0) == []
    actions = engine.handle(Command("resume"), 500.0)
    assert of(Resumed, actions) == [Resumed(500.0)]
    assert spoken(actions) == [REPLIES.resumed]
    rest = run_until(engine, 10_000)
    phases = of(BreathPhase, rest)
    restart = 500.0 + 1.0 + SENTENCE_GAP
    assert (phases[0].at, phases[0].round, phases[0].phase) == (restart, 1, "in")
    assert rest[-1].at == pytest.approx(restart + 36)


def test_double_pause_and_resume_without_pause_are_ignored():
    engine = make_engine({"pause": 10})
    engine.start(0.0)
    assert engine.handle(Command("resume"), 1.0) == []
    engine.handle(Command("pause"), 2.0)
    assert engine.handle(Command("pause"), 3.0) == []


def test_repeat_replays_the_current_breathing_round():
    engine = make_engine(BREATHE)
    engine.start(0.0)
    run_until(engine, 13.0)  # in round 2
    actions = engine.handle(Command("repeat"), 15.0)
    phases = of(BreathPhase, actions)
    assert actions[0] == Hush(15.0)
    assert (phases[0].at, phases[0].round) == (15.0, 2)
    rest = run_until(engine, 1000)
    assert rest[-1].at == 15.0 + 24  # rounds 2 and 3 from 15 s


def test_repeat_during_a_pause_says_the_last_sentence_again():
    engine = make_engine({"say": "Voel de grond."}, {"pause": 10}, {"say": "Eind."})
    engine.start(0.0)
    run_until(engine, 3.0)
    actions = engine.handle(Command("repeat"), 4.0)
    assert spoken(actions) == ["Voel de grond."]
    rest = run_until(engine, 100)
    assert of(Silence, rest) == [Silence(4.0 + 1.0 + SENTENCE_GAP, 10.0)]
    assert of(Speak, rest)[0].at == 4.0 + 1.0 + SENTENCE_GAP + 10


def test_repeat_asks_the_question_again():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, 3.0)
    actions = engine.handle(Command("repeat"), 4.0)
    assert spoken(actions) == ["Nog een paar rondes?"]
    assert of(Listen, run_until(engine, 5.0)) == [Listen(5.0, ("ja", "nee"), 10.0)]


def test_slower_stretches_from_the_next_round_and_is_kept():
    engine = make_engine({"say": "Start."}, BREATHE, {"pause": 10})
    actions = engine.start(0.0) + run_until(engine, 3.0)
    actions += engine.handle(Command("slower"), 3.0)
    actions += run_until(engine, 1000)
    assert REPLIES.slower in spoken(actions)
    t0 = 1.0 + SENTENCE_GAP
    onsets = [round(a.at, 3) for a in of(BreathPhase, actions)]
    expected = [t0, t0 + 4, t0 + 6]  # round 1 unchanged
    for r in range(2):
        base = t0 + 12 + r * 13.2
        expected += [base, base + 4.4, base + 6.6]
    assert onsets == [round(t, 3) for t in expected]
    assert of(Silence, actions) == [Silence(pytest.approx(t0 + 12 + 26.4), pytest.approx(11.0))]
    assert round(actions[-1].at, 3) == round(t0 + 12 + 26.4 + 11.0, 3)


@pytest.mark.parametrize("command,limit,reply", [("slower", 1.5, "slowest"), ("faster", 0.7, "fastest")])
def test_tempo_is_bounded(command, limit, reply):
    engine = make_engine({"pause": 100})
    engine.start(0.0)
    said = []
    for i in range(12):
        said += spoken(engine.handle(Command(command), 1.0 + i))
    assert engine.tempo == limit
    assert said[-1] == getattr(REPLIES, reply)


def test_skip_moves_to_the_next_step_now():
    engine = make_engine(BREATHE, {"say": "Na het ademen."})
    engine.start(0.0)
    actions = engine.handle(Command("skip"), 5.0)
    assert of(Hush, actions) == [Hush(5.0)]
    assert of(Speak, actions) == [Speak(5.0, "Na het ademen.", None, 1.0)]
    assert of(StepStarted, actions) == [StepStarted(5.0, 2, "say")]


def test_skip_on_a_question_takes_its_default():
    engine = ask_engine()
    engine.start(0.0)
    run_until(engine, 3.0)
    assert spoken(engine.handle(Command("skip"), 3.0)) == ["Tot ziens."]


def test_skip_while_paused_resumes_at_the_next_step():
    engine = make_engine({"pause": 30}, {"say": "Verder."})
    engine.start(0.0)
    engine.handle(Command("pause"), 1.0)
    actions = engine.handle(Command("skip"), 9.0)
    assert of(Resumed, actions) and spoken(actions) == ["Verder."]


@pytest.mark.parametrize("command,direction", [("softer", -1), ("louder", +1)])
def test_volume_changes_in_bounded_steps(command, direction):
    engine = make_engine({"pause": 100})
    engine.start(0.0)
    start = engine.volume
    actions = engine.handle(Command(command), 1.0)
    level = of(SetVolume, actions)[0].level
    assert (level - start) * direction > 0
    assert actions.index(of(SetVolume, actions)[0]) < actions.index(of(Speak, actions)[0])
    for i in range(20):
        engine.handle(Command(command), 2.0 + i)
    assert engine.volume == (0.1 if direction < 0 else 1.0)


def test_commands_after_the_end_do_nothing():
    engine = make_engine({"say": "Kort."})
    run_to_end(engine)
    for name in ("stop", "pause", "resume", "repeat", "slower", "skip", "louder"):
        assert engine.handle(Command(name), 100.0) == []


# -- long runs: no drift ---------------------------------------------------


def test_ten_minute_breathing_does_not_drift_when_the_driver_is_late():
    engine = make_engine({"breathe": {"in": 4, "out": 6}, "rounds": 60, "cues": {"in": "In", "out": "Uit"}})
    rng = random.Random(7)
    actions = engine.start(0.0)
    while (due := engine.next_due()) is not None:
        actions += engine.advance(due + rng.uniform(0.0, 0.35))  # a busy machine wakes up late
    onsets = [a.at for a in of(BreathPhase, actions)]
    assert len(onsets) == 120
    for i, at in enumerate(onsets):
        assert at == pytest.approx(i // 2 * 10 + (i % 2) * 4, abs=1e-9)
    assert actions[-1] == Finished(pytest.approx(600.0, abs=1e-9), "completed")


def test_a_late_tick_releases_every_overdue_action_in_order():
    engine = make_engine({"say": "Een."}, {"say": "Twee."}, {"say": "Drie."})
    actions = engine.start(0.0) + engine.advance(100.0)
    assert spoken(actions) == ["Een.", "Twee.", "Drie."]
    times = [a.at for a in actions]
    assert times == sorted(times)


# -- the coach never talks over itself ------------------------------------------------


def intervals(actions) -> list[tuple[float, float, str]]:
    """When each sentence sounds (FixedTiming: 1 s each), cut short by a hush."""
    spans, hushes = [], [a.at for a in of(Hush, actions)]
    for speak in of(Speak, actions):
        end = speak.at + 1.0
        end = min([end, *(h for h in hushes if speak.at < h < end)])
        spans.append((speak.at, end, speak.text))
    return spans


def overlaps(actions) -> list:
    spans = sorted(intervals(actions))
    return [(a, b) for a, b in zip(spans, spans[1:]) if b[0] < a[1] - 1e-9]


def test_an_acknowledgement_during_a_sentence_cuts_it_and_says_it_again_after():
    engine = make_engine({"say": "Een lange zin."}, {"say": "Daarna."})
    actions = engine.start(0.0) + run_until(engine, 0.4)
    actions += engine.handle(Command("slower"), 0.4) + run_until(engine, 100)
    assert overlaps(actions) == []
    assert spoken(actions) == ["Een lange zin.", REPLIES.slower, "Een lange zin.", "Daarna."]
    assert of(Hush, actions) == [Hush(0.4)]


def test_an_acknowledgement_just_before_a_sentence_does_not_collide_with_it():
    engine = make_engine({"pause": 2}, {"say": "Daarna."})
    actions = engine.start(0.0) + run_until(engine, 1.5)
    actions += engine.handle(Command("softer"), 1.5) + run_until(engine, 100)
    assert overlaps(actions) == []
    assert spoken(actions) == [REPLIES.softer, "Daarna."]


def test_an_acknowledgement_over_tones_leaves_the_breathing_alone():
    engine = make_engine(BREATHE)
    actions = engine.start(0.0) + run_until(engine, 2.0)
    actions += engine.handle(Command("louder"), 2.0) + run_until(engine, 100)
    assert of(Hush, actions) == [] and overlaps(actions) == []
    assert len(of(BreathPhase, actions)) == 9


def test_an_acknowledgement_while_paused_waits_for_the_pause_reply():
    engine = make_engine({"pause": 100})
    engine.start(0.0)
    actions = engine.handle(Command("pause"), 1.0) + engine.handle(Command("softer"), 1.2) + run_until(engine, 10)
    assert overlaps(actions) == []
    assert spoken(actions) == [REPLIES.paused, REPLIES.softer]


@pytest.mark.parametrize("seed", range(40))
def test_no_two_sentences_ever_sound_at_once_whatever_is_said_when(seed):
    rng = random.Random(seed)
    engine = make_engine(
        {"say": "Welkom."}, {"say": "Nog een zin."}, BREATHE | {"cues": {"in": "In", "out": "Uit"}}, {"pause": 3},
        {"ask": "Nog een keer?", "answers": {"ja": "next", "nee": "next"}, "default": "nee"}, {"say": "Einde."},
    )
    actions, now = engine.start(0.0), 0.0
    while not engine.done:
        now += rng.uniform(0.05, 2.0)
        actions += run_until(engine, now)
        if rng.random() < 0.5:
            actions += engine.handle(Command(rng.choice(["slower", "faster", "softer", "louder"])), now)
        if now > 500:
            actions += engine.handle(Command("stop"), now)
    assert overlaps(actions) == []
