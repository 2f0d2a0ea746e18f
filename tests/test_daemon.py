"""The bedside daemon: as a real subprocess for what needs a process (signals, sd_notify,
sockets, exit statuses, the speaker), and in this process on virtual time for its flows
(the Dutch phrase path typed, the journal, crisis, distress, help), which then take
moments instead of minutes."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import speaker_output
from daemon_harness import DaemonProcess, VirtualDaemon
from voice_coach.paths import command_name
from voice_coach.core.care import load_care
from conftest import REPO
from voice_coach.paths import SCRIPTS_DIR
from voice_coach.core.phrases import load_phrases

UNIT = REPO / "systemd" / "voice-coach.service"


def installed_unit(tmp_path: Path, unit: Path) -> Path:
    """The unit as install-pi.sh installs it, pointing at this checkout."""
    target = tmp_path / unit.name
    target.write_text(unit.read_text().replace("/opt/voice-coach", str(REPO)))
    return target


@pytest.mark.parametrize("unit", ["voice-coach.service", "voice-coach-user.service"])
def test_units_pass_systemd_analyze_verify(tmp_path, unit):
    result = subprocess.run(["systemd-analyze", "verify", str(installed_unit(tmp_path, REPO / "systemd" / unit))], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_service_is_locked_down(tmp_path):
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(installed_unit(tmp_path, UNIT))], capture_output=True, text=True)
    exposure = float(re.search(r"Overall exposure level for voice-coach.service: (\d+\.\d)", result.stdout).group(1))
    assert exposure <= 2.0
    text = UNIT.read_text()
    for line in ("Type=notify", "PrivateNetwork=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                 "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "DevicePolicy=closed", "DeviceAllow=char-alsa rw",
                 "SupplementaryGroups=audio", "StateDirectory=voice-coach", "CacheDirectory=voice-coach",
                 "ConfigurationDirectory=voice-coach", "RestartPreventExitStatus=78 79 80", "WatchdogSec="):
        assert line in text, line


@pytest.fixture
def daemon(tmp_path):
    with DaemonProcess(tmp_path) as process:
        yield process.ready()


@pytest.fixture
def coach(tmp_path):
    """The daemon's flows on virtual time."""
    with VirtualDaemon(tmp_path) as virtual:
        yield virtual


START_PHRASINGS = ["start {}", "begin {}", "doe de {}"]
EXERCISES = [("adem oefening", "ademoefening"), ("vierkant", "vierkant"), ("check in", "check-in"), ("hier en nu", "hier-en-nu")]


def test_every_idle_phrasing_starts_its_exercise_and_stop_returns_to_listening(daemon):
    for template in START_PHRASINGS:
        for trigger, exercise in EXERCISES:
            daemon.say(template.format(trigger))
            daemon.wait_log(f"exercise {exercise} started")
            daemon.say("stop")
            daemon.wait_log(f"exercise {exercise} ended: stopped")
    daemon.wait_message("STATUS=luistert")


SESSION_PHRASES = {
    "pauze": "pause", "wacht even": "pause", "verder": "resume", "ga door": "resume", "herhaal": "repeat",
    "nog een keer": "repeat", "langzamer": "slower", "sneller": "faster", "zachter": "softer", "harder": "louder",
    "overslaan": "skip", "volgende": "skip",
}


def test_every_session_command_is_understood_and_acted_on(daemon):
    daemon.say("start vierkant")
    daemon.wait_log("exercise vierkant started")
    for phrase, command in SESSION_PHRASES.items():
        daemon.say(phrase)
        daemon.wait_log(re.escape(f"understood Command(name='{command}')"))
        if phrase == "pauze":
            daemon.wait_log(r"\(paused")
        if command == "softer":
            daemon.wait_log(r"volume 55%")
    for phrase in ("stop", "stoppen", "hou op"):
        daemon.say(phrase)
        daemon.wait_log("ended: stopped")
        daemon.say("start vierkant")
        daemon.wait_log("exercise vierkant started")


