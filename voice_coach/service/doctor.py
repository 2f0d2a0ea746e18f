"""`voice-coach doctor`: every part checked, one line each, OK or what to do."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..audio.echo import load_canceller
from ..audio.portaudio import DeviceError, sounddevice
from ..core.interpret import Interpreter
from ..paths import command_name
from ..speech.model import manifest_for, model_status
from ..speech.tts import SpeechError, Synthesizer
from .config import Config
from .journal import Journal, JournalError

MIC_SECONDS = 1.0
"""How long the microphone is listened to."""
SILENT_DBFS = -85.0
"""Quieter than this, a microphone hears nothing at all (muted or not connected)."""


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    """What was checked."""
    ok: bool
    """Whether it is fine."""
    detail: str
    """What was found, or what to do."""

    def __str__(self) -> str:
        return f"{'OK  ' if self.ok else 'FIX '} {self.name}: {self.detail}"


def run_checks(config: Config) -> list[Check]:
    """Every check, in the order a person would fix things."""
    settings = config.settings
    checks = [_check("config valid", lambda: f"{config.path}" if config.path.exists() else "no config file; defaults")]
    checks.append(_check("exercise scripts", lambda: _scripts(settings)))
    checks.append(_check("Dutch voice", lambda: _voice(settings)))
    model_problems = model_status(settings.model, manifest_for(settings.model), full=True)
    checks.append(Check("speech model", not model_problems, model_problems[0] if model_problems else f"{settings.model} verified"))
    checks.append(_vocabulary(settings) if not model_problems else Check("vocabulary", False, "needs the speech model first"))
    library = _check("sound library", lambda: sounddevice().get_portaudio_version()[1])
    checks.append(library)
    checks.append(_check("default sound device", lambda: _sound_route(config)))
    for name, probe in (("microphone", _microphone), ("speaker", _speaker)):
        checks.append(_check(name, lambda: probe(settings)) if library.ok else Check(name, False, "needs the sound library first"))
    checks.append(_over_the_voice(settings))
    checks.append(_check("journal writable", lambda: _journal(settings.journal)))
    checks.append(_service())
    return checks


class _Problem(Exception):
    """A check failed; the message says what to do."""


def _check(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except (_Problem, SpeechError, DeviceError, JournalError) as err:
        return Check(name, False, str(err))


def _scripts(settings) -> str:
    library = settings.load_library()
    if library.errors:
        raise _Problem(f"{len(library.errors)} problems, the first: {library.errors[0]}; see: {command_name()} validate")
    if not library.scripts:
        raise _Problem(f"no exercise scripts (*.toml) in {settings.scripts}; set 'scripts' in the config to the folder that holds them")
    own = sum(Path(s.source).parent == settings.own_scripts for s in library.scripts.values())
    return f"{len(library.scripts)} exercises, {own} of them your own (your own scripts go in {settings.own_scripts})"


def _voice(settings) -> str:
    voice = settings.voice_settings()
    synthesizer = Synthesizer(voice)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            seconds = synthesizer.render("Hallo, ik ben er.", 1.0, Path(scratch) / "test.wav")
    finally:
        synthesizer.close()
    better = "" if voice.engine == "piper" else "; a more natural voice: voice-coach voices"
    return f"{voice.name} ({voice.engine}) speaks ({seconds:.1f} s for a test sentence){better}"


def _vocabulary(settings) -> Check:
    from ..speech.asr import load_model
    from ..speech.vocabulary import listened_phrases, unknown_words

    library = settings.load_library()
    missing = unknown_words(load_model(settings.model), listened_phrases(library, Interpreter.load()))
    if missing:
        words = sorted({w for unknown in missing.values() for w in unknown})
        shown = ", ".join(words[:8]) + (f" and {len(words) - 8} more" if len(words) > 8 else "")
        return Check(
            "vocabulary", False,
            f"the model does not know {len(words)} words ({shown}), so {len(missing)} phrases cannot be recognized; "
            "give them other words in the scripts or phrases",
        )
    return Check("vocabulary", True, "every trigger, answer and command is known to the model")


def _sound_route(config: Config) -> str:
    from ..audio.alsa_default import default_sound_server, unreachable_default_advice

    server = default_sound_server()
    if server is None:
        return "ALSA's default device goes through no sound server"
    if config.settings.speaker and config.settings.microphone:
        return f"ALSA's default goes to {server.name}, but the speaker and microphone are named, so the coach uses the card itself"
    if not server.reachable:
        raise _Problem(unreachable_default_advice(server, config.path))
    return (
        f"ALSA's default goes to {server.name}, which this session reaches; the system service cannot: "
        "for it, name the card (speaker, microphone) in /etc/voice-coach/config.toml, or use the user unit"
    )


def _microphone(settings) -> str:
    from ..audio.mic import Microphone

    blocks: list[np.ndarray] = []
    with Microphone(lambda data, at: blocks.append(data.copy()), settings.microphone, settings.microphone_rate):
        time.sleep(MIC_SECONDS)
    if not blocks:
        raise _Problem("opened, but no audio came; check the cable and `arecord -l`")
    audio = np.concatenate(blocks).astype(np.float64) / 32768
    level = 20 * np.log10(max(np.sqrt(np.mean(audio**2)), 1e-9))
    if level < SILENT_DBFS:
        raise _Problem(f"hears nothing ({level:.0f} dBFS); is it muted? Check with alsamixer")
    return f"hears the room at {level:.0f} dBFS"


def _over_the_voice(settings) -> Check:
    """Whether commands are heard while the coach speaks (echo cancellation) or not (half-duplex)."""
    name = "listening while speaking"
    if not settings.barge_in:
        return Check(name, True, "half-duplex, deaf while the coach speaks: barge_in = false in the config")
    canceller, mode = load_canceller(settings.microphone_rate or 16000)
    return Check(name, canceller is not None, mode)


def _speaker(settings) -> str:
    from ..audio.speaker import Speaker
    from ..audio.sound import read_wav, resample

    bell, rate = read_wav(settings.audio / "belletje.wav")
    with Speaker(settings.speaker, settings.speaker_rate, settings.volume) as speaker:
        speaker.mixer.add(resample(bell, rate, speaker.mixer.rate))
        time.sleep(len(bell) / rate)
    return f"played a chime on {speaker.device.name} ({speaker.mixer.rate} Hz)"


def _journal(path: Path) -> str:
    journal = Journal(path)
    try:
        journal.db.execute("BEGIN IMMEDIATE")
        journal.db.execute("ROLLBACK")
    except Exception as err:  # sqlite3.Error
        raise _Problem(f"{path} cannot be written ({err}); check the disk and its permissions") from None
    finally:
        journal.close()
    return f"{path}"


def _service() -> Check:
    if shutil.which("systemctl") is None:
        return Check("service", False, "no systemd here; on a Pi install it with: sudo ./systemd/install-pi.sh")
    enabled = subprocess.run(["systemctl", "is-enabled", "voice-coach"], capture_output=True, text=True).stdout.strip()
    active = subprocess.run(["systemctl", "is-active", "voice-coach"], capture_output=True, text=True).stdout.strip()
    if enabled != "enabled":
        return Check("service", False, "not installed; install it with: sudo ./systemd/install-pi.sh")
    if active != "active":
        return Check("service", False, f"installed but {active or 'not running'}; see: journalctl -u voice-coach")
    return Check("service", True, "installed and running")
