"""The coach's settings: defaults, one TOML config file, and command-line overrides.

The service reads ``/etc/voice-coach/config.toml`` (systemd's
``$CONFIGURATION_DIRECTORY``), a user ``~/.config/voice-coach/config.toml``;
``--config`` picks another. Every key is a field of :class:`Settings`. The coach's own
scripts live in ``scripts/`` beside the config file.
"""

from __future__ import annotations

import difflib
import fcntl
import json
import os
import re
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from ..audio.sound import sound_problem
from ..core.library import Library, load_library
from ..core.tomlfile import TomlFileError, read_toml_file
from ..paths import AUDIO_DIR, SCRIPTS_DIR, default_cache_dir, default_models_dir, default_voices_dir, xdg_home
from ..speech.model import DUTCH_MODEL
from ..speech.synthesis import Voice
from ..speech.voices import AUTO, resolve

EXIT_CONFIG = 78
"""Exit status for a configuration the service cannot run with (sysexits' EX_CONFIG)."""


class ConfigError(Exception):
    """The config file is unreadable or has a bad key; the message names file and key."""


@dataclass
class Settings:
    """Everything that can be set. Each field is also a key of the config file."""

    scripts: Path = SCRIPTS_DIR
    """Folder with the shipped exercise scripts."""
    own_scripts: Path = field(default_factory=lambda: default_config_path().parent / "scripts")
    """The coach's own scripts (and their recorded clips), read after ``scripts``: a
    script here adds an exercise, or replaces the shipped one with the same id. Default:
    ``scripts/`` beside the config file."""
    audio: Path = AUDIO_DIR
    """Folder with the shared chimes and tones that any script may name."""
    voice: str = AUTO
    """The voice: "auto" (the best installed), a name from `voice-coach voices`, a Piper .onnx file,
    or any espeak-ng voice id."""
    voices: Path = field(default_factory=default_voices_dir)
    """Where downloaded Piper voices are kept."""
    words_per_minute: int = Voice.words_per_minute
    """Speaking rate at an exercise's voice_rate 1.0 (80-300)."""
    pitch: int = Voice.pitch
    """espeak-ng pitch (0-100)."""
    speaker: str | None = None
    """Output device, by (part of) its name; unset: the default device."""
    speaker_rate: int | None = None
    """Output sample rate in Hz; unset: the device's own."""
    microphone: str | None = None
    """Input device, by (part of) its name; unset: the default device."""
    microphone_rate: int | None = None
    """Input sample rate in Hz; unset: the device's own (Vosk takes 16000, 44100 or 48000)."""
    model: Path = field(default_factory=lambda: default_models_dir() / DUTCH_MODEL)
    """The Vosk model folder."""
    cache: Path = field(default_factory=default_cache_dir)
    """Where rendered speech is kept."""
    journal: Path = field(default_factory=lambda: default_models_dir().parent / "journal.sqlite")
    """The journal file (SQLite)."""
    min_confidence: float = 0.5
    """Recognized words below this confidence (0-1) are ignored."""
    barge_in: bool = True
    """true (the default): hear commands, "hulp" and crisis phrasings while the coach speaks,
    its own voice taken out of the microphone by echo cancellation (libspeexdsp); half-duplex
    until the canceller has learned the room, and where that library is missing. false:
    half-duplex, deaf while the coach speaks."""
    second_pass: bool = True
    """true: a start, the list or help heard idle, and a crisis or distress phrasing heard at
    any time, is first heard again by the model's own language model, and done only when that
    agrees (a crisis heard twice is answered either way). false: acted on at once."""
    open_answers: str = "free"
    """How open answers (the check-in) are heard: "free" (the model's language model,
    any words) or "grammar" (only the answer words and their phrasings)."""
    volume: float = 0.7
    """Start volume (0.1-1.0)."""
    start_check: str = "always"
    """Before an exercise starts, ask "Wil je ... doen?" and start only on "ja": "always",
    "night" (21:00-07:00 only) or "never". At night the question is said softly. Without
    it, a start misheard in a conversation or on the radio plays a whole exercise."""
    start_confidence: float = 0.0
    """A start heard with a lower word confidence (0-1) is asked about whatever
    ``start_check`` says. 0: off. ``voice-coach night-test`` suggests a value for
    this bedroom."""

    def script_folders(self) -> list[Path]:
        """The shipped scripts, then the coach's own when that folder exists and is another."""
        own = self.own_scripts.exists() and self.own_scripts.resolve() != self.scripts.resolve()
        return [self.scripts] + ([self.own_scripts] if own else [])

    def load_library(self, between_files: Callable[[], None] | None = None) -> Library:
        """The exercises: the shipped ones, then the coach's own (see :func:`load_library`)."""
        return load_library(self.script_folders(), self.audio, between_files, sound_problem)

    def voice_settings(self) -> Voice:
        """The voice these settings describe ("auto": the best installed one)."""
        return resolve(self.voice, self.voices, self.words_per_minute, self.pitch)


