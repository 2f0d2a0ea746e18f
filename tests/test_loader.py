"""Validation: every broken script gets its own specific message, located by file, step and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voice_coach.core.library import load_library
from voice_coach.core.loader import ScriptError, check_script, parse_script, read_toml
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.toml"))


def expectation(path: Path) -> str:
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path} needs an '# expect:' first line"
    return first.removeprefix("# expect: ")


def write_script(folder: Path, name: str, steps: str, minutes: float = 1) -> Path:
    """A script file with valid metadata and these steps."""
    path = folder / f"{name}.toml"
    path.write_text(f'id = "{name}"\ntitle = "T"\ntriggers = ["{name}"]\nsummary = "X."\nminutes = {minutes}\n{steps}', "utf-8")
    return path


def test_the_corpus_is_there():
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_script_is_rejected_with_its_message(path):
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is None
    messages = [str(p) for p in problems if not p.warning]
    expected = f"{path}: " if "line" not in expectation(path) else str(path)
    assert any(m.startswith(expected) and expectation(path) in m for m in messages), messages


def test_read_toml_raises_script_error_with_the_problems(tmp_path):
    path = tmp_path / "kapot.toml"
    path.write_text('id = "kapot\n')
    with pytest.raises(ScriptError) as caught:
        read_toml(path)
    assert caught.value.problems and str(path) in str(caught.value)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b'id = "latin"\ntitle = "Caf\xe9"\n')
    _, problems = check_script(path, [AUDIO_DIR])
    assert [str(p) for p in problems] == [f"{path}: line 2: the file is not UTF-8 (byte 25); save it as UTF-8 text"]


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    _, problems = check_script(tmp_path / "weg.toml", [AUDIO_DIR])
    assert "cannot read the file" in str(problems[0])


def test_every_problem_of_a_file_is_reported_in_one_run(tmp_path):
    path = write_script(tmp_path, "veel", '[[step]]\npause = -2\n[[step]]\nsay = ""\n[[step]]\nchime = "nergens.wav"\n', minutes=-1)
    _, problems = check_script(path, [AUDIO_DIR])
    where = [(p.step, p.field) for p in problems]
    assert where == [(None, "minutes"), (1, "pause"), (2, "say"), (3, "chime")]


def test_long_sentence_is_a_warning_only(tmp_path):
    words = " ".join(["woord"] * 20)
    path = write_script(tmp_path, "lang", f'[[step]]\nsay = "{words}"\n')
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is not None
    assert [p.warning for p in problems] == [True]
    assert "20 words" in str(problems[0])


def copy_script(name: str, folder: Path, new_id: str) -> Path:
    text = (SCRIPTS_DIR / f"{name}.toml").read_text("utf-8").replace(f'id = "{name}"', f'id = "{new_id}"')
    target = folder / f"{new_id}.toml"
    target.write_text(text, "utf-8")
    return target


def test_same_trigger_in_two_exercises_is_rejected_naming_both(tmp_path):
    first = copy_script("veilig", tmp_path, "a-veilig")
    second = copy_script("veilig", tmp_path, "b-veilig")
    library = load_library([tmp_path], AUDIO_DIR)
    assert list(library.scripts) == ["a-veilig"]
    messages = [str(p) for p in library.errors]
    assert f"{second}: field 'triggers': trigger 'veilig' also starts {first}; give each exercise its own triggers" in messages


def test_one_bad_script_does_not_stop_the_rest(tmp_path):
    for name in ("veilig", "zelfcompassie"):
        shutil.copy(SCRIPTS_DIR / f"{name}.toml", tmp_path)
    shutil.copy(BROKEN[0], tmp_path)
    library = load_library([tmp_path], AUDIO_DIR)
    assert sorted(library.scripts) == ["veilig", "zelfcompassie"]
    assert len(library.errors) == 1


def test_a_missing_recorded_clip_falls_back_to_the_voice_with_a_warning(tmp_path):
    path = write_script(tmp_path, "clip", '[[step]]\nsay = "Welkom."\nclip = "mijn-stem-welkom.wav"\n')
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is not None and script.steps[0].body.clip is None
    assert [str(p) for p in problems] == [
        f"{path}: step 1 (say): field 'clip': warning: recorded clip 'mijn-stem-welkom.wav' not found in {AUDIO_DIR}; "
        "the synthesized voice speaks instead"
    ]


def test_a_night_line_is_read_and_checked(tmp_path):
    path = write_script(tmp_path, "nacht", '[[step]]\nsay = "Kom terug."\nat_night = "Slaap lekker."\n')
    script, problems = check_script(path, [AUDIO_DIR])
    assert problems == [] and script.steps[0].body.at_night == "Slaap lekker."
    path = write_script(tmp_path, "nacht", '[[step]]\nsay = "Kom terug."\nat_night = 3\n')
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is None and "field 'at_night'" in str(problems[0])


def test_length_is_warned_per_sentence():
    short_ones = " ".join(["Een twee drie vier vijf zes zeven acht."] * 3)
    long_one = "Een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien zestien."
    _, problems = parse_script(
        {"id": "t", "title": "T", "triggers": ["t"], "summary": "S.", "minutes": 1, "step": [{"say": short_ones}, {"say": long_one}]},
        "t.toml", [AUDIO_DIR],
    )
    assert [str(p) for p in problems] == [
        "t.toml: step 2 (say): field 'say': warning: a sentence of 16 words is long to follow with eyes closed; "
        "keep a spoken sentence to about 15 words"
    ]
