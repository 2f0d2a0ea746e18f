"""Nothing a file, a device or a user does may crash, hang, lie, delete or leak.

Every test here failed before its fix. Real files, FIFOs, symlinks, the real CLI
in a subprocess where a hang could show (or to prove the real entry point), else in
this process with every traceback it would print caught (conftest.cli_in_process),
the real daemon.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import cli_in_process
from daemon_harness import DaemonProcess
from voice_coach.service.config import ConfigError, load_config
from voice_coach.core.loader import _first_cycle, check_script
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR, command_name, private_folder
from voice_coach.core.tomlfile import MAX_BYTES, TomlFileError, read_toml_file

HOSTILE = Path(__file__).parent / "hostile"

# Each hostile file and the message it must produce (after the file name).
MESSAGES = {
    "deep-arrays.toml": "line 1: nested more than 12 levels deep; flatten the arrays and tables",
    "deep-inline-tables.toml": "line 1: nested more than 12 levels deep; flatten the arrays and tables",
    "long-dotted-key.toml": "line 1: more than 64 dots outside quotes; shorten the dotted key",
    "nul-chime.toml": "step 1 (chime): field 'chime': 'a\\x00.wav' holds a NUL character (\\u0000); write the file name without it",
    "not-utf8.toml": "line 2: the file is not UTF-8 (byte 28); save it as UTF-8 text",
    "binary.toml": "line 2: the file is not UTF-8 (byte 128); save it as UTF-8 text",
    "unclosed-string.toml": "invalid TOML: Illegal character '\\n' (at line 1, column 15); check quotes, brackets and '=' on that line",
    "many-dots-in-strings.toml": "field 'triggers': missing",
}


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command line in its own process: a traceback or a hang would show."""
    return subprocess.run([sys.executable, "-m", "voice_coach", *args], capture_output=True, text=True, timeout=timeout)


def no_traceback(result) -> None:
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "Exception ignored" not in stream, stream


@pytest.mark.parametrize("name", MESSAGES)
def test_every_hostile_script_gets_its_message_and_no_traceback(name):
    result = cli_in_process("validate", str(HOSTILE / name))
    no_traceback(result)
    assert result.returncode == 1
    assert f"{HOSTILE / name}: " in result.stderr and MESSAGES[name] in result.stderr


@pytest.mark.parametrize("name", [n for n in MESSAGES if n not in ("nul-chime.toml", "many-dots-in-strings.toml")])
def test_every_hostile_config_gets_its_message_and_no_traceback(name):
    result = cli_in_process("--config", str(HOSTILE / name), "config", "show")
    no_traceback(result)
    assert result.returncode == 78
    assert f"config file {HOSTILE / name}: {MESSAGES[name]}" in result.stderr


def test_a_fifo_named_like_a_script_is_refused_at_once(tmp_path):
    shutil.copy(SCRIPTS_DIR / "veilig.toml", tmp_path)
    os.mkfifo(tmp_path / "x.toml")
    result = cli("--scripts", str(tmp_path), "validate", timeout=30)  # it used to block for ever
    no_traceback(result)
    assert f"{tmp_path / 'x.toml'}: not a regular file (a FIFO); give the path of a .toml text file" in result.stderr
    assert "1 valid, 1 error" in result.stdout


def test_a_file_too_large_is_refused_unread(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_BYTES + "\n")
    with pytest.raises(TomlFileError, match=f"bytes is too large \\(at most {MAX_BYTES}\\)"):
        read_toml_file(big)


@pytest.mark.parametrize("key", ["scripts", "journal", "model", "cache", "audio"])
def test_a_nul_in_a_config_path_is_named(tmp_path, key):
    config = tmp_path / "config.toml"
    config.write_text(f'{key} = "/tmp/a\\u0000b"\n')
    with pytest.raises(ConfigError, match=f"key '{key}': holds a NUL character"):
        load_config(config)


def test_render_into_a_missing_folder_is_one_clean_error(tmp_path):
    result = cli("render", "veilig", "-o", str(tmp_path / "nonexistent" / "a.wav"), timeout=120)
    no_traceback(result)
    assert result.returncode == 1
    assert f"cannot write {tmp_path / 'nonexistent' / 'a.wav'}: No such file or directory" in result.stderr


