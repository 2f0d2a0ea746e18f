"""The ``voice-coach`` command line."""

from __future__ import annotations

import contextlib
import functools
import io
import os
import queue
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from ..audio.portaudio import DeviceError
from ..audio.speaker import AUDIO_LOOKAHEAD
from ..audio.sound import sound_problem, write_wav
from ..core.coach import Coach, CoachAction, CoachSettings, ListenFor, Understood
from ..core.driver import Driver, DriverClock, TypedLines
from ..core.engine import EstimatedTiming, NotUnderstood
from ..core.interpret import Interpreter, LanguageError
from ..core.library import Library, load_library
from ..core.script import Script
from ..core.timeline import clock_text, describe, length_problem, simulate
from ..paths import AUDIO_DIR, SCRIPTS_DIR, command_name
from ..speech.model import DUTCH_MANIFEST, DUTCH_MODEL, DUTCH_MODEL_URL, ModelError, install_model, manifest_for, model_status, read_manifest
from ..speech.speech_cache import prerender as render_all
from ..speech.speech_cache import sentences
from ..speech.tts import SpeechError
from ..speech.voices import INSTALL_VOICE
from .audioplayer import AudioPlayer, AudioTiming, speech_cache
from .clock import Clock, is_night
from .config import EXIT_CONFIG, Config, ConfigError, Settings, describe_settings, load_config, set_key
from .logs import start_logging
from .progress import Progress
from .textplayer import TerminalPlayer, read_lines
from .understand import exercise_state, idle_state
from .understand import understand as understand_line

