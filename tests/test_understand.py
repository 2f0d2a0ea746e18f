"""`voice-coach understand`: what the coach makes of a sentence, idle, during an
exercise or at one step's question, through the daemon's own reading."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from voice_coach.service.cli import main


def understand(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["understand", *args], input=stdin, catch_exceptions=False)


def test_idle_a_crisis_names_its_meaning_and_a_look_alike_is_nothing():
    result = understand("ik wil stoppen met leven", "ik lachte me dood", "start veilig")
    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 3
    assert "[idle]: crisis -> the 113 message; not wanting to live" in lines[0]
    assert lines[1].endswith("nothing: the idle coach stays silent")
    assert "start veilig" in lines[2]


def test_at_a_check_in_question_an_answer_is_shown_with_how_it_is_said_back():
    result = understand("--exercise", "check-in", "--step", "4", "ik heb rugpijn en ben gespannen", "alsof ik zweef")
    first, second = result.output.splitlines()
    assert "record, asks an open question" in first
    assert 'answer pijn, spanning (said as "rugpijn"; "gespannen"); said back: "Je voelt rugpijn. Je voelt je gespannen."' in first
    assert "not understood -> asked once more" in second


def test_a_need_of_help_offers_113_once_and_a_crisis_is_never_an_answer():
    result = understand("--exercise", "check-in", "--step", "8", "ik heb hulp nodig", "ik wil stoppen met leven")
    need, crisis = result.output.splitlines()
    assert "answer steun" in need and "the 113 line is offered once" in need
    assert "crisis -> the exercise stops gently" in crisis


def test_sentences_come_one_a_line_from_standard_input_when_none_are_given():
    result = understand("--exercise", "ademoefening", stdin="nee, het hoeft niet meer\n\nstop maar\n")
    assert result.output.splitlines() == [
        "'nee, het hoeft niet meer' [ademoefening]: nothing: the exercise goes on",
        "'stop maar' [ademoefening]: command stop",
    ]


def test_bytes_that_are_no_utf8_on_standard_input_are_read_with_replacement():
    result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "understand"], input=b"ik wil dood \xff\xfe\n", capture_output=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert b"crisis" in result.stdout and b"Traceback" not in result.stderr


def test_wrong_options_get_a_clear_error_and_exit_code():
    assert "--step needs --exercise" in understand("--step", "3", "x").output
    too_far = understand("--exercise", "check-in", "--step", "99", "x")
    assert too_far.exit_code == 2 and "check-in has 10 steps" in too_far.output
    unknown = understand("--exercise", "fietsen", "x")
    assert unknown.exit_code == 2 and "no exercise called 'fietsen'" in unknown.output
