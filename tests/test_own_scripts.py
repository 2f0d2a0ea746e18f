"""The coach's own scripts: a folder beside the config file that adds exercises or
replaces shipped ones, with recorded clips beside the scripts."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from daemon_harness import DaemonProcess
from voice_coach.core.library import load_library
from voice_coach.paths import AUDIO_DIR, SCRIPTS_DIR

SHIPPED = sorted(p.stem for p in SCRIPTS_DIR.glob("*.toml"))

OWN_SCRIPT = """\
id = "mijn-rust"
title = "Mijn rust"
triggers = ["mijn rust"]
summary = "Even stil zijn."
minutes = 1

[[step]]
say = "Welkom bij mijn rust."
clip = "mijn-welkom.wav"

[[step]]
chime = "belletje.wav"

[[step]]
say = "Dat was het."
"""


@pytest.fixture
def own(tmp_path) -> Path:
    """An empty config file whose own scripts folder holds one new exercise with its clip."""
    (tmp_path / "config.toml").write_text("")
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "mijn-rust.toml").write_text(OWN_SCRIPT)
    shutil.copy(AUDIO_DIR / "gong.wav", scripts / "mijn-welkom.wav")
    return tmp_path


def coach(config_folder: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "voice_coach", "--config", str(config_folder / "config.toml"), *args],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )


def listed(result: subprocess.CompletedProcess) -> dict[str, str]:
    """Exercise id -> where `list` says it comes from."""
    return {line.split()[0]: line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.splitlines()}


def test_an_own_script_is_listed_beside_the_shipped_ones_with_its_origin(own):
    origins = listed(coach(own, "list"))
    assert sorted(origins) == sorted([*SHIPPED, "mijn-rust"])
    assert origins["mijn-rust"] == str(own / "scripts" / "mijn-rust.toml")
    assert {origins[name] for name in SHIPPED} == {"shipped"}


def test_an_own_script_with_its_clip_beside_it_plays_and_renders(own, tmp_path):
    shown = coach(own, "show", "mijn rust")
    assert "[clip mijn-welkom.wav]" in shown.stdout and "♪ belletje.wav" in shown.stdout
    assert f"{len(SHIPPED) + 1} valid, 0 errors, 0 warnings" in coach(own, "validate").stdout  # the clip is found beside the script
    played = coach(own, "play", "mijn-rust", "--text", "--speed", "50")
    assert played.returncode == 0 and "Dat was het." in played.stdout, played.stderr
    rendered = coach(own, "render", "mijn-rust", "-o", str(tmp_path / "mijn-rust.wav"), "--voice", "gmw/nl", "--cache", str(tmp_path / "cache"))
    assert rendered.returncode == 0, rendered.stderr
    assert "(completed)" in rendered.stdout


def test_an_own_script_replaces_the_shipped_one_with_its_id(own):
    replacement = (SCRIPTS_DIR / "veilig.toml").read_text().replace('title = "Even landen"', 'title = "Mijn veilige plek"')
    assert "Mijn veilige plek" in replacement
    (own / "scripts" / "veilig.toml").write_text(replacement)
    result = coach(own, "list")
    line = next(line for line in result.stdout.splitlines() if line.startswith("veilig "))
    assert "Mijn veilige plek" in line and "replaces the shipped one" in line
    assert sorted(listed(result)) == sorted([*SHIPPED, "mijn-rust"])
    validated = coach(own, "validate")
    assert validated.returncode == 0
    assert f"{own / 'scripts' / 'veilig.toml'}: replaces {SCRIPTS_DIR / 'veilig.toml'}" in validated.stdout


def test_a_broken_own_script_hides_no_shipped_one(own):
    (own / "scripts" / "veilig.toml").write_text('id = "veilig"\ntitle = "Kapot"\n[[step]]\npause = -1\n')
    (own / "scripts" / "kapot.toml").write_text("dit is geen toml [[[")
    result = coach(own, "list")
    assert result.returncode == 0
    assert sorted(listed(result)) == sorted([*SHIPPED, "mijn-rust"])
    assert listed(result)["veilig"] == "shipped"
    assert f"skipped: {own / 'scripts' / 'veilig.toml'}" in result.stderr
    assert f"skipped: {own / 'scripts' / 'kapot.toml'}" in result.stderr
    validated = coach(own, "validate")
    assert validated.returncode == 1 and "kapot.toml" in validated.stderr


def test_an_own_script_may_not_take_a_shipped_trigger(own):
    (own / "scripts" / "mijn-rust.toml").write_text(OWN_SCRIPT.replace('["mijn rust"]', '["mijn rust", "veilig"]'))
    library = load_library([SCRIPTS_DIR, own / "scripts"], AUDIO_DIR)
    assert "mijn-rust" not in library.scripts and "veilig" in library.scripts
    assert any("trigger 'veilig' also starts" in str(p) for p in library.errors)


@pytest.mark.parametrize("trigger", ["véilig", "veilíg", "vëilig", "vèîlig"])
def test_a_trigger_that_sounds_the_same_as_a_shipped_one_is_a_collision(own, trigger):
    """The matcher ignores diacritics, so each of these would take "veilig" over."""
    (own / "scripts" / "mijn-rust.toml").write_text(OWN_SCRIPT.replace('["mijn rust"]', f'["mijn rust", "{trigger}"]'))
    library = load_library([SCRIPTS_DIR, own / "scripts"], AUDIO_DIR)
    assert "mijn-rust" not in library.scripts and "veilig" in library.scripts
    assert [str(p) for p in library.errors] == [
        f"{own / 'scripts' / 'mijn-rust.toml'}: field 'triggers': trigger {trigger!r} also starts {SCRIPTS_DIR / 'veilig.toml'} "
        "(its 'veilig': accents do not count when listening); give each exercise its own triggers"
    ]
    validated = coach(own, "validate")
    assert validated.returncode == 1 and "also starts" in validated.stderr


def test_an_exercise_is_found_by_a_trigger_said_with_accents(own):
    assert "Even landen (veilig)" in coach(own, "show", "véilig").stdout


def test_a_replacement_whose_trigger_is_taken_leaves_the_shipped_one(own):
    clash = (SCRIPTS_DIR / "veilig.toml").read_text().replace('triggers = [', 'triggers = ["vierkant", ')
    assert clash != (SCRIPTS_DIR / "veilig.toml").read_text()
    (own / "scripts" / "veilig.toml").write_text(clash)
    library = load_library([SCRIPTS_DIR, own / "scripts"], AUDIO_DIR)
    assert library.scripts["veilig"].source == str(SCRIPTS_DIR / "veilig.toml")
    assert "veilig" not in library.replaced


def test_an_own_clip_takes_precedence_over_a_shared_sound_of_the_same_name(own):
    shutil.copy(AUDIO_DIR / "gong.wav", own / "scripts" / "belletje.wav")
    library = load_library([SCRIPTS_DIR, own / "scripts"], AUDIO_DIR)
    chimes = [s.body.sound for s in library.scripts["mijn-rust"].steps if s.kind == "chime"]
    assert chimes == [str((own / "scripts" / "belletje.wav").resolve())]
    shipped_chimes = {s.body.sound for script in library.scripts.values() if script.id != "mijn-rust" for s in script.steps if s.kind == "chime"}
    assert shipped_chimes and all(Path(c).parent == AUDIO_DIR.resolve() for c in shipped_chimes)


def test_sighup_reads_the_own_scripts_folder_too(tmp_path):
    (tmp_path / "scripts").mkdir()
    with DaemonProcess(tmp_path) as daemon:
        daemon.ready()
        (tmp_path / "scripts" / "mijn-rust.toml").write_text(OWN_SCRIPT)
        shutil.copy(AUDIO_DIR / "gong.wav", tmp_path / "scripts" / "mijn-welkom.wav")
        daemon.process.send_signal(signal.SIGHUP)
        daemon.wait_log(rf"reloaded: {len(SHIPPED) + 1} exercises")
        daemon.say("start mijn rust")
        daemon.wait_log("exercise mijn-rust started")