def test_help_and_the_list_are_spoken(daemon):
    daemon.say("hulp")
    daemon.wait_log("idle command help")
    daemon.say("help")
    daemon.wait_log("idle command help")
    daemon.say("welke oefeningen zijn er")
    daemon.wait_log("idle command list")
    time.sleep(1.5)
    assert speaker_output(2).size and abs(speaker_output(2)).max() > 0.05


def test_a_crisis_answer_in_the_check_in_stops_it_and_marks_the_journal(coach):
    coach.say("start check in")
    coach.wait_log("listening for: spanning")
    coach.say("ik wil niet meer leven")
    coach.wait_log(re.escape("understood Crisis()"))
    coach.wait(0.5)  # the journal knows at once, while the 113 message is still being spoken
    assert sqlite3.connect(coach.journal).execute("SELECT outcome FROM sessions").fetchall() == [("crisis",)]
    coach.wait_log("exercise check-in ended: crisis", 150)
    coach.wait_message("STATUS=luistert")
    rows = sqlite3.connect(coach.journal).execute("SELECT exercise, outcome FROM sessions").fetchall()
    assert rows == [("check-in", "crisis")]


def test_sd_notify_ready_status_and_watchdog(daemon):
    daemon.wait_message("READY=1")
    daemon.wait_message("STATUS=luistert")
    daemon.wait_message("WATCHDOG=1")
    daemon.say("start veilig")
    daemon.wait_message("STATUS=oefening")
    count = sum(m == "WATCHDOG=1" for m in daemon.messages)
    time.sleep(1.0)
    assert sum(m == "WATCHDOG=1" for m in daemon.messages) >= count + 3  # every 0.2 s, also during an exercise


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


QUICK_CHECK_IN = """
id = "check-in"
title = "Dagelijkse check-in"
triggers = ["check in"]
summary = "Eén vraag."
minutes = 1

[[step]]
record = "Wat voel je nu in je lichaam?"
key = "lichaam"
answers = ["spanning", "rust", "warmte"]
timeout = 15

[[step]]
say = "Dank je."
"""
"""The check-in's first question at once: a real process reaches an answer in moments."""


@pytest.fixture
def quick_check_in(tmp_path) -> Path:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "check-in.toml").write_text(QUICK_CHECK_IN)
    return scripts


def test_no_network_socket_and_a_private_journal(tmp_path, quick_check_in):
    with DaemonProcess(tmp_path, scripts=quick_check_in) as daemon:
        daemon.ready()
        no_network_and_a_private_journal(daemon)


def no_network_and_a_private_journal(daemon):
    daemon.say("start check in")
    daemon.wait_log("listening for: spanning")
    daemon.say("rust")
    daemon.wait_log("kept answer lichaam: rust")
    network = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        for line in Path(f"/proc/{daemon.pid}/net/{table}").read_text().splitlines()[1:]:
            network.add(line.split()[9])
    assert socket_inodes(daemon.pid) & network == set()
    assert stat.S_IMODE(daemon.journal.stat().st_mode) == 0o600


def test_sigterm_exits_within_two_seconds_and_records_the_session_as_stopped(daemon):
    daemon.say("start veilig")
    daemon.wait_log("exercise veilig started")
    started = time.monotonic()
    assert daemon.stop() == 0
    assert time.monotonic() - started < 2.0
    assert sqlite3.connect(daemon.journal).execute("SELECT outcome, ended IS NOT NULL FROM sessions").fetchall() == [("stopped", 1)]