# How each key is checked: kind, and for numbers the allowed range.
RULES: dict[str, tuple[str, float | None, float | None]] = {
    "scripts": ("path", None, None),
    "own_scripts": ("path", None, None),
    "audio": ("path", None, None),
    "voice": ("text", None, None),
    "voices": ("path", None, None),
    "words_per_minute": ("int", 80, 300),
    "pitch": ("int", 0, 100),
    "speaker": ("text", None, None),
    "speaker_rate": ("int", 8000, 192000),
    "microphone": ("text", None, None),
    "microphone_rate": ("int", 8000, 192000),
    "model": ("path", None, None),
    "cache": ("path", None, None),
    "journal": ("path", None, None),
    "min_confidence": ("float", 0.0, 1.0),
    "barge_in": ("bool", None, None),
    "second_pass": ("bool", None, None),
    "open_answers": ("choice", None, None),
    "volume": ("float", 0.1, 1.0),
    "start_check": ("choice", None, None),
    "start_confidence": ("float", 0.0, 1.0),
}
assert set(RULES) == {f.name for f in fields(Settings)}
CHOICES = {"open_answers": ("free", "grammar"), "start_check": ("always", "night", "never")}
"""The allowed values of each "choice" key."""


def default_config_path() -> Path:
    """The service's config under systemd, else the user's."""
    if os.environ.get("CONFIGURATION_DIRECTORY"):
        return Path(os.environ["CONFIGURATION_DIRECTORY"].split(":")[0]) / "config.toml"
    return xdg_home("XDG_CONFIG_HOME", ".config") / "voice-coach" / "config.toml"


@dataclass
class Config:
    """Settings plus where each value came from."""

    settings: Settings
    """The effective settings."""
    sources: dict[str, str]
    """Key -> "default", the config file's path, or "command line"."""
    path: Path
    """The config file read (or looked for)."""

    def override(self, key: str, value: Any) -> None:
        """A command-line value; None means the option was not given."""
        if value is not None:
            setattr(self.settings, key, value)
            self.sources[key] = "command line"


def load_config(path: Path | None = None) -> Config:
    """Defaults, then the config file if it exists (an explicitly named one must)."""
    chosen = path or default_config_path()
    settings = Settings(own_scripts=chosen.parent / "scripts")
    sources = {f.name: "default" for f in fields(Settings)}
    if not chosen.exists():
        if path is not None:
            raise ConfigError(f"config file {chosen} does not exist; create it or leave out --config")
        return Config(settings, sources, chosen)
    try:
        data = read_toml_file(chosen)
    except TomlFileError as err:
        raise ConfigError(f"config file {err}") from None
    problems = []
    for key, value in data.items():
        try:
            setattr(settings, key, _checked(key, value))
            sources[key] = str(chosen)
        except ConfigError as err:
            problems.append(f"config file {chosen}: key {key!r}: {err}")
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(settings, sources, chosen)


