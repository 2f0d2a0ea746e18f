"""The command line: help everywhere, clear errors, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import cli_in_process, read_until, say, short_library
from voice_coach.service.cli import main

BROKEN = Path(__file__).parent / "broken"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_and_option_has_help():
    assert main.help
    for name, command in main.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"
    assert all(p.help for p in main.params if isinstance(p, click.Option))


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "voice_coach", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Usage: voice-coach" in result.stdout


def test_list_shows_thirteen_exercises_with_duration_and_triggers():
    result = invoke("list")
    lines = result.output.strip().splitlines()
    assert len(lines) == 13
    assert any(line.startswith("ademoefening") and "5 min" in line and "adem oefening" in line for line in lines)


def test_show_prints_the_script_and_its_timeline():
    result = invoke("show", "veilig")
    assert result.exit_code == 0
    assert '0:00.0  "Stop even. Wat je ook aan het doen bent."' in result.output
    assert "breathe in 4.0 s  (round 1/2)" in result.output
    assert "(finished: completed)" in result.output


def test_show_finds_an_exercise_by_trigger():
    assert "Rustig ademen (ademoefening)" in invoke("show", "adem oefening").output


def test_unknown_name_gets_did_you_mean():
    result = invoke("play", "ademoefenig")
    assert result.exit_code == 2
    assert "no exercise called 'ademoefenig'. Did you mean: ademoefening?" in result.output


def test_validate_accepts_the_shipped_scripts():
    result = invoke("validate")
    assert result.exit_code == 0
    assert "13 valid, 0 errors, 0 warnings" in result.output


def test_validate_rejects_the_broken_corpus_naming_file_and_step():
    result = invoke("validate", str(BROKEN))
    assert result.exit_code == 1
    assert f"{BROKEN}/negative-pause.toml: step 2 (pause): field 'pause': negative" in result.output
    assert "0 valid, 33 errors" in result.output


@pytest.mark.parametrize("content", [b"\x00\xff\xfe garbage", b"[[step]]\n" * 3, b"id = 5\nstep = 7\n", b""])
def test_validate_never_shows_a_traceback(tmp_path, content):
    path = tmp_path / "rommel.toml"
    path.write_bytes(content)
    if content:  # the empty file in a process of its own: the real entry point
        result = cli_in_process("validate", str(path))
    else:
        result = subprocess.run([sys.executable, "-m", "voice_coach", "validate", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "rommel.toml" in result.stderr


def test_validate_a_missing_path_is_a_clear_error():
    result = invoke("validate", "/nonexistent/oefening.toml")
    assert result.exit_code == 1 and "cannot read the file" in result.output


def test_empty_scripts_folder_is_a_clear_error(tmp_path):
    result = invoke("--scripts", str(tmp_path), "list")
    assert result.exit_code == 1 and "no valid exercise scripts" in result.output


def test_typed_commands_steer_the_player(tmp_path):
    # Vierkant's breathing and what follows it, in 2-second phases: a round takes 2 s here.
    scripts = short_library(
        tmp_path / "scripts",
        'breathe = { in = 2, hold = 2, out = 2, rest = 2 }\nrounds = 4\n'
        'cues = { in = "Adem in", hold = "Houd vast", out = "Adem uit", rest = "En wacht" }\n'
        'tones = { in = "toon-in.wav", out = "toon-uit.wav" }',
        say("Nu zeg ik niets meer. Een toon voor in, een toon voor uit. Daartussen tel je zelf."),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "--scripts", str(scripts), "play", "kort", "--speed", "4"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    steps = [
        (None, "adem in 2.0 s  (ronde 1/4)"),
        ("langzamer", '"Goed, ik ga wat langzamer."'),
        (None, "adem in 2.2 s  (ronde 2/4)"),
        ("pauze", "(pauze"),
        ("hallo", "(niet begrepen: 'hallo'."),
        ("verder", "(we gaan verder)"),
        (None, "(ronde 2/4)"),
        ("overslaan", '"Nu zeg ik niets meer. Een toon voor in, een toon voor uit. Daartussen tel je zelf."'),
        ("stop", "(einde: gestopt)"),
    ]
    try:
        for typed, expected in steps:
            if typed:
                process.stdin.write(typed + "\n")
                process.stdin.flush()
            read_until(process, expected)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
