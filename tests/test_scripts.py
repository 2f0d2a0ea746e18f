"""The shipped exercise library: complete, valid, and each plays to its end in the terminal."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.core.engine import EstimatedTiming, SaveAnswer
from voice_coach.core.library import load_library
from voice_coach.core.loader import parse_script
from conftest import REPO
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR
from voice_coach.core.script import KIND_OF
from voice_coach.core.timeline import simulate

import tomllib

CONTENT_IDS = {
    "ademoefening", "vierkant", "vier-zeven-acht", "hartcoherentie", "hier-en-nu", "vijf-vier-drie", "check-in",
    "zelfcompassie", "veilig", "mededogen", "steuncirkel", "kleine-stap", "waarden",
}
LIBRARY = load_library([SCRIPTS_DIR], AUDIO_DIR)
SCRIPTS = sorted(LIBRARY.scripts.values(), key=lambda s: s.id)
# Replies that take each exercise down its main path.
REPLIES = {"ademoefening": ["nee"], "check-in": ["spanning", "rust", "contact"], "kleine-stap": ["ja"], "steuncirkel": ["klaar"]}


def test_all_thirteen_exercises_of_the_content_brief_are_there():
    assert set(LIBRARY.scripts) == CONTENT_IDS


def test_every_script_is_valid_without_warnings():
    assert [str(p) for p in LIBRARY.problems] == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.id)
def test_a_trigger_in_separate_common_words(script):
    assert any(" " in t for t in script.triggers), script.triggers


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.id)
def test_every_script_completes_when_nobody_answers(script):
    # Unanswered questions wait their timeouts and take their defaults. (Whether
    # ``minutes`` fits is checked in test_content: answered at once.)
    assert simulate(script, EstimatedTiming()).outcome == "completed"


def test_breathing_exercises_keep_their_rhythm():
    def phases(name):
        return [s.body.phases for s in LIBRARY.scripts[name].steps if s.kind == "breathe"]

    assert {p["in"] for p in phases("ademoefening")} == {4} and {p["out"] for p in phases("ademoefening")} == {6}
    assert phases("vierkant") == [{"in": 4, "hold": 4, "out": 4, "rest": 4}] * 2  # counted along, then tones only
    assert sum(s.body.rounds for s in LIBRARY.scripts["vierkant"].steps if s.kind == "breathe") == 10
    assert phases("vier-zeven-acht") == [{"in": 4, "hold": 7, "out": 8, "rest": 0}]
    assert phases("hartcoherentie") == [{"in": 5.5, "hold": 0, "out": 5.5, "rest": 0}] * 2  # split by one gentle line
    assert sum(s.body.rounds for s in LIBRARY.scripts["hartcoherentie"].steps if s.kind == "breathe") == 27
    assert LIBRARY.scripts["vier-zeven-acht"].voice_rate < 1


def test_check_in_saves_three_answers():
    timeline = simulate(LIBRARY.scripts["check-in"], EstimatedTiming(), ["spanning", "rust", "contact"])
    saved = [(a.key, a.answer) for a in timeline.actions if isinstance(a, SaveAnswer)]
    assert saved == [("lichaam", "spanning"), ("emotie", "rust"), ("behoefte", "contact")]


def test_check_in_listens_for_the_content_brief_words():
    record = {s.body.key: set(s.body.answers) for s in LIBRARY.scripts["check-in"].steps if s.kind == "record"}
    assert {"boosheid", "verdriet", "blijdschap", "angst", "rust", "leegte"} <= record["emotie"]
    assert {"rust", "contact", "beweging", "grenzen", "zachtheid"} <= record["behoefte"]


def play(name: str, *args: str, speed: str = "5000") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voice_coach", "play", name, "--speed", speed, *args],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.id)
def test_every_script_plays_to_its_end_in_text_mode(script):
    answers = [a for reply in REPLIES.get(script.id, []) for a in ("--answer", reply)]
    result = play(script.id, *answers)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.rstrip().endswith("(einde: afgerond)")
    first_sentence = next(s.body.text for s in script.steps if s.kind == "say")
    assert f'"{first_sentence}"' in result.stdout


def test_ademoefening_closes_after_nee():
    out = play("ademoefening", "--answer", "nee").stdout
    question = out.index('"Wil je nog een paar rondes doen?"')
    answer = out.index("> nee", question)
    closing = out.index('"Laat je adem nu weer vanzelf gaan."', answer)
    assert out.index("(einde: afgerond)") > closing
    assert "Fijn. We doen er nog een paar." not in out


def test_ademoefening_ja_loops_back_for_more_rounds():
    out = play("ademoefening", "--answer", "ja", "--answer", "nee").stdout
    assert out.count('"Wil je nog een paar rondes doen?"') == 2
    assert "ronde 6/6" in out


def test_crisis_answer_in_the_check_in_stops_and_gives_113():
    result = play("check-in", "--answer", "ik wil dood")
    assert "Bel gratis één één drie, dag en nacht." in result.stdout
    assert "(einde: gestopt)" in result.stdout
    assert "0800-0113" in result.stdout  # written out for the reader as well
    assert "✎" not in result.stdout


def test_documented_example_is_valid_and_uses_every_step_kind(tmp_path):
    doc = (REPO / "docs" / "SCRIPT_FORMAT.md").read_text("utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    data = tomllib.loads(example)
    audio = tmp_path / "audio"
    audio.mkdir()
    for sound in AUDIO_DIR.glob("*.wav"):
        (audio / sound.name).write_bytes(sound.read_bytes())
    (audio / "voorbeeld-welkom.wav").write_bytes((AUDIO_DIR / "belletje.wav").read_bytes())
    script, problems = parse_script(data, "voorbeeld.toml", [audio], expected_id="voorbeeld")
    assert script is not None and problems == []
    assert {s.kind for s in script.steps} == set(KIND_OF.values())
    assert simulate(script, EstimatedTiming(), ["nee", "rust"]).outcome == "completed"


def test_sounds_are_regenerated_by_the_project(tmp_path):
    # The generator writes every sound the scripts use.
    used = {Path(s.body.sound).name for script in SCRIPTS for s in script.steps if s.kind == "chime"}
    used |= {Path(t).name for script in SCRIPTS for s in script.steps if s.kind == "breathe" for t in s.body.tones.values()}
    generator = (REPO / "tools" / "make_sounds.py").read_text("utf-8")
    assert used and all(f'"{name}"' in generator for name in used)
    assert {p.name for p in Path(AUDIO_DIR).glob("*.wav")} >= used