# -- validation grows linearly --------------------------------------------------------


def test_a_ten_thousand_step_script_validates(tmp_path):
    steps = "".join(f'[[step]]\nsay = "Zin {i}."\n' for i in range(10_000))
    path = tmp_path / "lang.toml"
    path.write_text(f'id = "lang"\ntitle = "Lang"\ntriggers = ["lang"]\nsummary = "S."\nminutes = 1\n{steps}')
    script, problems = check_script(path, [AUDIO_DIR])
    assert script is not None and len(script.steps) == 10_000, problems


def brute_force_first_cycle(follow: list[int]) -> list[int] | None:
    """The definition: the lowest step from which walking comes back to itself."""
    for start in range(len(follow)):
        seen, index = [], start
        while index < len(follow) and index not in seen:
            seen.append(index)
            index = follow[index]
        if index == start:
            return seen
    return None


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=12))
def test_the_linear_loop_finder_agrees_with_the_definition(follow):
    assert _first_cycle(follow) == brute_force_first_cycle(follow)


# -- fuzzing every reader of a file ---------------------------------------------------

TOML_PIECES = st.sampled_from(['[', ']', '{', '}', '"', "'", '"""', '=', '.', 'a', '1', '\n', '#', ',', ' ', '\\', 'step', '[[step]]', '\x00', 'é'])


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.one_of(st.binary(max_size=400), st.lists(TOML_PIECES, max_size=300).map("".join).map(str.encode)))
def test_any_bytes_give_data_or_a_named_problem(tmp_path, raw):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(raw)
    try:
        data = read_toml_file(path)
    except TomlFileError as err:
        assert str(err).startswith(f"{path}: ")
    else:
        assert isinstance(data, dict)
    check_script(path, [AUDIO_DIR])  # returns problems, never raises
    try:
        load_config(path)
    except ConfigError as err:
        assert str(path) in str(err)


class _FailsAsItGoes:
    def __del__(self):
        raise OSError("closing failed")


def test_the_cli_in_this_process_shows_every_traceback_its_process_would(monkeypatch, tmp_path):
    import logging
    import threading

    import voice_coach.service.cli as command_line

    def crash(path):
        raise RuntimeError("boom")

    monkeypatch.setattr(command_line, "load_config", crash)
    crashed = cli_in_process("list")
    assert crashed.returncode == 1 and "Traceback" in crashed.stderr and "RuntimeError: boom" in crashed.stderr

    def survives_untidily(path):
        thread = threading.Thread(target=crash, args=(path,), name="helper")
        thread.start()
        thread.join()
        _FailsAsItGoes()
        try:
            crash(path)
        except RuntimeError:
            logging.getLogger("probe").exception("logged")
        return load_config(path)

    monkeypatch.setattr(command_line, "load_config", survives_untidily)
    (tmp_path / "config.toml").write_text("")
    untidy = cli_in_process("--config", str(tmp_path / "config.toml"), "config", "show")
    assert untidy.returncode == 0 and "# config file:" in untidy.stdout
    assert "Exception in thread helper" in untidy.stderr
    assert "Exception ignored in: " in untidy.stderr and "OSError: closing failed" in untidy.stderr
    assert "ERROR probe: logged\nTraceback" in untidy.stderr


def cli_readers(path: Path) -> list[list[str]]:
    """The commands that read a script or a config file the user names."""
    return [["validate", str(path)], ["--config", str(path), "config", "show"]]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(TOML_PIECES, max_size=200).map("".join))
def test_the_cli_readers_never_show_a_traceback(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, "utf-8")
    for args in cli_readers(path):
        result = cli_in_process(*args)
        no_traceback(result)
        assert result.returncode in (0, 1, 78), result.stderr


def test_the_cli_readers_in_their_own_process_show_what_they_show_in_this_one(tmp_path):
    path = tmp_path / "fuzz.toml"
    path.write_text('[[step]]\n{"\x00é = [1.\n', "utf-8")
    for args in cli_readers(path):
        own, here = cli(*args), cli_in_process(*args)
        no_traceback(own)
        assert own.returncode in (1, 78) and f"{path}: " in own.stderr
        assert (own.returncode, own.stdout, own.stderr) == (here.returncode, here.stdout, here.stderr)