def _checked(key: str, value: Any) -> Any:
    if key not in RULES:
        close = difflib.get_close_matches(key, list(RULES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigError(f"unknown key{hint}; the keys are: {', '.join(RULES)}")
    kind, low, high = RULES[key]
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise ConfigError("must be a path in quotes")
        if "\0" in value:
            raise ConfigError("holds a NUL character (\\u0000); write the path without it")
        return Path(value).expanduser()
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError("must be text in quotes")
        return value
    if kind == "choice":
        choices = CHOICES[key]
        if value not in choices:
            raise ConfigError(f"must be one of {', '.join(repr(c) for c in choices)}, not {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError("must be true or false (without quotes)")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "int" and not isinstance(value, int)):
        raise ConfigError(f"must be {'a whole number' if kind == 'int' else 'a number'} (without quotes), not {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{value} is out of range; use a number from {low:g} to {high:g}")
    return value


def set_key(path: Path, key: str, text: str) -> None:
    """Set ``key`` in the config file at ``path`` from its command-line ``text``, keeping the
    file's comments (also one on the key's own line), other keys, owner and mode.

    The key's real line is found by parsing, not by its look (a ``speaker = ...`` line inside
    another key's multi-line string is text, not the key); the new file must parse to the old
    settings with just this key changed before it replaces the old one. It is written as a
    private temporary file (a random name, ``O_EXCL``) beside the config and renamed into
    place, under a lock on the config's folder, so concurrent sets lose nothing. A linked
    config is changed where it really is; a link to nothing is refused, not created."""
    value = _checked(key, _typed(key, text))
    target = _config_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)  # a first setting of the user's own config
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        old, info = _current(target)
        _replace(target, _with_key(target, old, key, value), info)
    finally:
        os.close(folder)


def _config_target(path: Path) -> Path:
    """The file to change for ``path``: itself, or where its link really points."""
    if path.is_symlink():
        if not path.exists():
            raise ConfigError(f"{path} is a link to {os.readlink(path)}, which does not exist; create that file, or remove the link")
        return Path(os.path.realpath(path))
    return path


def _current(target: Path) -> tuple[str, os.stat_result | None]:
    """The config's text ("" when there is none yet) and its stat (None then)."""
    if not os.path.lexists(target):
        return "", None
    try:
        read_toml_file(target)  # a regular, sane TOML file before a line of it is touched
    except TomlFileError as err:
        raise ConfigError(f"config file {err}") from None
    return target.read_text("utf-8"), os.lstat(target)


def _with_key(target: Path, old: str, key: str, value: Any) -> str:
    """``old`` with ``key`` set to ``value``: its own line replaced (its comment kept), else appended."""
    line = f"{key} = {_toml_literal(value)}"
    old_data = tomllib.loads(old)
    wanted = {**old_data, key: tomllib.loads(line)[key]}
    lines = old.splitlines(keepends=True)
    if key in old_data:
        for start, end in _key_spans(lines, key):
            new = "".join(lines[:start]) + line + _comment("".join(lines[start:end])) + "\n" + "".join(lines[end:])
            if _parses_to(new, wanted):
                return new
        raise ConfigError(f"cannot find the line that sets it in {target}; change it there with an editor")
    new = old + ("" if old.endswith("\n") or not old else "\n") + line + "\n"
    if not _parses_to(new, wanted):  # e.g. the file ends inside a [table]
        raise ConfigError(f"cannot add it at the end of {target}; add the line {line!r} there with an editor")
    return new


MAX_VALUE_LINES = 50
"""How many lines one key's value may span (a multi-line string or array) for it to be replaced."""


def _key_spans(lines: list[str], key: str):
    """(first, end) line ranges that may be the key's own ``key = value``, shortest first."""
    looks_like = re.compile(rf"[ \t]*{re.escape(key)}[ \t]*=")
    for start, text in enumerate(lines):
        if looks_like.match(text):
            for end in range(start + 1, min(start + MAX_VALUE_LINES, len(lines)) + 1):
                yield start, end


def _comment(text: str) -> str:
    """The comment after a ``key = value`` (its lines as ``text``; "" when none), with the space before it."""
    text = text.rstrip("\r\n")
    for at in (i for i, char in enumerate(text) if char == "#"):
        try:
            tomllib.loads(text[:at])
        except tomllib.TOMLDecodeError:
            continue  # the "#" is inside the value
        code = text[:at].rstrip()
        return text[len(code):]
    return ""


def _parses_to(text: str, wanted: dict[str, Any]) -> bool:
    try:
        return tomllib.loads(text) == wanted
    except tomllib.TOMLDecodeError:
        return False


def _replace(target: Path, text: str, info: os.stat_result | None) -> None:
    """Write ``text`` as a private temporary file beside ``target``, check it, give it the old
    file's owner and mode, and rename it into place."""
    fd, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            if info is not None:
                if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(out.fileno(), info.st_uid, info.st_gid)
                os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
            else:
                os.fchmod(out.fileno(), 0o644 & ~_umask())
            os.fsync(out.fileno())
        load_config(Path(scratch))
        os.rename(scratch, target)
    finally:
        if os.path.lexists(scratch):
            os.unlink(scratch)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _typed(key: str, text: str) -> Any:
    """A command-line value as the type its key takes (checked afterwards by :func:`_checked`)."""
    kind = RULES[key][0] if key in RULES else "text"
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise ConfigError(f"{text!r} is not {'a whole number' if kind == 'int' else 'a number'}") from None
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise ConfigError(f"must be true or false, not {text!r}")
        return text.lower() == "true"
    return text


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def describe_settings(config: Config) -> list[str]:
    """``key = value  # source`` lines for ``config show``."""
    lines = []
    for item in fields(Settings):
        value = getattr(config.settings, item.name)
        shown = "(unset)" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
        lines.append(f"{item.name} = {shown}  # {config.sources[item.name]}")
    return lines
