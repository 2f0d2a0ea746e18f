"""The ``voice-coach`` command line."""

from __future__ import annotations

import queue
import sys
from pathlib import Path

import click

from .care import load_care
from .clock import Clock
from .engine import EstimatedTiming
from .interpret import interpret
from .library import Library, load_library
from .paths import AUDIO_DIR, SCRIPTS_DIR
from .phrases import load_phrases
from .script import Script
from .session import run_session
from .textplayer import TerminalPlayer, read_lines
from .timeline import clock_text, describe, new_engine, simulate

SPEED_RANGE = click.FloatRange(0.1, 10000)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--scripts",
    "scripts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=SCRIPTS_DIR,
    show_default=True,
    help="Folder with the exercise scripts.",
)
@click.option(
    "--audio",
    "audio_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=AUDIO_DIR,
    show_default=True,
    help="Folder with the sounds and clips that scripts name.",
)
@click.pass_context
def main(ctx: click.Context, scripts_dir: Path, audio_dir: Path) -> None:
    """voice-coach: an offline voice coach for breathing, grounding and self-compassion.

    Self-help, not treatment. In crisis: 113 Zelfmoordpreventie.
    """
    ctx.obj = {"scripts_dir": scripts_dir, "audio_dir": audio_dir}


def _library(ctx: click.Context) -> Library:
    """The valid exercises; a bad script is named on stderr and left out."""
    library = load_library([ctx.obj["scripts_dir"]], ctx.obj["audio_dir"])
    for problem in library.errors:
        click.echo(f"skipped: {problem}", err=True)
    if not library.scripts:
        raise click.ClickException(f"no valid exercise scripts in {ctx.obj['scripts_dir']}; run 'voice-coach validate'")
    return library


def _script(ctx: click.Context, name: str) -> Script:
    library = _library(ctx)
    script = library.find(name)
    if script is None:
        hint = library.suggest(name)
        maybe = f" Did you mean: {', '.join(hint)}?" if hint else ""
        raise click.BadParameter(f"no exercise called {name!r}.{maybe} 'voice-coach list' shows them all.", param_hint="NAME")
    return script


@main.command("list")
@click.pass_context
def list_command(ctx: click.Context) -> None:
    """List the exercises: id, title, duration and spoken triggers."""
    for script in _library(ctx).scripts.values():
        click.echo(f"{script.id:<16} {script.title:<34} {script.minutes:>4g} min   {' | '.join(script.triggers)}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check scripts (files or folders; default: all) and report every problem.

    Exits 0 only when every script is valid; warnings do not count.
    """
    library = load_library(paths or [ctx.obj["scripts_dir"]], ctx.obj["audio_dir"])
    for problem in library.problems:
        click.echo(str(problem), err=not problem.warning)
    errors = len(library.errors)
    click.echo(f"{len(library.scripts)} valid, {errors} error{'s' * (errors != 1)}, {len(library.problems) - errors} warnings")
    if errors:
        ctx.exit(1)


@main.command()
@click.argument("name")
@click.option("--answer", "answers", multiple=True, help="Reply to the next question (repeatable); unanswered ones take their default.")
@click.pass_context
def show(ctx: click.Context, name: str, answers: tuple[str, ...]) -> None:
    """Show an exercise as it will be spoken, with its timeline."""
    script = _script(ctx, name)
    timeline = simulate(script, EstimatedTiming(), answers)
    click.echo(f"{script.title} ({script.id}): {script.summary}")
    click.echo(f"Say: {' | '.join(script.triggers)}.  About {clock_text(timeline.seconds)} (estimated speech lengths).")
    for action in timeline.actions:
        line = describe(action)
        if line:
            click.echo(f"{clock_text(action.at):>8}  {line}")


@main.command()
@click.argument("name")
@click.option("--text", is_flag=True, help="Play in the terminal instead of through the speaker.")
@click.option("--speed", type=SPEED_RANGE, default=1.0, show_default=True, help="Run this many times faster, for a quick look.")
@click.option("--answer", "answers", multiple=True, help="Reply to the next question (repeatable), as if typed.")
@click.pass_context
def play(ctx: click.Context, name: str, text: bool, speed: float, answers: tuple[str, ...]) -> None:
    """Play an exercise. Type replies and commands: ja, nee, pauze, verder, langzamer, stop."""
    script = _script(ctx, name)
    heard: queue.Queue[str] = queue.Queue()
    player = TerminalPlayer(sys.stdout, sys.stdout.isatty(), list(answers), heard)
    if sys.stdin.isatty() or not answers:
        read_lines(sys.stdin, heard)
    click.echo(f"{script.title}. Type a reply or a command (stop, pauze, verder, langzamer, sneller, herhaal) and Enter.")
    phrases, care = load_phrases(), load_care()
    outcome = run_session(
        new_engine(script, EstimatedTiming()),
        Clock(speed),
        heard,
        lambda said, expected: interpret(said, expected, phrases, care),
        player.perform,
        player.refresh if player.live else None,
    )
    if outcome == "crisis":
        click.echo(care.line.written())