# -- a reload never takes the daemon down ---------------------------------------------


def test_sighup_with_hostile_files_keeps_the_running_set_and_the_watchdog(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(SCRIPTS_DIR / "veilig.toml", scripts)
    with DaemonProcess(tmp_path, scripts=scripts) as daemon:
        daemon.ready()
        for name in MESSAGES:
            shutil.copy(HOSTILE / name, scripts)
        os.mkfifo(scripts / "fifo.toml")
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log(r"fifo.toml: not a regular file \(a FIFO\)")
        daemon.wait_log(r"reload refused: a script is broken .* keeping the 1 exercises loaded")
        watchdogs = daemon.messages.count("WATCHDOG=1")
        daemon.say("start veilig")
        daemon.wait_log("exercise veilig started")
        time.sleep(1.0)  # the watchdog is pinged every 0.2 s here
        assert daemon.process.poll() is None and daemon.messages.count("WATCHDOG=1") > watchdogs


def test_a_config_made_unreadable_keeps_the_running_one(tmp_path):
    with DaemonProcess(tmp_path) as daemon:
        daemon.ready()
        shutil.copy(HOSTILE / "deep-arrays.toml", tmp_path / "config.toml")
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log("reload refused: config file .* nested more than 12 levels deep")
        daemon.say("start veilig")
        daemon.wait_log("exercise veilig started")


# -- privacy ------------------------------------------------------------------------


def test_an_export_is_readable_only_by_its_owner(tmp_path):
    from voice_coach.service.journal import Journal

    journal = Journal(tmp_path / "state" / "journal.sqlite")
    journal.record(journal.start("check-in"), "emotie", "Welke emotie is er nu?", "verdriet")
    journal.close()
    out = tmp_path / "export.csv"
    out.write_text("old")  # an existing file too becomes private
    os.chmod(out, 0o644)
    result = cli_in_process("--journal", str(tmp_path / "state" / "journal.sqlite"), "journal", "export", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "verdriet" in out.read_text()


def test_folders_made_for_the_person_s_words_are_private(tmp_path):
    from voice_coach.service.journal import Journal

    Journal(tmp_path / "a" / "b" / "journal.sqlite").close()
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    made = private_folder(tmp_path / "c" / "d")
    assert stat.S_IMODE(made.stat().st_mode) == stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o700


# -- a newcomer's stumbles ------------------------------------------------------------


def test_validate_on_a_folder_without_scripts_fails_and_says_so(tmp_path):
    result = cli_in_process("--scripts", str(tmp_path), "validate")
    assert result.returncode == 1
    assert f"no exercise scripts (*.toml) in {tmp_path}" in result.stderr


def test_doctor_checks_the_scripts(tmp_path):
    # No devices: here the speaker check would play its 2-second chime.
    result = cli_in_process("--scripts", str(tmp_path), "--journal", str(tmp_path / "j.sqlite"), "doctor", "--speaker", "nergens", "--microphone", "nergens")
    no_traceback(result)
    assert f"FIX  exercise scripts: no exercise scripts (*.toml) in {tmp_path}" in result.stdout


def test_reading_the_journal_creates_nothing(tmp_path):
    where = tmp_path / "nonexistent" / "dir" / "j.sqlite"
    for args in (["journal"], ["journal", "export"], ["journal", "forget", "--yes"]):
        result = cli_in_process("--journal", str(where), *args)
        assert result.returncode == 0, result.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_version_and_hints_name_a_command_that_works():
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("voice-coach ")
    hint = command_name()
    runs = subprocess.run([*hint.split(), "--version"], capture_output=True, text=True)
    assert runs.returncode == 0 and runs.stdout == result.stdout


def test_csv_is_the_export_default(tmp_path):
    result = cli_in_process("--journal", str(tmp_path / "j.sqlite"), "journal", "export")
    assert result.returncode == 0 and result.stdout.startswith("started,ended,exercise,outcome")


# -- logging that cannot be swallowed -------------------------------------------------

LOGGING_WHILE_PORTAUDIO_RESTARTS = textwrap.dedent(
    """
    import logging, threading
    import sounddevice as sd
    from voice_coach.service.logs import start_logging
    start_logging(verbose=True)
    log = logging.getLogger("probe")
    done = threading.Event()
    def restart():
        while not done.is_set():
            sd._terminate(); sd._initialize()
    thread = threading.Thread(target=restart); thread.start()
    for n in range(400):
        log.info("line %d", n)
    done.set(); thread.join()
    """
)


def test_no_log_line_is_lost_while_portaudio_restarts():
    result = subprocess.run([sys.executable, "-c", LOGGING_WHILE_PORTAUDIO_RESTARTS], capture_output=True, text=True, timeout=120)
    lines = [line for line in result.stderr.splitlines() if line.startswith("INFO probe: line ")]
    assert len(lines) == 400, result.stderr[-2000:]


def manifest_and_journal_readers(path: Path, tmp_path: Path) -> list[list[str]]:
    """The commands that read a model manifest or a journal the user names."""
    return [
        ["model", "download", "--manifest", str(path), "--from", str(path), "--models-dir", str(tmp_path / "m")],
        ["--journal", str(path), "journal"],
    ]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=300))
