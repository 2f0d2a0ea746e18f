"""The journal on a real SQLite file, the config file, and `doctor`."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path
import sqlite3
import stat

import pytest
from click.testing import CliRunner

from conftest import MIC_RATE, SPEAKER_FILE, cli_in_process, korean_model_path, microphone_input, speaker_output
from voice_coach.audio.sound import peak, read_wav, write_wav
from voice_coach.paths import AUDIO_DIR
from voice_coach.paths import command_name
from voice_coach.speech.voices import best_voice
from voice_coach.service.cli import main
from voice_coach.service.config import ConfigError, load_config
from voice_coach.service.journal import Journal, JournalError


@pytest.fixture
def journal(tmp_path) -> Journal:
    store = Journal(tmp_path / "state" / "journal.sqlite")
    first = store.start("check-in")
    store.record(first, "emotie", "Welke emotie is er nu?", "rust")
    store.record(first, "behoefte", "Wat heb je vandaag nodig?", "contact")
    store.finish(first, "completed")
    store.finish(store.start("veilig"), "stopped")
    return store


def test_the_journal_is_private_and_in_wal_mode(journal):
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert journal.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert [e.exercise for e in journal.recent()] == ["veilig", "check-in"]
    assert journal.recent()[1].answers == "emotie: rust, behoefte: contact"


def test_a_full_disk_fails_the_write_but_keeps_earlier_rows(journal):
    journal.db.execute(f"PRAGMA max_page_count = {journal.db.execute('PRAGMA page_count').fetchone()[0]}")
    session = journal.start("check-in")
    with pytest.raises(JournalError, match="database or disk is full"):
        for _ in range(200):
            journal.record(session, "emotie", "Welke emotie is er nu?", "rust " * 200)
    reopened = sqlite3.connect(journal.path)
    assert reopened.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert reopened.execute("SELECT COUNT(*) FROM answers WHERE session = 1").fetchone() == (2,)


def cli(journal, *args, input=None):
    return CliRunner().invoke(main, ["--config", os.devnull, "--journal", str(journal.path), *args], input=input)


def test_journal_command_shows_a_readable_table_without_streaks(journal):
    result = cli(journal, "journal")
    lines = result.output.splitlines()
    assert lines[0].split() == ["when", "exercise", "ended", "answers"]
    assert "check-in" in lines[2] and "completed" in lines[2] and "emotie: rust, behoefte: contact" in lines[2]
    assert "streak" not in result.output.lower() and "missed" not in result.output.lower()


def test_journal_export_csv(journal):
    rows = list(csv.reader(io.StringIO(cli(journal, "journal", "export").output)))
    assert rows[0] == ["started", "ended", "exercise", "outcome", "answered_at", "field", "question", "answer", "kind"]
    assert [r[2:4] + r[5:] for r in rows[1:]] == [
        ["check-in", "completed", "emotie", "Welke emotie is er nu?", "rust", "understood"],
        ["check-in", "completed", "behoefte", "Wat heb je vandaag nodig?", "contact", "understood"],
        ["veilig", "stopped", "", "", "", ""],
    ]


def test_journal_export_has_no_format_flag_csv_being_its_only_format(journal):
    assert "--csv" not in cli(journal, "journal", "export", "--help").output
    refused = cli(journal, "journal", "export", "--csv")
    assert refused.exit_code == 2 and "No such option '--csv'" in refused.output


def test_journal_forget_asks_first_and_then_erases_everything(journal):
    refused = cli(journal, "journal", "forget", input="n\n")
    assert "Erase all 2 sessions and 2 answers?" in refused.output and refused.exit_code == 1
    assert journal.counts() == (2, 2)
    done = cli(journal, "journal", "forget", input="y\n")
    assert done.exit_code == 0 and "The journal is erased." in done.output
    assert Journal(journal.path).counts() == (0, 0)
    leftover = journal.path.read_bytes() + (journal.path.with_name("journal.sqlite-wal").read_bytes() if journal.path.with_name("journal.sqlite-wal").exists() else b"")
    assert b"behoefte" not in leftover and b"contact" not in leftover


def test_config_file_values_and_their_sources(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text('volume = 0.5\nspeaker = "USB Audio"\nbarge_in = true\n')
    config = load_config(config_file)
    assert (config.settings.volume, config.settings.speaker, config.settings.barge_in) == (0.5, "USB Audio", True)
    result = CliRunner().invoke(main, ["--config", str(config_file), "--journal", str(tmp_path / "j.sqlite"), "config", "show"])
    assert f"volume = 0.5  # {config_file}" in result.output
    assert "journal = " in result.output and "# command line" in result.output
    assert "words_per_minute = 128  # default" in result.output
    assert "microphone = (unset)  # default" in result.output


@pytest.mark.parametrize(
    "content,message",
    [
        ("volume = 2.0", "key 'volume': 2.0 is out of range; use a number from 0.1 to 1"),
        ('words_per_minute = "fast"', "key 'words_per_minute': must be a whole number (without quotes), not 'fast'"),
        ("barge_in = 1", "key 'barge_in': must be true or false (without quotes)"),
        ("micophone = 'usb'", "key 'micophone': unknown key (did you mean 'microphone'?)"),
        ("volume = ", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, content, message):
    config_file = tmp_path / "config.toml"
    config_file.write_text(content + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    assert str(config_file) in str(caught.value) and message in str(caught.value)


def test_the_documented_example_config_is_valid_and_covers_every_key(tmp_path):
    from dataclasses import fields

    from voice_coach.service.config import Settings
    from conftest import REPO

    example = (REPO / "docs" / "config.example.toml").read_text()
    uncommented = "\n".join(line[2:] for line in example.splitlines() if line.startswith("# ") and " = " in line)
    (tmp_path / "c.toml").write_text(uncommented)
    config = load_config(tmp_path / "c.toml")
    assert set(config.sources.values()) == {str(tmp_path / "c.toml")}
    assert {f.name for f in fields(Settings)} <= {line.split(" = ")[0] for line in uncommented.splitlines()}
    # A number or a switch shown is the default (paths and device names are examples).
    defaults = Settings()
    shown = {f.name: getattr(config.settings, f.name) for f in fields(Settings) if isinstance(getattr(defaults, f.name), (bool, int, float))}
    assert shown == {name: getattr(defaults, name) for name in shown}


def test_doctor_reports_each_part(tmp_path):
    microphone_input([], 5)
    audio = tmp_path / "audio"  # the shipped sounds, with a chime of 0.1 s (the speaker check plays it whole)
    shutil.copytree(AUDIO_DIR, audio)
    bell, rate = read_wav(audio / "belletje.wav")
    write_wav(audio / "belletje.wav", bell[: rate // 10], rate)
    SPEAKER_FILE.write_bytes(b"")
    result = cli_in_process(
        "--config", os.devnull, "--journal", str(tmp_path / "j.sqlite"), "--audio", str(audio), "doctor",
        "--speaker", "vctest_speaker", "--microphone", "vctest_mic", "--microphone-rate", str(MIC_RATE),
        "--model", str(korean_model_path()), "--barge-in",
    )
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].split(maxsplit=1)[1] for line in lines] == [
        "config valid", "exercise scripts", "Dutch voice", "speech model", "vocabulary", "sound library", "default sound device",
        "microphone", "speaker", "listening while speaking", "journal writable", "service"]
    assert lines[1].startswith("OK   exercise scripts: 13 exercises, 0 of them your own")
    voice = best_voice(Path("/nonexistent"))
    assert lines[2].startswith(f"OK   Dutch voice: {voice.name} ({voice.engine}) speaks")
    assert lines[4].startswith("FIX  vocabulary: the model does not know ") and "(aan, aandacht, " in lines[4]  # a Korean model
    assert lines[5].startswith("OK   sound library: PortAudio V19")
    assert lines[6] == "OK   default sound device: ALSA's default device goes through no sound server"
    assert lines[7].startswith("OK   microphone: hears the room at ")
    assert lines[8].startswith("OK   speaker: played a chime on vctest_speaker")
    assert lines[9] == "OK   listening while speaking: barge-in: echo cancellation (speex) hears commands over the coach's voice"
    assert peak(speaker_output(2)) > 0.1  # it reached the speaker
    assert result.returncode == 1  # the vocabulary and the service need fixing here


def test_doctor_says_what_to_do_when_things_are_missing(tmp_path):
    result = cli_in_process(
        "--config", os.devnull, "--journal", str(tmp_path / "j.sqlite"), "doctor",
        "--speaker", "luidspreker-die-er-niet-is", "--model", str(tmp_path / "vosk-model-small-nl-0.22"),
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert f"FIX  speech model: no speech model at {tmp_path / 'vosk-model-small-nl-0.22'}; download it with: {command_name()} model download" in result.stdout
    assert "FIX  speaker: no output device named 'luidspreker-die-er-niet-is'" in result.stdout


def test_doctor_says_whether_the_coach_hears_over_its_voice_or_is_half_duplex(tmp_path, monkeypatch):
    from voice_coach.audio import speex_echo

    args = ("--config", os.devnull, "--journal", str(tmp_path / "j.sqlite"), "doctor", "--speaker", "nergens")
    barge_in = "OK   listening while speaking: barge-in: echo cancellation (speex) hears commands over the coach's voice"
    assert barge_in in cli_in_process(*args).stdout  # the default
    half_duplex = "OK   listening while speaking: half-duplex, deaf while the coach speaks: barge_in = false"
    assert half_duplex in cli_in_process(*args, "--no-barge-in").stdout
    monkeypatch.setattr(speex_echo, "LIBRARY", "speexdsp-not-installed")
    monkeypatch.setattr(speex_echo, "SONAME", "libspeexdsp-not-installed.so.1")
    shown = cli_in_process(*args).stdout
    assert "FIX  listening while speaking: half-duplex, deaf while the coach speaks: libspeexdsp cannot be loaded" in shown
    assert "apt-get install libspeexdsp1" in shown


def test_an_answer_kept_in_the_persons_own_words_is_marked_so(tmp_path):
    store = Journal(tmp_path / "state" / "journal.sqlite")
    session = store.start("check-in")
    store.record(session, "lichaam", "Wat voel je nu in je lichaam?", "alsof ik zweef", own_words=True)
    store.record(session, "emotie", "En hoe voel je je nu, van binnen?", "rust")
    store.finish(session, "completed")
    out = io.StringIO()
    store.export_csv(out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert [r[7:] for r in rows[1:]] == [["alsof ik zweef", "own words"], ["rust", "understood"]]
    assert store.recent()[0].answers == 'lichaam: "alsof ik zweef", emotie: rust'


def test_a_journal_from_before_own_words_gains_the_column_and_keeps_its_answers(tmp_path):
    path = tmp_path / "state" / "journal.sqlite"
    path.parent.mkdir(mode=0o700)
    old = sqlite3.connect(path)
    old.executescript(
        """CREATE TABLE sessions (id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, started TEXT NOT NULL,
                                  ended TEXT, outcome TEXT NOT NULL);
           CREATE TABLE answers (id INTEGER PRIMARY KEY, session INTEGER NOT NULL, at TEXT NOT NULL,
                                 field TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL);
           INSERT INTO sessions VALUES (1, 'check-in', '2026-01-01 08:00', '2026-01-01 08:02', 'completed');
           INSERT INTO answers VALUES (1, 1, '2026-01-01 08:01', 'emotie', 'Welke emotie?', 'rust');"""
    )
    old.close()
    path.chmod(0o600)
    store = Journal(path)
    store.record(1, "lichaam", "Wat voel je?", "raar", own_words=True)
    assert store.db.execute("SELECT answer, kind FROM answers ORDER BY id").fetchall() == [("rust", "understood"), ("raar", "own words")]
