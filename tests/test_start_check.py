"""The spoken start check: "Wil je ... doen?" before an exercise starts, so a start heard
by mistake plays no exercise when nobody answers, and never speaks loudly at night.
Its flows run in this process on virtual time; the real model, the speaker and the
wall clock's night in a real daemon process."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from conftest import espeak, speaker_output
from daemon_harness import DaemonProcess, VirtualDaemon, korean_daemon
from voice_coach.core.coach import CHECK_SECONDS, NIGHT_VOLUME as NIGHT_CHECK_VOLUME


def local_time_zone(hour: int) -> str:
    """A POSIX TZ under which the local time now is ``hour`` o'clock (night or day at will)."""
    offset = (hour - datetime.now(timezone.utc).hour) % 24
    offset = offset - 24 if offset > 12 else offset
    return f"VCT{-offset:+d}"  # POSIX counts west as positive


def sessions(journal: Path) -> list[tuple[str, str]]:
    return sqlite3.connect(journal).execute("SELECT exercise, outcome FROM sessions").fetchall()


def test_ja_starts_the_exercise_asked_about(tmp_path):
    with VirtualDaemon(tmp_path, start_check="always") as daemon:
        daemon.say("start vierkant")
        daemon.wait_shown(r"Wil je de vierkante ademhaling doen\? Zeg ja of nee\.")  # its spoken name
        daemon.wait_log("asked whether to start vierkant")
        assert not any("exercise vierkant started" in line for line in daemon.lines)
        daemon.say("ja")
        daemon.wait_log("exercise vierkant started")


def test_nee_starts_nothing_and_the_coach_listens_again(tmp_path):
    with VirtualDaemon(tmp_path, start_check="always") as daemon:
        daemon.say("start vierkant")
        daemon.wait_log("asked whether to start vierkant")
        daemon.say("nee")
        daemon.wait_shown("Goed. Ik ben er als je me nodig hebt.")
        daemon.say("start veilig")
        daemon.wait_log("asked whether to start veilig")
        daemon.say("ja")
        daemon.wait_log("exercise veilig started")
    assert [exercise for exercise, _ in sessions(daemon.journal)] == ["veilig"]


def test_an_unanswered_check_plays_no_exercise_and_says_nothing_more(tmp_path):
    with VirtualDaemon(tmp_path, start_check="always") as daemon:
        daemon.say("start ademoefening")
        daemon.wait_shown("Wil je een rustige ademoefening doen")
        asked = daemon.time.now()
        daemon.wait_log("start of ademoefening not confirmed; listening again", CHECK_SECONDS + 10)
        assert daemon.time.now() - asked >= CHECK_SECONDS - 1
        daemon.say("ja")  # too late: a "ja" now is no answer to anything
        daemon.say("start vierkant")
        daemon.wait_log("asked whether to start vierkant")
    assert sessions(daemon.journal) == []
    assert not any("exercise ademoefening started" in line for line in daemon.lines)


def test_a_crisis_during_the_check_gets_the_113_message(tmp_path):
    with VirtualDaemon(tmp_path, start_check="always") as daemon:
        daemon.say("start vierkant")
        daemon.wait_log("asked whether to start vierkant")
        daemon.say("ik wil niet meer leven")
        daemon.wait_log("idle command crisis")
        daemon.wait_shown("Bel gratis één één drie")
    assert sessions(daemon.journal) == [("-", "crisis")]


def check_peak(tmp_path: Path, night: bool) -> float:
    """The loudest sample the speaker played for the question after "start veilig", by day
    or at night, and for the reply to "nee"."""
    tmp_path.mkdir()
    with VirtualDaemon(tmp_path, start_check="always", night=night, record=True) as daemon:
        daemon.say("start veilig")
        daemon.wait_log("asked whether to start veilig")
        daemon.wait(4)  # the question is said
        daemon.say("nee")
        daemon.wait_shown("Goed. Ik ben er als je me nodig hebt.")
        daemon.wait(4)  # and the reply
        return float(np.abs(daemon.played()).max())


def test_at_night_the_check_is_said_softly_and_by_day_night_only_does_not_ask(tmp_path):
    day = check_peak(tmp_path / "day", night=False)
    night = check_peak(tmp_path / "night", night=True)
    assert abs(night / day - NIGHT_CHECK_VOLUME) < 0.05, (night, day)
    (tmp_path / "noon").mkdir()
    (tmp_path / "late").mkdir()
    with VirtualDaemon(tmp_path / "noon", start_check="night", night=False) as daemon:
        daemon.say("start vierkant")
        daemon.wait_log("exercise vierkant started")
    with VirtualDaemon(tmp_path / "late", start_check="night", night=True) as daemon:
        daemon.say("start vierkant")
        daemon.wait_log("asked whether to start vierkant")


def test_the_check_flow_with_real_speech_and_the_real_model(tmp_path):
    # "시작 안녕하세요" starts veilig in the test table; "네" is its "ja". The question is said
    # between them (the coach does not hear itself), so the answer comes after it.
    parts = [(1.0, espeak("시작 안녕하세요", "ko")), (11.0, espeak("네", "ko"))]
    with korean_daemon(tmp_path, parts, 25, start_check="always") as daemon:
        daemon.ready()
        daemon.wait_log("heard '시작 안녕하세요'", 20)
        daemon.wait_log("second pass confirmed start in ")  # heard again off the audio thread; never its words
        daemon.wait_log("asked whether to start veilig")
        daemon.wait_log("heard '네'", 20)
        daemon.wait_log("exercise veilig started")


def test_with_the_second_pass_off_the_grammar_s_hearing_is_acted_on_at_once(tmp_path):
    parts = [(1.0, espeak("시작 안녕하세요", "ko"))]
    with korean_daemon(tmp_path, parts, 12, start_check="always", config="second_pass = false\n") as daemon:
        daemon.ready()
        daemon.wait_log("heard '시작 안녕하세요'", 20)
        daemon.wait_log("asked whether to start veilig")
    assert not [line for line in daemon.lines if "second pass" in line]


def idle_crisis_peak(tmp_path: Path, hour: int) -> float:
    """The loudest sample of the first sentences of the 113 message, said to the idle coach
    at ``hour`` o'clock."""
    tmp_path.mkdir()
    with DaemonProcess(tmp_path, start_check="always", env={"TZ": local_time_zone(hour)}) as daemon:
        daemon.ready()
        daemon.say("ik wil er eigenlijk niet meer zijn")
        daemon.wait_shown("Bel gratis één één drie")
        time.sleep(3)  # the first sentences are said
        peak = float(np.abs(speaker_output(2)).max())
        daemon.stop()
    assert sessions(daemon.journal) == [("-", "crisis")]
    return peak


def test_a_crisis_said_to_the_idle_coach_at_night_gets_the_113_message_at_the_night_volume(tmp_path):
    day = idle_crisis_peak(tmp_path / "day", 12)
    night = idle_crisis_peak(tmp_path / "night", 3)
    assert day > 0.05  # said, and not skipped by day either
    assert abs(night / day - NIGHT_CHECK_VOLUME) < 0.05, (night, day)
