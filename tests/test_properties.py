"""Property-based tests: whatever a script file holds, the loader answers with problems,
never a crash; whatever happens during a valid exercise, the engine stays consistent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FixedTiming, make_engine
from voice_coach.core.engine import Answer, Command, Crisis, Finished, NotUnderstood
from voice_coach.core.loader import ScriptError, check_script, parse_script, read_toml
from voice_coach.paths import AUDIO_DIR
from voice_coach.core.phrases import SESSION_COMMANDS
from voice_coach.core.script import NEXT, PHASES
from voice_coach.core.timeline import simulate

FIELD_NAMES = [
    "id", "title", "triggers", "summary", "minutes", "voice_rate", "step", "label", "say", "clip", "at_night", "pause", "chime",
    "breathe", "rounds", "cues", "tones", "cue_rounds", "ask", "answers", "default", "timeout", "retry", "reflect",
    "silence", "record", "key", "confirm", "goto", "times", "spoken_name", "other", "without_answers", *PHASES, "ja", "nee",
    NEXT,
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["gong.wav", "../x.wav", "/etc/passwd", "a", "ja", "next", "rondes", ""]),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25
)
steps = st.lists(st.dictionaries(keys, values, max_size=6), max_size=6)
documents = st.fixed_dictionaries(
    {}, optional={name: values for name in FIELD_NAMES[:6]} | {"step": st.one_of(steps, values)}
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_loader_never_raises_on_any_content(data):
    script, problems = parse_script(data, "random.toml", [AUDIO_DIR])
    assert (script is None) == any(not p.warning for p in problems)
    for problem in problems:
        assert str(problem).startswith("random.toml")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_reading_any_bytes_gives_only_script_errors(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("raw") / "x.toml"
    path.write_bytes(raw)
    try:
        read_toml(path)
    except ScriptError as err:
        assert err.problems and str(path) in str(err)
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is None or not [p for p in problems if not p.warning]


# -- valid scripts, random play ----------------------------------------------

seconds = st.floats(1, 20).map(lambda x: round(x, 2))
say = st.builds(lambda t: {"say": t}, st.sampled_from(["Hallo.", "Adem rustig.", "Voel de grond onder je."]))
pause = st.builds(lambda s: {"pause": s}, seconds)
breathe = st.builds(
    lambda i, h, o, r: {"breathe": {"in": i, "hold": h, "out": o}, "rounds": r, "cues": {"in": "In", "out": "Uit"}},
    seconds, st.sampled_from([0, 2]), seconds, st.integers(1, 4),
)
reflect = st.builds(lambda s: {"reflect": "Wat merk je?", "silence": s}, seconds)
record = st.just({"record": "Hoe voel je je?", "key": "gevoel", "answers": ["rust", "onrust"], "timeout": 5})
ask = st.just({"ask": "Nog eens?", "answers": {"ja": "top", "nee": NEXT}, "default": "nee", "timeout": 4})
valid_steps = st.lists(st.one_of(say, pause, breathe, reflect, record, ask), min_size=1, max_size=6).map(
    lambda s: [{**s[0], "label": "top"}, *s[1:]]
)
events = st.lists(
    st.tuples(
        st.floats(0, 5),
        st.one_of(
            st.sampled_from([Command(c) for c in SESSION_COMMANDS if c != "stop"]),
            st.sampled_from([Answer("ja"), Answer("nee"), Answer("rust"), NotUnderstood()]),
        ),
    ),
    max_size=15,
)


@settings(max_examples=300, deadline=None)
@given(valid_steps, events)
def test_engine_stays_consistent_under_any_events(step_list, event_list):
    engine = make_engine(*step_list)
    now = 0.0
    actions = engine.start(now)
    for gap, event in event_list:
        now += gap
        actions += engine.handle(event, now)
    if engine.paused:
        actions += engine.handle(Command("resume"), now)
    for _ in range(10_000):  # "ja" may loop back, but never more often than it was said
        due = engine.next_due()
        if due is None:
            break
        actions += engine.advance(due)
    assert engine.done
    times = [a.at for a in actions]
    assert times == sorted(times), "actions come out in time order"
    assert sum(isinstance(a, Finished) for a in actions) == 1 and isinstance(actions[-1], Finished)


@settings(max_examples=100, deadline=None)
@given(valid_steps, st.floats(0, 30))
def test_crisis_at_any_moment_ends_the_exercise(step_list, when):
    engine = make_engine(*step_list)
    engine.start(0.0)
    engine.handle(Crisis(), when)
    while (due := engine.next_due()) is not None:
        engine.advance(due)
    assert engine.outcome in {"crisis", "completed"}  # completed if it had already ended


@settings(max_examples=100, deadline=None)
@given(valid_steps)
def test_unanswered_exercise_always_completes(step_list):
    timeline = simulate(make_engine(*step_list).script, FixedTiming())
    assert timeline.outcome == "completed"
    assert timeline.seconds == timeline.actions[-1].at >= timeline.actions[0].at == 0.0