SPEED_RANGE = click.FloatRange(0.1, 10000)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="voice-coach", message="%(prog)s %(version)s")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="Config file [default: /etc/voice-coach/config.toml for the service, else ~/.config/voice-coach/config.toml].",
)
@click.option("--scripts", type=click.Path(file_okay=False, path_type=Path), help=f"Folder with the exercise scripts [default: {SCRIPTS_DIR}].")
@click.option("--audio", type=click.Path(file_okay=False, path_type=Path), help=f"Folder with the sounds and clips that scripts name [default: {AUDIO_DIR}].")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path), help="The journal file [default: ~/.local/share/voice-coach/journal.sqlite].")
@click.option("-v", "--verbose", is_flag=True, help="Log what the coach hears and does.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, scripts: Path | None, audio: Path | None, journal_path: Path | None, verbose: bool) -> None:
    """voice-coach: an offline voice coach for breathing, grounding and self-compassion.

    Self-help, not treatment. In crisis: 113 Zelfmoordpreventie.
    """
    start_logging(verbose)
    try:
        config = load_config(config_path)
    except ConfigError as err:
        raise BadConfig(str(err)) from None
    config.override("scripts", scripts)
    config.override("audio", audio)
    config.override("journal", journal_path)
    ctx.obj = config


class BadConfig(click.ClickException):
    """An unusable config file: a distinct status the service does not restart on."""

    exit_code = EXIT_CONFIG


def voice_options(command):
    """--voice, --words-per-minute and --cache, over the config."""

    @click.option("--voice", help="The voice: 'auto' (the best installed), a name from 'voice-coach voices', a Piper .onnx file, or an espeak-ng voice id [default: auto].")
    @click.option("--words-per-minute", type=click.IntRange(80, 300), help="Speaking rate [default: 128].")
    @click.option("--cache", type=click.Path(file_okay=False, path_type=Path), help="Folder for rendered speech [default: ~/.cache/voice-coach].")
    @functools.wraps(command)
    def wrapper(*args, voice: str | None, words_per_minute: int | None, cache: Path | None, **kwargs):
        config: Config = click.get_current_context().obj
        config.override("voice", voice)
        config.override("words_per_minute", words_per_minute)
        config.override("cache", cache)
        return command(*args, **kwargs)

    return wrapper


def device_options(command):
    """--speaker, --microphone, their rates, --model and --barge-in, over the config."""

    @click.option("--speaker", help="Output device, by (part of) its name [default: the system default].")
    @click.option("--speaker-rate", type=int, help="Output sample rate [default: the device's own].")
    @click.option("--microphone", help="Input device, by (part of) its name [default: the system default].")
    @click.option("--microphone-rate", type=int, help="Input sample rate [default: the device's own].")
    @click.option("--model", type=click.Path(file_okay=False, path_type=Path), help=f"Vosk model folder [default: ~/.local/share/voice-coach/models/{DUTCH_MODEL}].")
    @click.option("--barge-in/--no-barge-in", default=None, help="Hear commands while the coach speaks, through echo cancellation [default: the config's barge_in, on unless set].")
    @functools.wraps(command)
    def wrapper(*args, speaker, speaker_rate, microphone, microphone_rate, model, barge_in, **kwargs):
        config: Config = click.get_current_context().obj
        for key, value in (
            ("speaker", speaker), ("speaker_rate", speaker_rate), ("microphone", microphone),
            ("microphone_rate", microphone_rate), ("model", model), ("barge_in", barge_in),
        ):
            config.override(key, value)
        return command(*args, **kwargs)

    return wrapper


def _library(settings: Settings) -> Library:
    """The valid exercises; a bad script is named on stderr and left out."""
    library = settings.load_library()
    for problem in library.errors:
        click.echo(f"skipped: {problem}", err=True)
    if not library.scripts:
        raise click.ClickException(f"no valid exercise scripts in {settings.scripts} or {settings.own_scripts}; run '{command_name()} validate'")
    return library


def _script(settings: Settings, name: str) -> Script:
    library = _library(settings)
    script = library.find(name)
    if script is None:
        hint = library.suggest(name)
        maybe = f" Did you mean: {', '.join(hint)}?" if hint else ""
        raise click.BadParameter(f"no exercise called {name!r}.{maybe} '{command_name()} list' shows them all.", param_hint="NAME")
    return script


@main.command("list")
@click.pass_obj
def list_command(config: Config) -> None:
    """List the exercises: id, title, duration, spoken triggers, and where each comes from."""
    settings = config.settings
    library = _library(settings)
    for script in library.scripts.values():
        origin = "shipped" if Path(script.source).parent == settings.scripts else script.source
        if script.id in library.replaced:
            origin += " (replaces the shipped one)"
        click.echo(f"{script.id:<16} {script.title:<34} {script.minutes:>4g} min   {' | '.join(script.triggers)}   [{origin}]")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check scripts (files or folders; default: the shipped ones and your own) and
    report every problem. A script in a later folder replaces one with the same id.

    Exits 0 only when every script is valid; warnings do not count.
    """
    settings = ctx.obj.settings
    searched = paths or settings.script_folders()
    library = load_library(searched, settings.audio, sound_problem=sound_problem)
    library.problems += [p for s in library.scripts.values() if (p := length_problem(s, EstimatedTiming()))]
    for problem in library.problems:
        click.echo(str(problem), err=not problem.warning)
    for script_id, replaced in library.replaced.items():
        click.echo(f"{library.scripts[script_id].source}: replaces {replaced}")
    errors = len(library.errors)
    click.echo(f"{len(library.scripts)} valid, {errors} error{'s' * (errors != 1)}, {len(library.problems) - errors} warnings")
    if not library.scripts and not errors:
        where = ", ".join(map(str, searched))
        raise click.ClickException(f"no exercise scripts (*.toml) in {where}; give the folder that holds them (--scripts)")
    if errors:
        ctx.exit(1)


@main.command()
@click.argument("name")
@click.option("--answer", "answers", multiple=True, help="Reply to the next question (repeatable); unanswered ones take their default.")
@click.option("--night", is_flag=True, help="As it is spoken at night (21:00-07:00): the closings that let you drift off.")
@click.pass_obj
def show(config: Config, name: str, answers: tuple[str, ...], night: bool) -> None:
    """Show an exercise as it will be spoken, with its timeline."""
    script = _script(config.settings, name)
    timeline = simulate(script, EstimatedTiming(), answers, night=night)
    click.echo(f"{script.title} ({script.id}): {script.summary}")
    click.echo(f"Say: {' | '.join(script.triggers)}.  About {clock_text(timeline.seconds)} (estimated speech lengths).")
    for action in timeline.actions:
        line = describe(action)
        if line:
            click.echo(f"{clock_text(action.at):>8}  {line}")


MAX_UNDERSTOOD_LINE = 1000
"""Longer input lines are cut, as the daemon cuts what it hears."""


@main.command()
@click.argument("said", nargs=-1, metavar="[SENTENCE]...")
@click.option("--exercise", "exercise", metavar="NAME", help="During this exercise instead of while idle.")
@click.option("--step", type=click.IntRange(min=1), help="With --exercise: at this step's question (the [[step]] tables of the script, numbered from 1).")
@click.pass_obj
def understand(config: Config, said: tuple[str, ...], exercise: str | None, step: int | None) -> None:
    """Say what the coach makes of each SENTENCE, read exactly as the daemon reads it:
    idle by default, or during an exercise, or at one step's question. Without
    SENTENCE, reads one sentence a line from standard input."""
    if step is not None and exercise is None:
        raise click.UsageError("--step needs --exercise: which exercise's step?")
    library = _library(config.settings)
    language = Interpreter.load()
    if exercise is None:
        state = idle_state()
    else:
        script = _script(config.settings, exercise)
        if step is not None and step > len(script.steps):
            raise click.BadParameter(f"{script.id} has {len(script.steps)} steps (its [[step]] tables, numbered from 1).", param_hint="--step")
        state = exercise_state(script, step)
    names = language.spoken_names(library)
    lines = said or (line.rstrip("\n") for line in io.TextIOWrapper(sys.stdin.buffer, "utf-8", errors="replace"))
    for line in lines:
        sentence = line[:MAX_UNDERSTOOD_LINE].strip()
        if sentence:
            click.echo(f"{sentence!r} [{state.name}]: {understand_line(language, sentence, state, names)}")


@main.command()
@click.argument("name")
@click.option("--text", is_flag=True, help="Play in the terminal only, without sound.")
@click.option("--speed", type=SPEED_RANGE, default=1.0, show_default=True, help="With --text: run this many times faster, for a quick look.")
@click.option("--answer", "answers", multiple=True, help="Reply to the next question (repeatable), as if typed.")
@voice_options
@device_options
@click.pass_obj
def play(config: Config, name: str, text: bool, speed: float, answers: tuple[str, ...]) -> None:
    """Play an exercise aloud and listen for replies (or type them: ja, nee, pauze, verder, langzamer, stop)."""
    settings = config.settings
    script = _script(settings, name)
    heard: queue.Queue[str] = queue.Queue()
    terminal = TerminalPlayer(sys.stdout, sys.stdout.isatty(), list(answers), heard)
    if sys.stdin.isatty() or not answers:
        read_lines(sys.stdin, heard)
    click.echo(f"{script.title}. Typ je antwoord of een opdracht (stop, pauze, verder, langzamer, sneller, herhaal) en druk op Enter.")
    language = Interpreter.load()
    speaker = None if text or speed != 1.0 else _open_speaker(settings)
    if speaker is None:
        outcome = _play(settings, script, language, (Clock(speed), 0.0), heard, terminal, terminal.perform, EstimatedTiming())
    else:
        outcome = _play_aloud(settings, script, speaker, heard, language, terminal)
    if outcome == "crisis":
        click.echo(language.care.line.written())


def _play(settings: Settings, script: Script, language: Interpreter, clock: tuple[DriverClock, float], heard: queue.Queue[str], terminal: TerminalPlayer, perform, timing) -> str:
    """Play ``script`` on the coach's driver, on ``clock`` (and its lookahead): ``perform``
    carries out each action, the terminal shows what was not understood; returns the outcome."""
    coach = Coach(language, Library({script.id: script}), timing, CoachSettings(volume=settings.volume))

    def carry_out(action: CoachAction) -> None:
        if isinstance(action, Understood) and (action.meaning is None or isinstance(action.meaning, NotUnderstood)):
            terminal.not_understood(action.said)
        perform(action)  # play keeps no journal: an answer is never said to be saved

    driver = Driver(coach, clock[0], carry_out, lambda: is_night(datetime.now()), clock[1])
    refresh = terminal.refresh if terminal.live else None
    return driver.run_exercise(TypedLines(heard), script.id, refresh)


def _open_speaker(settings: Settings):
    """The speaker, or None (saying why) when there is none: then the terminal plays."""
    from ..audio.speaker import Speaker

    try:
        return Speaker(settings.speaker, settings.speaker_rate, settings.volume)
    except DeviceError as err:
        click.echo(f"No sound: {err} Playing in the terminal instead.", err=True)
        return None


def _play_aloud(settings: Settings, script: Script, speaker, heard, language: Interpreter, terminal: TerminalPlayer) -> str:
    cache = speech_cache(settings)
    try:
        for sentence, rate in sentences([script], language.phrases.replies, language.care, language.answers):
            cache.get(sentence, rate)  # every length known, every sound ready before the first word
    except SpeechError as err:
        raise click.ClickException(f"{err}\nTo play in the terminal without sound, add --text.") from None
    listener = _listener(settings, heard, speaker, script, language)
    with speaker:
        player = AudioPlayer(speaker.mixer, speaker.frame_at, cache)

        def perform(action) -> None:
            if isinstance(action, ListenFor):
                if listener:
                    listener.listen_for(action.listening)
                return
            player.perform(action)
            terminal.perform(action)

        try:
            if listener:
                listener.prepare(language.every_listening([script], []))  # no grammar compiled while it plays
                listener.start()
            outcome = _play(settings, script, language, (speaker, AUDIO_LOOKAHEAD), heard, terminal, perform, AudioTiming(cache))
            while speaker.mixer.busy:  # let the last words finish
                time.sleep(0.05)
        finally:
            if listener:
                listener.close()
    return outcome


def _listener(settings: Settings, heard: queue.Queue[str], speaker, script: Script, language: Interpreter):
    """A Listener on the configured microphone, or None (with the reason) when there is none."""
    from ..speech.asr import load_model
    from ..speech.listener import Listener
    from ..speech.speech_cache import script_answers
    from ..speech.vocabulary import report_unknown

    try:
        model = load_model(settings.model)
        report_unknown(model, language.session_listening(script_answers(script)).phrases)
        return Listener.configured(model, heard, settings, speaker)
    except (DeviceError, ModelError) as err:
        click.echo(f"Not listening: {err} Type replies instead.", err=True)
        return None


@main.command()
@voice_options
@click.pass_obj
def prerender(config: Config) -> None:
    """Render every sentence of every exercise to the speech cache, so playing starts at once."""
    settings = config.settings
    library = _library(settings)
    cache = speech_cache(settings)
    language = Interpreter.load()
    todo = sentences(library.scripts.values(), language.phrases.replies, language.care, language.answers)
    started = time.perf_counter()
    try:
        with Progress(len(todo), f"Rendering speech ({cache.synthesizer.voice.name})") as progress:
            render_all(cache, todo, progress.reach)
    except SpeechError as err:
        raise click.ClickException(str(err)) from None
    took = time.perf_counter() - started
    click.echo(f"{len(todo)} sentences: {cache.renders} rendered, {len(todo) - cache.renders} already cached, in {took:.2f} s")


@main.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The WAV file to write: a new file, or one of your own; readable only by you (mode 0600), as it may hold your answers.")
@click.option("--answer", "answers", multiple=True, help="Reply to the next question (repeatable); unanswered ones take their default.")
@voice_options
@click.pass_obj
def render(config: Config, name: str, output: Path, answers: tuple[str, ...]) -> None:
    """Render a whole exercise to a WAV file, with the same timing as when it plays."""
    from .private_file import PrivateFileError, check_target, write_private
    from .render import RENDER_RATE, render_exercise

    settings = config.settings
    script = _script(settings, name)
    try:
        check_target(output)  # before the rendering: a FIFO or device there is refused at once
        samples, timeline = render_exercise(script, speech_cache(settings), answers)
        write_private(output, lambda out: write_wav(out, samples, RENDER_RATE), binary=True)
    except (SpeechError, PrivateFileError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{output}: {script.title}, {clock_text(len(samples) / RENDER_RATE)} ({timeline.outcome})")


@main.command("voices")
@click.pass_obj
def voices_command(config: Config) -> None:
    """Every voice this device has or could have: engine, language, installed or how to install, the default."""
    from ..speech.voices import all_voices, problem

    settings = config.settings
    default = settings.voice_settings().name
    for voice in all_voices(settings.voices):
        trouble = problem(voice)
        state = "installed" if trouble is None else trouble
        mark = "*" if voice.name == default else " "
        click.echo(f"{mark} {voice.engine:<7} {voice.name:<22} {voice.language:<6} {state}")
    click.echo(f"* = the voice used now ({'the best installed' if settings.voice == 'auto' else 'set: ' + settings.voice})")


@main.group()
def voice() -> None:
    """Download and check Piper voices (neural, the most natural Dutch)."""


@voice.command("download", help=(
    f"Download a Dutch Piper voice (NAME; default {INSTALL_VOICE}, the one the installers choose), "
    "verify it (size and MD5) and install it atomically; one already installed and intact is kept."
))
@click.argument("name", default=INSTALL_VOICE)
@click.option("--url", "source", default=None, help="Where the rhasspy/piper-voices files are served [default: Hugging Face].")
@click.option("--from", "from_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), help="A folder holding NAME.onnx and NAME.onnx.json (carried over to a Pi without internet).")
@click.pass_obj
def voice_download(config: Config, name: str, source: str | None, from_dir: Path | None) -> None:
    from ..speech.download import DownloadError, check_owner
    from ..speech.voice_install import PIPER_VOICES_URL, install_voice, verify_voice
    from ..speech.piper_catalogue import piper_catalogue

    entry = piper_catalogue().get(name)
    if entry is None:
        raise click.BadParameter(f"no Dutch Piper voice called {name!r}; the voices are: {', '.join(piper_catalogue())}", param_hint="NAME")
    installed = config.settings.voices / name
    try:
        check_owner(config.settings.voices)  # root never reads or writes a folder another user owns
    except DownloadError as err:
        raise click.ClickException(str(err)) from None
    if installed.is_dir() and not verify_voice(installed, entry):
        click.echo(f"already installed and verified: {installed}")
        return
    with Progress(entry.onnx_bytes, f"Downloading {name}") as progress:
        try:
            installed = install_voice(entry, config.settings.voices, str(from_dir) if from_dir else source or PIPER_VOICES_URL, lambda done, _: progress.reach(done))
        except DownloadError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"installed and verified: {installed}")


@main.group()
def model() -> None:
    """Download and check the speech recognition model."""


@model.command()
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), help="Where models are installed [default: ~/.local/share/voice-coach/models].")
@click.option("--url", default=DUTCH_MODEL_URL, show_default=True, help="Where to download the model zip from (a mirror).")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="Install from a model zip on this device instead (carried over on a USB stick for a Pi without internet).")
@click.option("--manifest", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=DUTCH_MANIFEST, help="SHA-256 manifest the download must match [default: the Dutch model's].")
@click.option("--name", default=DUTCH_MODEL, show_default=True, help="Folder name to install the model as.")
@click.pass_obj
def download(config: Config, models_dir: Path | None, url: str, from_file: Path | None, manifest: Path, name: str) -> None:
    """Download the Dutch model (or take a zip you have), verify every file, and install it atomically."""
    target_dir = models_dir or config.settings.model.parent
    if from_file is not None:
        url = from_file.resolve().as_uri()
    try:
        entries = read_manifest(manifest)
    except ModelError as err:
        raise click.ClickException(str(err)) from None
    total = sum(e.size for e in entries)
    with Progress(total, f"Downloading {name}") as progress:
        try:
            installed = install_model(url, target_dir, name, entries, progress.reach)
        except ModelError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"installed and verified: {installed}")


@model.command()
@click.option("--model", "folder", type=click.Path(file_okay=False, path_type=Path), help="The model folder [default: the installed Dutch model].")
@click.pass_obj
def verify(config: Config, folder: Path | None) -> None:
    """Check every file of the model against its SHA-256 manifest."""
    folder = folder or config.settings.model
    problems = model_status(folder, manifest_for(folder), full=True)
    if problems:
        raise click.ClickException("\n".join(problems))
    click.echo(f"OK: {folder}")


@main.command()
@click.option("--listen-stdin", is_flag=True, help="Take what is said from standard input, one phrase a line, instead of the microphone (for tests and debugging).")
@click.option("--show/--no-show", default=None, help="Print each sentence the coach says and what it does [default: on with --listen-stdin or on a terminal; never for the service, whose output goes to the system log].")
@click.option("--language", type=click.Path(file_okay=False, exists=True, path_type=Path), help="Folder with phrases.toml, answers.toml and crisis.toml to use instead of the Dutch ones (for tests with another language's model).")
@click.option("--start-check", type=click.Choice(["always", "night", "never"]), help='Ask "Wil je ... doen?" before an exercise starts: always, at night only, or never [default: always].')
@voice_options
@device_options
@click.pass_obj
def run(config: Config, listen_stdin: bool, show: bool | None, language: Path | None, start_check: str | None) -> None:
    """Run the bedside coach: listen, start an exercise when asked, listen again (the service runs this)."""
    from .daemon import Daemon

    config.override("start_check", start_check)
    show = sys.stdout.isatty() if show is None else show
    try:
        daemon = Daemon(config, listen_stdin, language, show)
    except LanguageError as err:
        raise click.BadParameter(str(err), param_hint="--language") from None
    sys.exit(daemon.run())


@main.command("night-test")
@click.option("--hours", type=click.FloatRange(0.001, 24), default=8.0, show_default=True, help="How long to listen (Ctrl-C ends it sooner, with the summary).")
@click.option("--recording", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="A WAV recording of a night to listen to instead of the microphone (as fast as it is recognized).")
@click.option("--language", type=click.Path(file_okay=False, exists=True, path_type=Path), help="Folder with other phrases.toml, answers.toml and crisis.toml (as for run).")
@click.option("--microphone", help="Input device, by (part of) its name [default: the configured one, else the system default].")
@click.option("--microphone-rate", type=int, help="Input sample rate [default: the device's own].")
@click.option("--model", type=click.Path(file_okay=False, path_type=Path), help=f"Vosk model folder [default: ~/.local/share/voice-coach/models/{DUTCH_MODEL}].")
@click.pass_obj
def night_test(
    config: Config, hours: float, recording: Path | None, language: Path | None,
    microphone: str | None, microphone_rate: int | None, model: Path | None,
) -> None:
    """Listen like the idle coach, act on nothing: log each start (or other command) it
    would have acted on, with time and confidence, then sum up and say how to tune."""
    for key, value in (("microphone", microphone), ("microphone_rate", microphone_rate), ("model", model)):
        config.override(key, value)
    from ..audio.sound import SoundError
    from .night_test import open_recording

    try:
        with open_recording(recording) if recording else contextlib.nullcontext() as night:
            _night_test(config.settings, hours, night, language)
    except SoundError as err:
        raise click.ClickException(str(err)) from None


def _night_test(settings: Settings, hours: float, night, language: Path | None) -> None:
    """The night test on the microphone, or on ``night`` (a checked Recording) when given."""
    from ..speech.asr import load_model
    from ..speech.listener import Listener
    from .night_test import NightTest

    try:
        interpreter = Interpreter.load(language)  # before the model: a bad file is named at once
    except LanguageError as err:
        raise click.BadParameter(str(err), param_hint="--language") from None
    try:
        vosk_model = load_model(settings.model)
    except ModelError as err:
        raise click.ClickException(str(err)) from None
    test = NightTest(interpreter, _library(settings), lambda done: click.echo(str(done)), second_pass=settings.second_pass)

    def make_listener(sink) -> Listener:
        return Listener.configured(vosk_model, sink, settings, wait_for_device=True, recorded_rate=night.rate if night else None)

    try:
        listener = test.listen_with(make_listener)
    except DeviceError as err:
        raise click.ClickException(str(err)) from None
    try:
        if night is not None:
            click.echo(f"Listening to {night.seconds / 3600:.2f} h of recording; nothing will be said. Ctrl-C ends it with the summary.")
            test.feed_recording(night)
        else:
            click.echo(f"Listening for {hours:g} h; nothing will be said or started. Ctrl-C ends it with the summary.")
            ends = time.monotonic() + hours * 3600
            with listener:
                while time.monotonic() < ends:
                    time.sleep(min(1.0, max(ends - time.monotonic(), 0.0)))
    except KeyboardInterrupt:
        click.echo("Ended early (Ctrl-C).")
    for line in test.summary(listener.frames_fed / listener.rate / 3600):
        click.echo(line)


@main.command()
@click.option("--plain", is_flag=True, help="One card a line for scripts: 'output NAME' or 'input NAME'.")
@click.pass_obj
def devices(config: Config, plain: bool) -> None:
    """The sound cards, by the names the speaker and microphone settings take, and where
    ALSA's default device goes."""
    from ..audio.alsa_default import default_sound_server, sound_cards, unreachable_default_advice

    try:
        cards = sound_cards()
    except DeviceError as err:
        raise click.ClickException(str(err)) from None
    if plain:
        for card in cards:
            for kind, able in (("output", card.output), ("input", card.input)):
                if able:
                    click.echo(f"{kind} {card.name}")
        return
    click.echo("Sound cards (set one with: voice-coach config set speaker NAME / microphone NAME):" if cards else "No sound cards found.")
    for card in cards:
        click.echo(f"  {card.name}  ({', '.join(k for k, able in (('plays', card.output), ('records', card.input)) if able)})")
    server = default_sound_server()
    if server is not None:
        click.echo(unreachable_default_advice(server, config.path) if not server.reachable else
                   f"ALSA's default device goes to {server.name}: fine in this session, but a system service cannot reach it.")


@main.group("config")
def config_group() -> None:
    """The configuration."""


@config_group.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def config_set(config: Config, key: str, value: str) -> None:
    """Set KEY to VALUE in the config file, keeping its comments (e.g. speaker "USB Audio")."""
    try:
        set_key(config.path, key, value)
    except ConfigError as err:
        raise BadConfig(f"{config.path}: key {key!r}: {err}") from None
    except OSError as err:
        raise click.ClickException(f"cannot write {config.path}: {err.strerror}; run as its owner (sudo for /etc)") from None
    click.echo(f"{config.path}: {key} set; the service takes it on: sudo systemctl reload voice-coach")


@config_group.command("show")
@click.pass_obj
def config_show(config: Config) -> None:
    """Print the effective settings and where each value came from."""
    click.echo(f"# config file: {config.path}{'' if config.path.exists() else ' (not present)'}")
    for line in describe_settings(config):
        click.echo(line)


def _journal(config: Config, reading: bool = False):
    """The journal; for ``reading``, None when there is none yet (nothing is created just to read)."""
    from .journal import Journal, JournalError

    if reading and not os.path.lexists(config.settings.journal):
        return None
    try:
        store = Journal(config.settings.journal)
    except JournalError as err:
        raise click.ClickException(str(err)) from None
    for leftover in store.set_aside:
        click.echo(f"Note: a leftover journal log was moved aside to {leftover} (SQLite would have replayed it).", err=True)
    return store


def _journal_read(read):
    """``read()``, with a journal that cannot be read as a clear error."""
    from .journal import JournalError

    try:
        return read()
    except JournalError as err:
        raise click.ClickException(str(err)) from None


@main.group(invoke_without_command=True)
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True, help="How many recent sessions to show.")
@click.pass_context
def journal(ctx: click.Context, limit: int) -> None:
    """Your journal: recent sessions and your answers. Only on this device."""
    if ctx.invoked_subcommand is not None:
        return
    store = _journal(ctx.obj, reading=True)
    entries = _journal_read(lambda: store.recent(limit)) if store else []
    if not entries:
        click.echo("The journal is empty.")
        return
    click.echo(f"{'when':<20} {'exercise':<16} {'ended':<12} answers")
    for entry in entries:
        click.echo(f"{entry.started[:16].replace('T', ' '):<20} {entry.exercise:<16} {entry.outcome:<12} {entry.answers}")