def test_sighup_reloads_good_scripts_and_keeps_the_old_set_for_a_broken_one(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("veilig", "zelfcompassie"):
        shutil.copy(SCRIPTS_DIR / f"{name}.toml", scripts)
    with DaemonProcess(tmp_path, scripts=scripts) as daemon:
        daemon.ready()
        shutil.copy(SCRIPTS_DIR / "vierkant.toml", scripts)
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log(r"reloaded: 3 exercises")
        daemon.say("start vierkant")
        daemon.wait_log("exercise vierkant started")
        daemon.say("stop")
        daemon.wait_log("ended: stopped")
        (scripts / "kapot.toml").write_text('id = "kapot"\n[[step]]\npause = -1\n')
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log(r"kapot.toml: .*field 'title': missing")
        daemon.wait_log(r"reload refused: a script is broken .* keeping the 3 exercises loaded")
        daemon.say("start vierkant")
        daemon.wait_log("exercise vierkant started")


def test_sigkill_during_a_session_leaves_the_journal_consistent(tmp_path, quick_check_in):
    with DaemonProcess(tmp_path, scripts=quick_check_in) as daemon:
        daemon.ready()
        daemon.say("start check in")
        daemon.wait_log("listening for: spanning")
        daemon.say("spanning")
        daemon.wait_log("kept answer lichaam: spanning")
        daemon.say("stop")
        daemon.wait_log("ended: stopped")
        daemon.say("start check in")
        daemon.wait_log("listening for: spanning")
        daemon.say("warmte")
        daemon.wait_log("kept answer lichaam: warmte")
        daemon.process.kill()
        daemon.process.wait()
    db = sqlite3.connect(tmp_path / "journal.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT outcome FROM sessions ORDER BY id").fetchall() == [("stopped",), ("running",)]
    assert db.execute("SELECT session, answer FROM answers ORDER BY id").fetchall() == [(1, "spanning"), (2, "warmte")]
    db.close()
    from voice_coach.service.journal import Journal

    reopened = Journal(tmp_path / "journal.sqlite")  # the next start marks the killed session
    assert [e.outcome for e in reopened.recent()] == ["interrupted", "stopped"]


def run_command(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_coach", *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def test_no_model_exits_79_with_the_fix(tmp_path):
    result = run_command("--config", "/dev/null", "--journal", str(tmp_path / "j.sqlite"), "run", "--model", str(tmp_path / "vosk-model-small-nl-0.22"))
    assert result.returncode == 79
    assert f"download it with: {command_name()} model download" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_config_exits_78_naming_the_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("volume = 3\nspeker = \"usb\"\n")
    result = run_command("--config", str(config), "run", "--listen-stdin")
    assert result.returncode == 78
    assert f"config file {config}: key 'volume': 3 is out of range; use a number from 0.1 to 1" in result.stderr
    assert "key 'speker': unknown key (did you mean 'speaker'?)" in result.stderr


# -- hearing what people really say (typed, so the Dutch data is what is tested) --------

CARE = load_care()


def wait_for_113(daemon) -> None:
    """The whole crisis message was shown, the number twice, and how to hear it again."""
    for sentence in CARE.crisis_message:
        daemon.wait_shown(re.escape(sentence), 60)


# (state, how to get there, the log line that says it is there)
MOMENTS = {
    "idle": (None, None),
    "breathing": ("start vierkant", r"breathe in"),
    "a reflection silence": ("start mededogen", r"silence 30"),
    "an answer": ("start check in", r"listening for: spanning"),
}


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_crisis_said_in_a_sentence_at_any_moment_gets_the_113_message_and_the_coach_stays(coach, moment):
    start, there = MOMENTS[moment]
    if start:
        coach.say(start)
        coach.wait_log(there, 60)
    coach.say("Eerlijk gezegd zie ik het echt niet meer zitten.")
    wait_for_113(coach)
    rows = sqlite3.connect(coach.journal).execute("SELECT exercise, outcome FROM sessions").fetchall()
    assert len(rows) == 1 and rows[0][1] == "crisis"
    if start:
        coach.wait_log("ended: crisis", 30)
    coach.say("hulp")  # the way to hear it again
    coach.wait_shown(re.escape(CARE.help_idle[0]), 60)  # 113 first
    coach.say("start veilig")  # still reachable
    coach.wait_log("exercise veilig started", 60)


def test_a_check_in_answered_in_ordinary_dutch_is_understood_and_journaled(coach):
    coach.say("start check in")
    coach.wait_log("listening for: spanning", 60)
    coach.say("ik ben echt heel moe")
    coach.wait_shown("Je voelt je moe.", 30)  # in their own word, never "vermoeidheid"
    coach.wait_log("listening for: boosheid", 30)
    coach.say("bang, denk ik")
    coach.wait_log("kept answer emotie: angst", 30)
    coach.wait_log("listening for: rust", 30)
    coach.say("een nieuwe fiets")  # not placed: asked once more, and kept as said
    coach.wait_shown("Bijvoorbeeld rust, iemand spreken", 30)
    coach.wait_log("listening for: rust", 30)  # after the question is asked again
    coach.say("geen idee")
    coach.wait_shown(re.escape(load_phrases().replies.no_answer), 30)
    coach.wait_log("exercise check-in ended: completed", 60)
    coach.wait_shown(re.escape(load_phrases().replies.saved), 30)
    rows = sqlite3.connect(coach.journal).execute("SELECT field, answer, kind FROM answers ORDER BY id").fetchall()
    assert rows == [("lichaam", "vermoeidheid", "understood"), ("emotie", "angst", "understood"), ("behoefte", "een nieuwe fiets", "own words")]


def test_answers_are_said_to_be_saved_only_when_they_were(tmp_path):
    (tmp_path / "blocked").write_text("a file where the journal's folder should be")
    with VirtualDaemon(tmp_path, journal=tmp_path / "blocked" / "journal.sqlite") as daemon:  # cannot be opened
        daemon.say("start check in")
        daemon.wait_log("listening for: spanning", 60)
        daemon.say("rustig")
        daemon.wait_log("could NOT keep answer lichaam: rust", 30)
        daemon.wait_shown("Je voelt je rustig.", 30)
        daemon.say("stop")
        daemon.wait_shown(re.escape(load_phrases().replies.not_saved), 30)
    assert not any(load_phrases().replies.saved in line for line in daemon.shown)


def test_hulp_during_an_exercise_pauses_it_and_gives_113(coach):
    coach.say("start vierkant")
    coach.wait_log("breathe in", 60)
    coach.say("hulp")
    coach.wait_log(r"\(paused")
    for sentence in CARE.help_exercise:
        coach.wait_shown(re.escape(sentence), 60)
    coach.say("verder")
    coach.wait_log(r"\(resumed\)")


def test_words_of_distress_are_asked_about_once(coach):
    coach.say("ik kan niet meer")
    coach.wait_shown(re.escape(CARE.distress_support[1]), 30)
    coach.say("start vierkant")
    coach.wait_log("breathe in", 60)
    coach.say("ik kan het echt niet meer")
    coach.wait_shown(re.escape(CARE.distress_question[-1]), 30)
    coach.say("nee")
    coach.wait_shown(re.escape(CARE.distress_go_on[0]), 30)
    coach.wait_log("breathe in", 60)


def test_nothing_the_person_said_and_no_outcome_reaches_the_log_at_the_default_level(tmp_path):
    with VirtualDaemon(tmp_path, level=logging.WARNING) as daemon:  # the log's default level
        daemon.say("start check in")
        daemon.wait_shown(re.escape("Wat voel je nu in je lichaam?"), 60)
        daemon.say("ik ben gespannen")
        daemon.wait_shown("Je voelt je gespannen.", 30)
        daemon.say("ik zie het niet meer zitten")
        wait_for_113(daemon)
        assert daemon.stop() == 0
    log = "\n".join(daemon.lines)
    assert "listening (13 exercises)" in log  # the log works, and holds only what is no one's business
    for private in ("check", "gespannen", "spanning", "crisis", "zitten", "ended", "exercise "):
        assert private not in log, private