def test_a_hostile_manifest_or_journal_file_is_named_not_a_traceback(tmp_path, raw):
    path = tmp_path / "hostile"
    path.write_bytes(raw)
    for args in manifest_and_journal_readers(path, tmp_path):
        result = cli_in_process(*args)
        no_traceback(result)
        assert result.returncode in (0, 1), result.stderr


def test_a_hostile_manifest_or_journal_in_its_own_process_shows_what_it_shows_in_this_one(tmp_path):
    path = tmp_path / "hostile"
    path.write_bytes(b"SQLite format 3\x00\xff\xfe\x00 a b c\n\x80")
    for args in manifest_and_journal_readers(path, tmp_path):
        own, here = cli(*args), cli_in_process(*args)
        no_traceback(own)
        assert own.returncode == 1 and str(path) in own.stderr
        assert (own.returncode, own.stdout, own.stderr) == (here.returncode, here.stdout, here.stderr)


# -- a language folder (run --language, night-test --language) ------------------------

KOREAN = Path(__file__).parent / "data" / "ko"


def language_folder(tmp_path: Path, name: str, make) -> Path:
    """A copy of the Korean test language with ``name`` replaced by what ``make(path)`` puts there."""
    folder = tmp_path / "language"
    shutil.copytree(KOREAN, folder)
    (folder / name).unlink()
    make(folder / name)
    return folder


def unknown_command(path: Path) -> None:
    path.write_text((KOREAN / "phrases.toml").read_text("utf-8") + '\n[session.dance]\nphrases = ["춤"]\n', "utf-8")


HOSTILE_LANGUAGE_FILES = {
    "missing": ("answers.toml", lambda path: None, "cannot read the file"),
    "malformed": ("crisis.toml", lambda path: path.write_text("[grammar\n"), "invalid TOML"),
    "a table missing": ("phrases.toml", lambda path: path.write_text("[idle]\n"), "is missing"),
    "an unknown command": ("phrases.toml", unknown_command, "'dance' is no command"),
    "a FIFO": ("crisis.toml", lambda path: os.mkfifo(path), "not a regular file"),
    "huge": ("answers.toml", lambda path: path.write_bytes(b"#" * (MAX_BYTES + 1)), "too large"),
    "a dangling link": ("phrases.toml", lambda path: path.symlink_to(path.parent / "nowhere.toml"), "cannot read the file"),
}


@pytest.mark.parametrize("case", HOSTILE_LANGUAGE_FILES)
@pytest.mark.parametrize("command", [["run", "--listen-stdin"], ["night-test", "--hours", "0.001"]])
def test_a_broken_language_file_is_named_not_a_traceback(tmp_path, case, command):
    name, make, reason = HOSTILE_LANGUAGE_FILES[case]
    folder = language_folder(tmp_path, name, make)
    result = cli_in_process("--config", os.devnull, *command, "--language", str(folder))
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(folder / name) in result.stderr and reason in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_language_file_linked_to_a_good_one_is_read(tmp_path):
    folder = language_folder(tmp_path, "phrases.toml", lambda path: path.symlink_to(KOREAN / "phrases.toml"))
    from voice_coach.core.interpret import Interpreter

    assert Interpreter.load(folder).phrases == Interpreter.load(KOREAN).phrases