@journal.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="A new file, or one of your own, to write; readable only by you (mode 0600) [default: standard output].")
@click.pass_obj
def export(config: Config, output: Path | None) -> None:
    """Export every session and answer as CSV."""
    from .private_file import PrivateFileError, write_private

    store = _journal(config, reading=True)
    try:
        if output is None:
            _journal_read(lambda: _export(store, sys.stdout))
            sys.stdout.flush()
            return
        rows = _journal_read(lambda: write_private(output, lambda out: _export(store, out)))
    except PrivateFileError as err:
        raise click.ClickException(str(err)) from None
    except OSError as err:  # standard output: a full disk, a closed pipe
        raise click.ClickException(f"cannot write the export to standard output: {err.strerror}") from None
    click.echo(f"{rows} rows written to {output} (readable only by you)", err=True)


def _export(store, out) -> int:
    from .journal import write_csv

    return store.export_csv(out) if store else write_csv([], out)


@journal.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def forget(config: Config, yes: bool) -> None:
    """Erase the whole journal, for good (a damaged one: its files are deleted)."""
    from .journal import Journal, JournalError

    path = config.settings.journal
    if not os.path.lexists(path):
        click.echo("The journal is empty.")
        return
    try:
        store = Journal(path)
    except JournalError as err:
        _forget_files(path, err, yes)
        return
    try:
        sessions, answers = store.counts()
        if not yes:
            click.confirm(f"Erase all {sessions} sessions and {answers} answers? This cannot be undone", abort=True)
        store.forget()
    except JournalError as err:
        store.close()
        _forget_files(path, err, yes)
        return
    click.echo("The journal is erased.")


def _forget_files(path: Path, problem, yes: bool) -> None:
    """``journal forget`` for a journal SQLite cannot erase: delete its files, after saying so."""
    from .journal import JournalError, erase_files

    if not problem.damaged:
        raise click.ClickException(str(problem))
    click.echo(f"The journal cannot be read: {problem}", err=True)
    if not yes:
        click.confirm(f"Delete the journal's files ({path} and what SQLite keeps beside it)? This cannot be undone", abort=True)
    try:
        deleted, left = erase_files(path)
    except (JournalError, OSError) as err:
        raise click.ClickException(f"cannot delete the journal's files: {getattr(err, 'strerror', None) or err}") from None
    for file in deleted:
        click.echo(f"deleted {file}")
    if left:
        raise click.ClickException(f"left alone, not regular files: {', '.join(map(str, left))}; remove them yourself if they are yours")
    click.echo("The journal is erased.")


@main.command()
@device_options
@voice_options
@click.pass_obj
def doctor(config: Config) -> None:
    """Check everything the coach needs, one line each: OK, or what to do."""
    from .doctor import run_checks

    checks = run_checks(config)
    for check in checks:
        click.echo(str(check))
    if not all(check.ok for check in checks):
        sys.exit(1)
